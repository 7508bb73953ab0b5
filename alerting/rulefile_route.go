package alerting

import (
	"strconv"

	"go.yaml.in/yaml/v3"
)

// suppressions decodes a rule's suppress list: {source, equal} items.
func (d *rulefileDecoder) suppressions(n *yaml.Node, loc *rulefileLoc) []Suppression {
	var out []Suppression
	for i, c := range d.items("suppress", n, loc) {
		field := "suppress[" + strconv.Itoa(i) + "]"
		var s Suppression
		for _, p := range d.pairs(field, field, c) {
			path := field + "." + p.key
			loc.paths[path] = p.v
			switch p.key {
			case "source":
				s.Source = d.strings(path, p.v, loc)
			case "equal":
				s.Equal = d.strings(path, p.v, loc)
			default:
				d.failf(path, p.k, "unknown key %q in suppress", p.key)
			}
		}
		out = append(out, s)
	}
	return out
}

// tiers decodes a rule's escalation list: {after, receivers} items.
func (d *rulefileDecoder) tiers(n *yaml.Node, loc *rulefileLoc) []Tier {
	var out []Tier
	for i, c := range d.items("escalation", n, loc) {
		field := "escalation[" + strconv.Itoa(i) + "]"
		var t Tier
		for _, p := range d.pairs(field, field, c) {
			path := field + "." + p.key
			loc.paths[path] = p.v
			switch p.key {
			case "after":
				t.After = d.duration(path, p.v)
			case "receivers":
				t.Receivers = d.strings(path, p.v, loc)
			default:
				d.failf(path, p.k, "unknown key %q in escalation", p.key)
			}
		}
		out = append(out, t)
	}
	return out
}

// sqlCondition decodes a rule's sql mapping: {query, range, stream_type}.
func (d *rulefileDecoder) sqlCondition(n *yaml.Node, loc *rulefileLoc) *SQLCondition {
	c := &SQLCondition{}
	for _, p := range d.pairs("sql", "sql", n) {
		path := "sql." + p.key
		loc.paths[path] = p.v
		switch p.key {
		case "query":
			c.Query, _ = d.str(path, p.v)
		case "range":
			c.Range = d.duration(path, p.v)
		case "stream_type":
			c.StreamType, _ = d.str(path, p.v)
		default:
			d.failf(path, p.k, "unknown key %q in sql", p.key)
		}
	}
	return c
}
