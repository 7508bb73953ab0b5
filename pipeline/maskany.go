package pipeline

import (
	"log/slog"
	"maps"
	"slices"
)

// anyValue masks a value of kind Any: the text of an error, and the
// strings in the JSON-like values the client flattens into fields (string
// slices, maps of strings and of any, slices of any), keys of maps that name
// a secret included. Other types are left as they are. Nothing is copied
// when nothing is masked.
func (m *Masker) anyValue(x any, depth int) (any, bool) {
	if depth >= m.maxDepth {
		return x, false
	}
	var out any
	changed := false
	switch t := x.(type) { // out is set only on a change: boxing a string allocates
	case error:
		if s, ok := m.text(t.Error()); ok {
			out, changed = s, true
		}
	case string:
		if s, ok := m.text(t); ok {
			out, changed = s, true
		}
	case []string:
		if s, ok := m.strings(t); ok {
			out, changed = s, true
		}
	case []any:
		if s, ok := m.slice(t, depth); ok {
			out, changed = s, true
		}
	case map[string]string:
		if mm, ok := m.stringMap(t); ok {
			out, changed = mm, true
		}
	case map[string]any:
		if mm, ok := m.anyMap(t, depth); ok {
			out, changed = mm, true
		}
	}
	if !changed {
		return x, false
	}
	return out, true
}

func (m *Masker) strings(in []string) ([]string, bool) {
	var out []string
	for i, s := range in {
		if masked, ok := m.text(s); ok {
			if out == nil {
				out = slices.Clone(in)
			}
			out[i] = masked
		}
	}
	return out, out != nil
}

func (m *Masker) slice(in []any, depth int) ([]any, bool) {
	var out []any
	for i, x := range in {
		if masked, ok := m.anyValue(x, depth+1); ok {
			if out == nil {
				out = slices.Clone(in)
			}
			out[i] = masked
		}
	}
	return out, out != nil
}

func (m *Masker) stringMap(in map[string]string) (map[string]string, bool) {
	var out map[string]string
	for k, v := range in {
		masked, ok := "", false
		if m.isSecret(k) {
			masked, ok = m.secret(slog.StringValue(v)), true
			m.counts[KindSecret].Add(1)
		} else if !m.exempt.has(k) {
			masked, ok = m.text(v)
		}
		if ok {
			if out == nil {
				out = maps.Clone(in)
			}
			out[k] = masked
		}
	}
	return out, out != nil
}

func (m *Masker) anyMap(in map[string]any, depth int) (map[string]any, bool) {
	var out map[string]any
	for k, v := range in {
		var masked any
		ok := false
		if _, isMap := v.(map[string]any); !isMap && m.isSecret(k) {
			masked, ok = m.secret(slog.AnyValue(v)), true
			m.counts[KindSecret].Add(1)
		} else if !m.exempt.has(k) {
			masked, ok = m.anyValue(v, depth+1)
		}
		if ok {
			if out == nil {
				out = maps.Clone(in)
			}
			out[k] = masked
		}
	}
	return out, out != nil
}
