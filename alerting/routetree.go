package alerting

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// routeGroupByAll is the GroupBy entry that groups by every label.
const routeGroupByAll = "..."

// routeNode is a compiled [Route]: matchers parsed, unset settings
// inherited from the parent, so matching needs no lookups.
type routeNode struct {
	key       string // "{}" for the root; parent key + "/" + matchers below it
	path      string // "route", "route.routes[1]": where the node is in the config
	receiver  string
	matchers  []*labels.Matcher
	groupBy   []string // sorted; unused with groupAll
	groupAll  bool
	groupWait time.Duration
	interval  time.Duration // group interval
	repeat    time.Duration
	continues bool
	routes    []*routeNode
}

// newRouteTree compiles the route tree rooted at r. Every receiver it names
// must be in receivers; the error says which route is at fault.
func newRouteTree(r Route, receivers map[string]Receiver) (*routeNode, error) {
	if r.Receiver == "" {
		return nil, errors.New("alerting: route: the root route needs a receiver")
	}
	root := &routeNode{
		key:       "{}",
		path:      "route",
		groupBy:   []string{LabelAlertName},
		groupWait: DefaultGroupWait,
		interval:  DefaultGroupInterval,
		repeat:    DefaultRepeatInterval,
	}
	r.Matchers = nil // the root matches every alert
	if err := root.compile(r, receivers); err != nil {
		return nil, err
	}
	root.setKeys()
	return root, nil
}

// compile fills n, which holds its parent's settings, from r and compiles
// r's children.
func (n *routeNode) compile(r Route, receivers map[string]Receiver) error {
	if r.Receiver != "" {
		n.receiver = r.Receiver
	}
	if _, ok := receivers[n.receiver]; !ok {
		return fmt.Errorf("alerting: %s: unknown receiver %q", n.path, n.receiver)
	}
	ms, err := parseMatchers(r.Matchers)
	if err != nil {
		return fmt.Errorf("alerting: %s: %w", n.path, err)
	}
	n.matchers = ms
	if len(r.GroupBy) > 0 {
		n.groupAll = slices.Contains(r.GroupBy, routeGroupByAll)
		n.groupBy = slices.Compact(slices.Sorted(slices.Values(r.GroupBy)))
	}
	if err := n.setTimings(r); err != nil {
		return err
	}
	n.continues = r.Continue
	return n.compileChildren(r.Routes, receivers)
}

// setTimings takes r's set timings; negative ones are an error.
func (n *routeNode) setTimings(r Route) error {
	for _, t := range []struct {
		name string
		v    time.Duration
		dst  *time.Duration
	}{
		{"group_wait", r.GroupWait, &n.groupWait},
		{"group_interval", r.GroupInterval, &n.interval},
		{"repeat_interval", r.RepeatInterval, &n.repeat},
	} {
		if t.v < 0 {
			return fmt.Errorf("alerting: %s: negative %s %v", n.path, t.name, t.v)
		}
		if t.v > 0 {
			*t.dst = t.v
		}
	}
	return nil
}

// compileChildren compiles the child routes, each starting from n's
// settings.
func (n *routeNode) compileChildren(rs []Route, receivers map[string]Receiver) error {
	for i, cr := range rs {
		c := &routeNode{
			path:      n.path + ".routes[" + strconv.Itoa(i) + "]",
			receiver:  n.receiver,
			groupBy:   n.groupBy,
			groupAll:  n.groupAll,
			groupWait: n.groupWait,
			interval:  n.interval,
			repeat:    n.repeat,
		}
		if err := c.compile(cr, receivers); err != nil {
			return err
		}
		n.routes = append(n.routes, c)
	}
	return nil
}

// setKeys names the nodes below n after their matchers; two siblings with
// the same matchers get their index added, so keys stay distinct.
func (n *routeNode) setKeys() {
	seen := map[string]bool{}
	for i, c := range n.routes {
		c.key = n.key + "/" + routeMatchersText(c.matchers)
		if seen[c.key] {
			c.key += "/" + strconv.Itoa(i)
		}
		seen[c.key] = true
		c.setKeys()
	}
}

// match returns the nodes an alert with labels ls goes to: the deepest
// matching node of each branch taken, in tree order, as Alertmanager's
// Route.Match does. A match stops the search among siblings unless the
// matching node has Continue set; a node none of whose children match is
// itself the match.
func (n *routeNode) match(ls map[string]string) []*routeNode {
	if !matchAll(n.matchers, ls) {
		return nil
	}
	var all []*routeNode
	for _, c := range n.routes {
		m := c.match(ls)
		all = append(all, m...)
		if m != nil && !c.continues {
			break
		}
	}
	if len(all) == 0 {
		all = append(all, n)
	}
	return all
}

// groupLabels returns the labels of ls the node groups by; labels an
// alert lacks are left out.
func (n *routeNode) groupLabels(ls map[string]string) map[string]string {
	if n.groupAll {
		return maps.Clone(ls)
	}
	out := make(map[string]string, len(n.groupBy))
	for _, name := range n.groupBy {
		if v, ok := ls[name]; ok {
			out[name] = v
		}
	}
	return out
}

// groupKey names the aggregation group of an alert with labels ls at this
// node, as Alertmanager spells it: {}/{severity="critical"}:{alertname="X"}.
func (n *routeNode) groupKey(ls map[string]string) string {
	if n.groupAll {
		return n.key + ":" + routeLabelsText(ls)
	}
	b := make([]byte, 0, len(n.key)+64)
	b = append(b, n.key...)
	b = append(b, ":{"...)
	first := true
	for _, name := range n.groupBy { // sorted
		v, ok := ls[name]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = append(b, name...)
		b = append(b, '=')
		b = strconv.AppendQuote(b, v)
	}
	return string(append(b, '}'))
}

// routeLabelsText writes a label map as {a="x", b="y"} in key order.
func routeLabelsText(ls map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(ls)) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(ls[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// routeMatchersText writes matchers as {a="x",b=~"y"}.
func routeMatchersText(ms []*labels.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "{" + strings.Join(parts, ",") + "}"
}
