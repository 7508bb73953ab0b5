package o2server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/o2kit/o2kit/internal/norm"
)

// Version is the OpenObserve release whose behaviour this server follows;
// GET /config reports it.
const Version = "v0.92.2"

// streamTypeParam reads ?type=, defaulting to logs.
func streamTypeParam(c *call) string {
	switch t := c.r.URL.Query().Get("type"); t {
	case typeMetrics, typeTraces:
		return t
	}
	return typeLogs
}

// streamObject is a Stream as the list and schema endpoints return it. The
// caller holds the database lock.
func streamObject(st *stream) orderedObject {
	fields := make([]field, len(st.fields))
	copy(fields, st.fields)
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	schema := make([]orderedObject, len(fields))
	for i, f := range fields {
		schema[i] = orderedObject{{"name", f.name}, {"type", f.typ}}
	}
	mb := float64(st.size) / (1 << 20)
	return orderedObject{
		{"name", st.name},
		{"storage_type", "disk"},
		{"stream_type", st.typ},
		{"stats", orderedObject{
			{"created_at", st.createdAt}, {"doc_time_min", st.minTS}, {"doc_time_max", st.maxTS},
			{"doc_num", st.docs + countOnlyDocs(st)}, {"file_num", 0},
			{"storage_size", rfloat(mb)}, {"compressed_size", rfloat(mb)}, {"index_size", rfloat(0)},
		}},
		{"schema", schema},
		{"settings", st.settings},
		{"total_fields", len(st.fields)},
	}
}

// countOnlyDocs is what a count-only server reports as documents.
func countOnlyDocs(st *stream) int64 {
	if st.hasTable {
		return 0
	}
	return st.accepted.Load()
}

// handleStreamList answers GET /api/{org}/streams.
func handleStreamList(c *call) {
	q := c.r.URL.Query()
	fetch := q.Get("fetchSchema")
	if fetch != "" && fetch != "true" && fetch != "false" {
		c.envelope(http.StatusBadRequest, "fetchSchema must be true or false")
		return
	}
	types := streamTypes
	if t := q.Get("type"); t != "" {
		types = []string{t}
	}
	var list []orderedObject
	for _, t := range types {
		db := c.org.dbs[t]
		if db == nil {
			continue
		}
		db.mu.Lock()
		for _, name := range db.order {
			if kw := q.Get("keyword"); kw != "" && !strings.Contains(name, kw) {
				continue
			}
			o := streamObject(db.streams[name])
			if fetch != "true" {
				o[4].v = []orderedObject{}
			}
			list = append(list, o)
		}
		db.mu.Unlock()
	}
	total := len(list)
	if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 {
		list = list[min(off, len(list)):]
	}
	if lim, err := strconv.Atoi(q.Get("limit")); err == nil && lim > 0 && lim < len(list) {
		list = list[:lim]
	}
	c.json(http.StatusOK, orderedObject{{"list", nonNil(list)}, {"total", total}})
}

// handleStreamSchema answers GET /api/{org}/streams/{stream}/schema.
func handleStreamSchema(c *call) {
	db := c.org.dbs[streamTypeParam(c)]
	db.mu.Lock()
	defer db.mu.Unlock()
	st := db.streams[norm.StreamName(c.param("stream"))]
	if st == nil {
		c.envelope(http.StatusNotFound, "stream not found")
		return
	}
	c.json(http.StatusOK, streamObject(st))
}

// handleStreamCreate answers POST /api/{org}/streams/{stream}.
func handleStreamCreate(c *call) {
	if t := c.r.URL.Query().Get("type"); t == "enrichment_tables" || t == "index" {
		c.envelope(http.StatusBadRequest, "Stream type '"+t+"' not allowed")
		return
	}
	var req struct {
		Fields   *[]fieldSpec    `json:"fields"`
		Settings *settingsCreate `json:"settings"`
	}
	if !c.readJSON(&req) {
		return
	}
	switch {
	case req.Fields == nil:
		c.typedText(http.StatusUnprocessableEntity, msgJSONData+"missing field `fields`")
		return
	case req.Settings == nil:
		c.typedText(http.StatusUnprocessableEntity, msgJSONData+"missing field `settings`")
		return
	}
	fields := []field{}
	for _, f := range *req.Fields {
		if !slices.Contains(knownTypes, f.Type) {
			c.envelope(http.StatusBadRequest, "invalid data type: "+f.Type)
			return
		}
		fields = append(fields, field{name: norm.Key(f.Name), typ: f.Type})
	}
	if !slices.ContainsFunc(fields, func(f field) bool { return f.name == "_timestamp" }) {
		fields = append(fields, field{name: "_timestamp", typ: tInt64})
	}
	db := c.org.dbs[streamTypeParam(c)]
	db.mu.Lock()
	defer db.mu.Unlock()
	name := norm.StreamName(c.param("stream"))
	if st := db.streams[name]; st != nil && len(st.fields) > 0 {
		c.envelope(http.StatusBadRequest, "stream already exists")
		return
	}
	st := db.ensureStream(name, streamTypeParam(c), c.s.nowMicros())
	for _, f := range fields {
		if err := db.addField(st, f); err != nil {
			c.envelope(http.StatusInternalServerError, "error in creating stream: "+err.Error())
			return
		}
	}
	req.Settings.into(&st.settings)
	c.envelope(http.StatusOK, "stream created")
}

// settingsCreate is the settings object of a stream create request.
type settingsCreate struct {
	PartitionKeys      []partitionKey `json:"partition_keys"`
	FullTextSearchKeys []string       `json:"full_text_search_keys"`
	IndexFields        []string       `json:"index_fields"`
	BloomFilterFields  []string       `json:"bloom_filter_fields"`
	DataRetention      int64          `json:"data_retention"`
	MaxQueryRange      int64          `json:"max_query_range"`
	FlattenLevel       *int64         `json:"flatten_level"`
	StoreOriginalData  bool           `json:"store_original_data"`
}

func (s *settingsCreate) into(dst *streamSettings) {
	dst.PartitionKeys = s.PartitionKeys
	dst.FullTextSearchKeys = s.FullTextSearchKeys
	dst.IndexFields = s.IndexFields
	dst.BloomFilterFields = s.BloomFilterFields
	dst.DataRetention = s.DataRetention
	dst.MaxQueryRange = s.MaxQueryRange
	dst.FlattenLevel = s.FlattenLevel
	dst.StoreOriginalData = s.StoreOriginalData
}

// handleStreamSettings answers PUT /api/{org}/streams/{stream}/settings;
// success carries an empty message.
func handleStreamSettings(c *call) {
	var u settingsUpdate
	if !c.readJSON(&u) {
		return
	}
	db := c.org.dbs[streamTypeParam(c)]
	db.mu.Lock()
	defer db.mu.Unlock()
	st := db.streams[norm.StreamName(c.param("stream"))]
	if st == nil {
		c.envelope(http.StatusNotFound, "stream not found")
		return
	}
	for _, f := range u.Fields.Add {
		if !slices.Contains(knownTypes, f.Type) {
			c.envelope(http.StatusBadRequest, "invalid data type: "+f.Type)
			return
		}
	}
	next := st.settings
	if err := next.apply(&u); err != nil {
		c.envelope(http.StatusBadRequest, err.Error())
		return
	}
	for _, f := range u.Fields.Add {
		if err := db.addField(st, field{name: norm.Key(f.Name), typ: f.Type}); err != nil {
			c.envelope(http.StatusInternalServerError, err.Error())
			return
		}
	}
	st.settings = next
	c.envelope(http.StatusOK, "")
}

// handleStreamDelete answers DELETE /api/{org}/streams/{stream}; the name
// is not normalised.
func handleStreamDelete(c *call) {
	db := c.org.dbs[streamTypeParam(c)]
	db.mu.Lock()
	defer db.mu.Unlock()
	name := c.param("stream")
	if db.streams[name] == nil {
		c.envelope(http.StatusNotFound, "stream not found")
		return
	}
	db.dropStream(name)
	c.envelope(http.StatusOK, "stream deleted")
}

// handleConfig answers GET /config without authentication.
func handleConfig(c *call) {
	c.json(http.StatusOK, orderedObject{
		{"version", Version},
		{"instance", c.s.cfg.nodeName},
		{"commit_hash", "o2server"},
		{"build_date", ""},
		{"build_type", "opensource"},
		{"default_fts_keys", ftsFields},
		{"sql_reserved_keywords", []string{}},
		{"timestamp_column", "_timestamp"},
		{"data_retention_days", 3650},
		{"meta_org", "_meta"},
	})
}
