package alerting

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouteTreeMatch(t *testing.T) {
	rs := map[string]Receiver{"default": {}, "pager": {}, "db": {}, "db-prod": {}, "dup": {}}
	root, err := newRouteTree(Route{
		Receiver: "default", GroupBy: []string{"service", "alertname"}, GroupInterval: time.Minute,
		Matchers: []string{`ignored="at the root"`},
		Routes: []Route{
			{Matchers: []string{`severity="critical"`}, Receiver: "pager", Continue: true, RepeatInterval: time.Hour},
			{Matchers: []string{`team="db"`}, Receiver: "db", GroupBy: []string{"..."}, Routes: []Route{
				{Matchers: []string{`env="prod"`}, Receiver: "db-prod", GroupWait: time.Second},
			}},
			{Matchers: []string{`team="db"`}, Receiver: "dup"},
		},
	}, rs)
	require.NoError(t, err)

	recvs := func(ls map[string]string) []string {
		var out []string
		for _, n := range root.match(ls) {
			out = append(out, n.receiver)
		}
		return out
	}
	assert.Equal(t, []string{"default"}, recvs(map[string]string{"team": "web"}))
	assert.Equal(t, []string{"pager"}, recvs(map[string]string{"severity": "critical"}), "a matching child replaces its parent")
	assert.Equal(t, []string{"db"}, recvs(map[string]string{"team": "db"}), "no Continue: the first sibling wins")
	assert.Equal(t, []string{"pager", "db-prod"}, recvs(map[string]string{"severity": "critical", "team": "db", "env": "prod"}))

	prod := root.match(map[string]string{"team": "db", "env": "prod"})[0]
	assert.Equal(t, time.Second, prod.groupWait)
	assert.Equal(t, time.Minute, prod.interval, "inherited from the root")
	assert.Equal(t, DefaultRepeatInterval, prod.repeat, "the root's default")
	assert.True(t, prod.groupAll, "inherited from its parent")
	assert.Equal(t, `{}/{team="db"}/{env="prod"}`, prod.key)
	assert.Equal(t, `{}/{team="db"}/2`, root.routes[2].key, "siblings with the same matchers get distinct keys")
	assert.Equal(t, time.Hour, root.routes[0].repeat)

	ls := map[string]string{"alertname": "A", "service": "cart", "pod": "p1"}
	assert.Equal(t, map[string]string{"alertname": "A", "service": "cart"}, root.groupLabels(ls))
	assert.Equal(t, ls, prod.groupLabels(ls))
	assert.Equal(t, `{}:{alertname="A", service="cart"}`, root.groupKey(ls))
	assert.Equal(t, `{}:{service="x"}`, root.groupKey(map[string]string{"service": "x"}))
	assert.Equal(t, `{}/{team="db"}/{env="prod"}:{alertname="A", pod="p1", service="cart"}`, prod.groupKey(ls))
	assert.Equal(t, map[string]string{"service": "x"}, root.groupLabels(map[string]string{"service": "x"}), "absent labels are left out")
}

func TestRouteTreeDefaults(t *testing.T) {
	root, err := newRouteTree(Route{Receiver: "a"}, map[string]Receiver{"a": {}})
	require.NoError(t, err)
	assert.Equal(t, []string{LabelAlertName}, root.groupBy)
	assert.Equal(t, DefaultGroupWait, root.groupWait)
	assert.Equal(t, DefaultGroupInterval, root.interval)
	assert.Equal(t, DefaultRepeatInterval, root.repeat)
	assert.Equal(t, "{}", root.key)
}
