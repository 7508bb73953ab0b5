package o2server

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// partitionKey is one entry of a stream's partition_keys setting.
type partitionKey struct {
	Field    string `json:"field"`
	Types    any    `json:"types"`
	Disabled bool   `json:"disabled"`
}

// timeRange is one entry of extended_retention_days.
type timeRange struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

// streamSettings mirrors the server's StreamSettings; the JSON form follows
// its custom serializer (field order, partition_keys as an object, optional
// fields left out).
type streamSettings struct {
	PartitionKeys               []partitionKey
	FullTextSearchKeys          []string
	IndexFields                 []string
	BloomFilterFields           []string
	DistinctValueFields         []string
	DataRetention               int64
	MaxQueryRange               int64
	StoreOriginalData           bool
	ApproxPartition             bool
	IndexUpdatedAt              int64
	ExtendedRetentionDays       []timeRange
	IndexOriginalData           bool
	IndexAllValues              bool
	EnableDistinctFields        bool
	EnableLogPatternsExtraction bool
	DefinedSchemaFields         []string
	FlattenLevel                *int64
	IsLLMStream                 bool
	StorageType                 string
}

func defaultSettings() streamSettings {
	return streamSettings{StorageType: "normal", EnableDistinctFields: true}
}

// MarshalJSON writes the settings in the server's order.
func (s streamSettings) MarshalJSON() ([]byte, error) {
	parts := map[string]partitionKey{}
	for i, p := range s.PartitionKeys {
		parts["L"+strconv.Itoa(i)] = p
	}
	o := orderedObject{
		{"partition_keys", parts},
		{"full_text_search_keys", nonNil(s.FullTextSearchKeys)},
		{"index_fields", nonNil(s.IndexFields)},
		{"bloom_filter_fields", nonNil(s.BloomFilterFields)},
		{"distinct_value_fields", nonNil(s.DistinctValueFields)},
		{"data_retention", s.DataRetention},
		{"max_query_range", s.MaxQueryRange},
		{"store_original_data", s.StoreOriginalData},
		{"approx_partition", s.ApproxPartition},
		{"index_updated_at", s.IndexUpdatedAt},
		{"extended_retention_days", nonNil(s.ExtendedRetentionDays)},
		{"index_original_data", s.IndexOriginalData},
		{"index_all_values", s.IndexAllValues},
		{"enable_distinct_fields", s.EnableDistinctFields},
		{"enable_log_patterns_extraction", s.EnableLogPatternsExtraction},
	}
	if len(s.DefinedSchemaFields) > 0 {
		f := slices.Compact(slices.Sorted(slices.Values(s.DefinedSchemaFields)))
		o = append(o, kv{"defined_schema_fields", f})
	}
	if s.FlattenLevel != nil {
		o = append(o, kv{"flatten_level", *s.FlattenLevel})
	}
	o = append(o, kv{"is_llm_stream", s.IsLLMStream}, kv{"storage_type", s.StorageType})
	return o.MarshalJSON()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// listUpdate is the {"add":[...],"remove":[...]} form of list settings.
type listUpdate[T any] struct {
	Add    []T `json:"add"`
	Remove []T `json:"remove"`
}

// settingsUpdate is the body of PUT .../settings (UpdateStreamSettings).
type settingsUpdate struct {
	PartitionKeys               listUpdate[partitionKey] `json:"partition_keys"`
	FullTextSearchKeys          listUpdate[string]       `json:"full_text_search_keys"`
	IndexFields                 listUpdate[string]       `json:"index_fields"`
	BloomFilterFields           listUpdate[string]       `json:"bloom_filter_fields"`
	DistinctValueFields         listUpdate[string]       `json:"distinct_value_fields"`
	DefinedSchemaFields         listUpdate[string]       `json:"defined_schema_fields"`
	ExtendedRetentionDays       listUpdate[timeRange]    `json:"extended_retention_days"`
	Fields                      listUpdate[fieldSpec]    `json:"fields"`
	DataRetention               *int64                   `json:"data_retention"`
	FlattenLevel                *int64                   `json:"flatten_level"`
	MaxQueryRange               *int64                   `json:"max_query_range"`
	StoreOriginalData           *bool                    `json:"store_original_data"`
	ApproxPartition             *bool                    `json:"approx_partition"`
	IndexOriginalData           *bool                    `json:"index_original_data"`
	IndexAllValues              *bool                    `json:"index_all_values"`
	EnableDistinctFields        *bool                    `json:"enable_distinct_fields"`
	EnableLogPatternsExtraction *bool                    `json:"enable_log_patterns_extraction"`
	IsLLMStream                 *bool                    `json:"is_llm_stream"`
	StorageType                 *string                  `json:"storage_type"`
}

// fieldSpec is a field given to stream create or the fields setting.
type fieldSpec struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// apply merges an update into the settings: lists remove first, then add
// without duplicates; scalars replace.
func (s *streamSettings) apply(u *settingsUpdate) error {
	s.PartitionKeys = slices.DeleteFunc(s.PartitionKeys, func(p partitionKey) bool {
		return slices.ContainsFunc(u.PartitionKeys.Remove, func(r partitionKey) bool { return r.Field == p.Field })
	})
	for _, p := range u.PartitionKeys.Add {
		if !slices.ContainsFunc(s.PartitionKeys, func(q partitionKey) bool { return q.Field == p.Field }) {
			s.PartitionKeys = append(s.PartitionKeys, p)
		}
	}
	for _, l := range []struct {
		dst *[]string
		u   listUpdate[string]
	}{
		{&s.FullTextSearchKeys, u.FullTextSearchKeys},
		{&s.IndexFields, u.IndexFields},
		{&s.BloomFilterFields, u.BloomFilterFields},
		{&s.DistinctValueFields, u.DistinctValueFields},
		{&s.DefinedSchemaFields, u.DefinedSchemaFields},
	} {
		*l.dst = slices.DeleteFunc(*l.dst, func(v string) bool { return slices.Contains(l.u.Remove, v) })
		for _, v := range l.u.Add {
			if !slices.Contains(*l.dst, v) {
				*l.dst = append(*l.dst, v)
			}
		}
	}
	s.ExtendedRetentionDays = slices.DeleteFunc(s.ExtendedRetentionDays, func(r timeRange) bool {
		return slices.Contains(u.ExtendedRetentionDays.Remove, r)
	})
	s.ExtendedRetentionDays = append(s.ExtendedRetentionDays, u.ExtendedRetentionDays.Add...)
	setIf(&s.DataRetention, u.DataRetention)
	setIf(&s.MaxQueryRange, u.MaxQueryRange)
	setIf(&s.StoreOriginalData, u.StoreOriginalData)
	setIf(&s.ApproxPartition, u.ApproxPartition)
	setIf(&s.IndexOriginalData, u.IndexOriginalData)
	setIf(&s.IndexAllValues, u.IndexAllValues)
	setIf(&s.EnableDistinctFields, u.EnableDistinctFields)
	setIf(&s.EnableLogPatternsExtraction, u.EnableLogPatternsExtraction)
	setIf(&s.IsLLMStream, u.IsLLMStream)
	if u.FlattenLevel != nil {
		s.FlattenLevel = u.FlattenLevel
	}
	if u.StorageType != nil {
		if *u.StorageType != "normal" && *u.StorageType != "compliance" {
			return fmt.Errorf("invalid storage_type: %s", *u.StorageType)
		}
		s.StorageType = *u.StorageType
	}
	if s.StorageType == "compliance" && s.DataRetention < 30 {
		return fmt.Errorf("data_retention must be at least 30 days when storage_type is compliance")
	}
	return nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// kv is one member of an orderedObject.
type kv struct {
	k string
	v any
}

// orderedObject is a JSON object whose members keep their order.
type orderedObject []kv

// MarshalJSON writes the members in order, without HTML escaping.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.k)
		b = append(b, ':')
		v, err := marshalNoEscape(m.v)
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// marshalNoEscape encodes v as serde_json would: no HTML escaping.
func marshalNoEscape(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b[:len(buf.b)-1], nil // drop Encode's newline
}

type jsonBuffer struct{ b []byte }

func (w *jsonBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
