package behavior

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// journeys are known events: session → step → offset from start.
func recordJourneys(t *testing.T, tr *Tracker) {
	t.Helper()
	type ev struct {
		session, name string
		at            time.Duration
	}
	for _, e := range []ev{
		{"a", EventProductView, 0}, {"a", EventCartAdd, time.Minute}, {"a", EventPurchase, 2 * time.Minute},
		{"b", EventProductView, 0}, {"b", EventCartAdd, time.Minute},
		{"c", EventProductView, 0},
		{"d", EventPurchase, time.Minute}, {"d", EventCartAdd, 2 * time.Minute}, {"d", EventProductView, 30 * time.Second},
		{"e", EventProductView, 0}, {"e", EventPurchase, time.Minute}, {"e", EventCartAdd, 2 * time.Minute},
		{"f", EventProductView, 0}, {"f", EventCartAdd, 50 * time.Minute}, {"f", EventPurchase, 70 * time.Minute},
		{"g", EventCartAdd, 0}, {"g", EventProductView, time.Minute},
		{"a", EventProductView, 5 * time.Minute}, {"a", EventPurchase, 6 * time.Minute}, // repeats
		{"it's", EventProductView, 0}, {"it's", EventCartAdd, time.Minute}, // a quote in the key
	} {
		step(t, tr, e.session, e.name, e.at)
	}
	step(t, tr, "old", EventProductView, -2*time.Hour) // before the report's range
}

func TestFunnelReportOnServer(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	recordJourneys(t, e.tracker)
	require.NotEmpty(t, e.records(t))
	ctx := context.Background()
	r, err := e.tracker.FunnelReport(ctx, checkout, start.Add(-time.Hour), start.Add(2*time.Hour))
	require.NoError(t, err)
	// a: 3 steps; b: 2; c: 1; d: 2 (purchase came before the cart);
	// e: 2; f: 2 (purchase past the hour); g: 1; it's: 2.
	assert.Equal(t, []int64{8, 6, 1}, sessions(r))
	assert.Equal(t, "checkout", r.Name)
	assert.InDelta(t, 0.125, r.Conversion(), 1e-9)
	assert.InDelta(t, 0.75, r.Steps[1].Conversion, 1e-9)

	local, _ := e.tracker.Funnel("checkout")
	assert.Equal(t, []int64{9, 6, 1}, sessions(local), "in-process also saw the old session")

	narrow, err := e.tracker.FunnelReport(ctx, Funnel{Name: "cart", Steps: []string{EventCartAdd, EventPurchase}, Window: 90 * time.Second},
		start, start.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []int64{7, 1}, sessions(narrow), "only a buys within 90s of its cart")
}

func TestFunnelReportErrors(t *testing.T) {
	e := newEnv(t)
	_, err := e.tracker.FunnelReport(context.Background(), Funnel{Name: "f"}, start, start.Add(time.Hour))
	assert.ErrorContains(t, err, `funnel "f" has 0 steps`)
	_, err = e.tracker.FunnelReport(context.Background(), checkout, start, start.Add(time.Hour))
	assert.ErrorContains(t, err, `behavior: funnel "checkout" report:`, "no stream yet")
}

func TestFunnelSQL(t *testing.T) {
	sql, err := FunnelSQL("user-behavior", Funnel{Name: "f", Steps: []string{"a", "b'; DROP"}, Window: time.Minute})
	require.NoError(t, err)
	assert.Equal(t, `WITH s1 AS (SELECT session_id, MIN(_timestamp) AS t0, MIN(_timestamp) AS t FROM "user_behavior"`+
		` WHERE event = 'a' AND session_id <> '' GROUP BY session_id),`+
		` s2 AS (SELECT e.session_id, MIN(p.t0) AS t0, MIN(e._timestamp) AS t FROM "user_behavior" e`+
		` JOIN s1 p ON e.session_id = p.session_id WHERE e.event = 'b''; DROP' AND e._timestamp >= p.t`+
		` AND e._timestamp <= p.t0 + 60000000 GROUP BY e.session_id)`+
		` SELECT COUNT(s1.session_id) AS step_1, COUNT(s2.session_id) AS step_2`+
		` FROM s1 LEFT JOIN s2 ON s2.session_id = s1.session_id`, sql)
	_, err = FunnelSQL("s", Funnel{Name: "f"})
	assert.Error(t, err)
}

func TestFunnelReportQuotedSteps(t *testing.T) {
	e := newEnv(t)
	f := Funnel{Name: "odd", Steps: []string{`it's "in"`, `back\slash'); --`}}
	step(t, e.tracker, "a", f.Steps[0], 0)
	step(t, e.tracker, "a", f.Steps[1], time.Second)
	step(t, e.tracker, "b", f.Steps[0], 0)
	e.records(t)
	r, err := e.tracker.FunnelReport(context.Background(), f, start.Add(-time.Minute), start.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []int64{2, 1}, sessions(r))
}

// FuzzFunnelSQL checks that step names only ever appear inside string
// literals: with the literals taken out, the query is the template.
func FuzzFunnelSQL(f *testing.F) {
	f.Add("a", "b")
	f.Add("it's", "x'' OR 1=1 --")
	f.Add(`"`, `\'`)
	f.Fuzz(func(t *testing.T, a, b string) {
		fn := Funnel{Name: "f", Steps: []string{a, b}}
		sql, err := FunnelSQL("user_behavior", fn)
		if err != nil {
			return // an invalid step name
		}
		want, err := FunnelSQL("user_behavior", Funnel{Name: "f", Steps: []string{"x", "y"}})
		require.NoError(t, err)
		assert.Equal(t, stripLiterals(want), stripLiterals(sql))
	})
}

// stripLiterals replaces each string literal (a doubled quote inside it
// stays part of it) with a question mark.
func stripLiterals(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		if sql[i] != '\'' {
			b.WriteByte(sql[i])
			continue
		}
		for i++; i < len(sql); i++ {
			if sql[i] == '\'' {
				if i+1 < len(sql) && sql[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		b.WriteByte('?')
	}
	return b.String()
}
