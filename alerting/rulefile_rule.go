package alerting

import (
	"strconv"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// newRulefileLoc starts the location record of a group or rule at n.
func newRulefileLoc(n *yaml.Node) rulefileLoc {
	return rulefileLoc{node: n, paths: map[string]*yaml.Node{}, bad: map[string]bool{}}
}

// decodeFile decodes the document: a mapping with a "groups" list. An
// empty file has no groups.
func (d *rulefileDecoder) decodeFile(root *yaml.Node) []Group {
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == 0 || (root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null") {
		return nil
	}
	var groups []Group
	for _, p := range d.pairs("file", "", root) {
		if p.key != "groups" {
			d.failf(p.key, p.k, "unknown key %q (a rule file has only groups)", p.key)
			continue
		}
		if p.v.Kind == yaml.ScalarNode && p.v.ShortTag() == "!!null" {
			continue
		}
		if p.v.Kind != yaml.SequenceNode {
			d.failf("groups", p.v, "expected a list, got %s", kindName(p.v))
			continue
		}
		for _, gn := range p.v.Content {
			if gn = d.resolve(gn); gn == nil {
				d.fail("groups", p.v, errRulefileTooBig)
				return groups
			}
			groups = append(groups, d.decodeGroup(gn))
		}
	}
	return groups
}

// decodeGroup decodes one group and its rules, then adds the group's
// labels to each rule's.
func (d *rulefileDecoder) decodeGroup(n *yaml.Node) Group {
	d.gi, d.ri = len(d.groups), -1
	d.groups = append(d.groups, newRulefileLoc(n))
	d.rules = append(d.rules, nil)
	loc := &d.groups[d.gi]
	var g Group
	var labels map[string]string
	for _, p := range d.pairs("group", "", n) {
		loc.paths[p.key] = p.v
		switch p.key {
		case "name":
			g.Name, _ = d.str("name", p.v)
		case "interval":
			g.Interval = d.duration("interval", p.v)
		case "query_offset":
			g.QueryOffset = d.duration("query_offset", p.v)
		case "limit":
			g.Limit = d.integer("limit", p.v)
		case "labels":
			labels = d.groupLabels(p.v, loc)
		case "rules":
			g.Rules = d.decodeRules(p.v)
		default:
			d.failf(p.key, p.k, "unknown key %q in group", p.key)
		}
	}
	for i := range g.Rules {
		rulefileMergeLabels(&g.Rules[i], labels, loc, &d.rules[d.gi][i])
	}
	d.gi = -1
	return g
}

// groupLabels decodes and checks a group's labels; it returns nil when any
// is wrong, so that the rules do not repeat the error.
func (d *rulefileDecoder) groupLabels(n *yaml.Node, loc *rulefileLoc) map[string]string {
	before := len(d.fails)
	m := d.stringMap("labels", n, loc)
	for k, v := range m {
		if err := checkLabelName(k); err != nil {
			d.fail("labels", loc.paths["labels."+k+"#key"], err)
		}
		if !model.LabelValue(v).IsValid() {
			d.failf("labels", loc.paths["labels."+k], "value of %q is not valid UTF-8", k)
		}
	}
	if len(d.fails) > before {
		return nil
	}
	return m
}

// rulefileMergeLabels adds the group's labels to a rule's, the rule's own
// winning (a rule's severity key counts as its severity label), and points
// the rule's record of them at the group's nodes.
func rulefileMergeLabels(r *Rule, labels map[string]string, gloc, rloc *rulefileLoc) {
	for k, v := range labels {
		if _, ok := r.Labels[k]; ok || (k == LabelSeverity && r.Severity != "") {
			continue
		}
		if r.Labels == nil {
			r.Labels = map[string]string{}
		}
		r.Labels[k] = v
		rloc.paths["labels."+k] = gloc.paths["labels."+k]
		rloc.paths["labels."+k+"#key"] = gloc.paths["labels."+k+"#key"]
	}
}

// decodeRules decodes a group's list of rules.
func (d *rulefileDecoder) decodeRules(n *yaml.Node) []Rule {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.failf("rules", n, "expected a list, got %s", kindName(n))
		return nil
	}
	rules := make([]Rule, 0, len(n.Content))
	for _, rn := range n.Content {
		if rn = d.resolve(rn); rn == nil {
			d.fail("rules", n, errRulefileTooBig)
			break
		}
		d.ri = len(d.rules[d.gi])
		d.rules[d.gi] = append(d.rules[d.gi], newRulefileLoc(rn))
		rules = append(rules, d.decodeRule(rn, &d.rules[d.gi][d.ri]))
	}
	d.ri = -1
	return rules
}

// decodeRule decodes one rule; every key's value node is recorded in loc.
func (d *rulefileDecoder) decodeRule(n *yaml.Node, loc *rulefileLoc) Rule {
	r := Rule{}
	for _, p := range d.pairs("rule", "", n) {
		loc.paths[p.key] = p.v
		if !d.ruleKey(&r, p, loc) {
			d.failf(p.key, p.k, "unknown key %q in rule", p.key)
		}
	}
	if loc.paths["id"] == nil {
		loc.paths["id"] = loc.paths["alert"]
		if loc.paths["id"] == nil {
			loc.paths["id"] = loc.paths["record"]
		}
	}
	return r
}

// ruleKey decodes one key of a rule; it reports false for an unknown key.
func (d *rulefileDecoder) ruleKey(r *Rule, p rulefilePair, loc *rulefileLoc) bool {
	switch p.key {
	case "id":
		r.ID, _ = d.str(p.key, p.v)
	case "alert":
		r.Name, _ = d.str(p.key, p.v)
	case "record":
		r.Record, _ = d.str(p.key, p.v)
	case "expr":
		r.Expr, _ = d.str(p.key, p.v)
	case "description":
		r.Description, _ = d.str(p.key, p.v)
	case "for":
		r.For = d.duration(p.key, p.v)
	case "keep_firing_for":
		r.KeepFiringFor = d.duration(p.key, p.v)
	case "severity":
		s, _ := d.str(p.key, p.v)
		r.Severity = Severity(s)
	case "enabled":
		r.Disabled = !d.boolean(p.key, p.v, true)
	case "labels":
		r.Labels = d.stringMap(p.key, p.v, loc)
	case "annotations":
		r.Annotations = d.stringMap(p.key, p.v, loc)
	case "receivers":
		r.Receivers = d.strings(p.key, p.v, loc)
	case "suppress":
		r.Suppress = d.suppressions(p.v, loc)
	case "escalation":
		r.Escalation = d.tiers(p.v, loc)
	case "sql":
		r.SQL = d.sqlCondition(p.v, loc)
	default:
		return false
	}
	return true
}

// items returns the nodes of a list at field, aliases resolved, recording
// each under field[i] in loc.
func (d *rulefileDecoder) items(field string, n *yaml.Node, loc *rulefileLoc) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		d.failf(field, n, "expected a list, got %s", kindName(n))
		return nil
	}
	var out []*yaml.Node
	for i, c := range n.Content {
		if c = d.resolve(c); c == nil {
			d.fail(field, n, errRulefileTooBig)
			return nil
		}
		loc.paths[field+"["+strconv.Itoa(i)+"]"] = c
		out = append(out, c)
	}
	return out
}
