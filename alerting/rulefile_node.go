package alerting

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// rulefileMaxNodes bounds the nodes one file may make the decoder visit;
// aliases can make a small file expand to a huge one.
// A large real rule file has a few thousand.
const rulefileMaxNodes = 100_000

// errRulefileTooBig stops a file whose aliases expand too far.
var errRulefileTooBig = errors.New("file expands to too many nodes (aliases?)")

// rulefilePair is one key and value of a mapping.
type rulefilePair struct {
	key   string
	k, v  *yaml.Node
	merge bool // came in through a merge key (<<)
}

// resolve follows aliases to the node they name, counting the visit.
// It returns nil once the file has used up its budget.
func (d *rulefileDecoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	d.budget++
	if n == nil || n.Kind == yaml.AliasNode || d.budget > rulefileMaxNodes {
		return nil
	}
	return n
}

// kindName names a node's kind for errors.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "nothing"
}

// pairs returns the pairs of mapping n (field names it for errors, prefix
// starts the paths of its keys), with
// merge keys (<<) expanded and explicit keys winning over merged ones. A
// repeated key is reported and dropped.
func (d *rulefileDecoder) pairs(field, prefix string, n *yaml.Node) []rulefilePair {
	if n.Kind != yaml.MappingNode {
		d.failf(field, n, "expected a mapping, got %s", kindName(n))
		return nil
	}
	var out []rulefilePair
	seen := map[string]int{}
	add := func(p rulefilePair) {
		i, ok := seen[p.key]
		switch {
		case !ok:
			seen[p.key] = len(out)
			out = append(out, p)
		case out[i].merge && !p.merge:
			out[i] = p
		case !p.merge:
			d.failf(rulefileJoin(prefix, p.key), p.k, "key %q repeated", p.key)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i]), d.resolve(n.Content[i+1])
		if k == nil || v == nil {
			d.fail(field, n, errRulefileTooBig)
			return nil
		}
		if k.Kind != yaml.ScalarNode {
			d.failf(field, k, "keys must be strings, got %s", kindName(k))
			continue
		}
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) {
			for _, p := range d.mergePairs(field, v) {
				add(p)
			}
			continue
		}
		add(rulefilePair{key: k.Value, k: k, v: v})
	}
	return out
}

// mergePairs returns the pairs a merge key brings in: those of a mapping
// or of a list of mappings, the first mapping winning.
func (d *rulefileDecoder) mergePairs(field string, v *yaml.Node) []rulefilePair {
	maps := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		maps = nil
		for _, c := range v.Content {
			if c = d.resolve(c); c != nil {
				maps = append(maps, c)
			}
		}
	}
	var out []rulefilePair
	seen := map[string]bool{}
	for _, m := range maps {
		if m.Kind != yaml.MappingNode {
			d.failf(field, m, "merge key needs a mapping, got %s", kindName(m))
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, val := d.resolve(m.Content[i]), d.resolve(m.Content[i+1])
			if k == nil || val == nil || k.Kind != yaml.ScalarNode || seen[k.Value] {
				continue
			}
			seen[k.Value] = true
			out = append(out, rulefilePair{key: k.Value, k: k, v: val, merge: true})
		}
	}
	return out
}

// rulefileJoin appends a key to a field path.
func rulefileJoin(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// str decodes a scalar as a string; null is "".
func (d *rulefileDecoder) str(field string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.failf(field, n, "expected a string, got %s", kindName(n))
		return "", false
	}
	if n.ShortTag() == "!!null" {
		return "", true
	}
	return n.Value, true
}

// duration decodes a Prometheus duration ("5m", "1h30m", "1d"); null and
// "" are zero.
func (d *rulefileDecoder) duration(field string, n *yaml.Node) time.Duration {
	s, ok := d.str(field, n)
	if !ok || s == "" {
		return 0
	}
	v, err := model.ParseDuration(s)
	if err != nil {
		d.fail(field, n, err)
		return 0
	}
	return time.Duration(v)
}

// boolean decodes true or false; null is def.
func (d *rulefileDecoder) boolean(field string, n *yaml.Node, def bool) bool {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return def
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		d.failf(field, n, "expected true or false, got %q", n.Value)
	}
	return b
}

// integer decodes a whole number that is not negative.
func (d *rulefileDecoder) integer(field string, n *yaml.Node) int {
	i, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || i < 0 {
		d.failf(field, n, "expected a whole number >= 0, got %q", n.Value)
	}
	return i
}

// strings decodes a list of strings, recording each item's node under
// field.index in loc.
func (d *rulefileDecoder) strings(field string, n *yaml.Node, loc *rulefileLoc) []string {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.failf(field, n, "expected a list, got %s", kindName(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, c := range n.Content {
		item := rulefileJoin(field, strconv.Itoa(i))
		if c = d.resolve(c); c == nil {
			d.fail(field, n, errRulefileTooBig)
			return nil
		}
		s, _ := d.str(item, c)
		loc.paths[item] = c
		out = append(out, s)
	}
	return out
}

// stringMap decodes a mapping of strings, recording each value's node
// under field.key and each key's under field.key#key in loc.
func (d *rulefileDecoder) stringMap(field string, n *yaml.Node, loc *rulefileLoc) map[string]string {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	ps := d.pairs(field, field, n)
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		path := rulefileJoin(field, p.key)
		loc.paths[path], loc.paths[path+"#key"] = p.v, p.k
		out[p.key], _ = d.str(path, p.v)
	}
	return out
}
