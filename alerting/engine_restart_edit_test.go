package alerting

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// UpdateRule of a rule from WithGroups / a rule file (no explicit ID: the
// default "group/name"), then restart from the state dir.
func TestRestartAfterUpdateRule(t *testing.T) {
	env := o2test.New(t)
	dir := t.TempDir()
	opts := []Option{WithMetrics(&levels{}), WithStateDir(dir),
		WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{{Name: "Hot", Expr: `level > 5`}}})}
	eng, err := NewEngine(env.Client, opts...)
	require.NoError(t, err)
	_, err = eng.UpdateRule(t.Context(), "g/Hot", Rule{Name: "Hot", Expr: `level > 4`})
	require.NoError(t, err)
	require.NoError(t, eng.Shutdown(t.Context()))

	eng2, err := NewEngine(env.Client, opts...)
	require.NoError(t, err, "restart after an API edit")
	require.NoError(t, eng2.Shutdown(t.Context()))
}

func TestRestartAfterDeleteRule(t *testing.T) {
	env := o2test.New(t)
	dir := t.TempDir()
	opts := []Option{WithMetrics(&levels{}), WithStateDir(dir),
		WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{{Name: "Hot", Expr: `level > 5`}, {Name: "Cold", Expr: `level < 1`}}})}
	eng, err := NewEngine(env.Client, opts...)
	require.NoError(t, err)
	require.NoError(t, eng.DeleteRule(t.Context(), "g/Hot"))
	require.Len(t, eng.Rules(), 1)
	require.NoError(t, eng.Shutdown(t.Context()))

	eng2, err := NewEngine(env.Client, opts...)
	require.NoError(t, err)
	defer eng2.Shutdown(t.Context())
	var ids []string
	for _, r := range eng2.Rules() {
		ids = append(ids, r.ID)
	}
	require.Equal(t, []string{"g/Cold"}, ids, "deleted rule came back after restart")
}
