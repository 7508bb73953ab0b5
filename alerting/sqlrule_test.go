package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2test"
)

func TestSQLRuleOnDevServer(t *testing.T) {
	env := o2test.New(t)
	emit := func(service string, n int) {
		for i := range n {
			require.NoError(t, env.Client.Emit(bg, o2kit.Record{
				Stream: env.Client.Streams().ApplicationLogs, Time: o2test.Epoch.Add(time.Duration(i) * time.Second),
				Attrs: []slog.Attr{slog.String("level", "ERROR"), slog.String("service", service), slog.String("msg", "boom")},
			}))
		}
	}
	emit("api", 12)
	emit("web", 3)
	require.NoError(t, env.Client.Flush(bg))

	var got []o2kit.SearchRequest
	search := func(ctx context.Context, req o2kit.SearchRequest) (*o2kit.SearchResponse, error) {
		got = append(got, req)
		return env.Client.Search(ctx, req)
	}
	e := newTestEvaluator(t, evalConfig{Search: search})
	g := compileTest(t, e, Rule{
		Name: "ErrorBurst", For: time.Minute,
		SQL:         &SQLCondition{Query: `SELECT service, count(*) AS value FROM application_logs WHERE level = 'ERROR' GROUP BY service HAVING count(*) > 10`},
		Annotations: map[string]string{"summary": "{{ $labels.service }}: {{ $value }} errors"},
	})
	at := o2test.Epoch.Add(time.Minute)
	res := g.eval(bg, at)
	require.Empty(t, res.Errors)
	require.Len(t, res.Alerts, 1)
	a := res.Alerts[0]
	assert.Equal(t, StatePending, a.State)
	assert.Equal(t, map[string]string{"service": "api", LabelAlertName: "ErrorBurst", LabelSeverity: "medium"}, a.Labels)
	assert.Equal(t, 12.0, a.Value)
	assert.Equal(t, "api: 12 errors", a.Annotations["summary"])
	require.Len(t, got, 1)
	assert.Equal(t, at.Add(-5*time.Minute), got[0].Start)
	assert.True(t, got[0].End.After(at))
	assert.Equal(t, "logs", got[0].Type)

	res = g.eval(bg, at.Add(time.Minute))
	assert.Equal(t, []string{"api"}, firingServices(res.Alerts))

	res = g.eval(bg, at.Add(10*time.Minute)) // the burst is out of the window
	require.Len(t, res.Changes, 1)
	assert.Equal(t, StateResolved, res.Changes[0].Alert.State)
}

func firingServices(as []Alert) []string {
	var out []string
	for _, a := range as {
		if a.State == StateFiring {
			out = append(out, a.Labels["service"])
		}
	}
	return out
}

func TestSQLRuleRows(t *testing.T) {
	tests := []struct {
		name   string
		hits   []string
		err    string
		labels []map[string]string
	}{
		{"labels from scalar columns", []string{`{"svc":"a","code":500,"ok":false,"nested":{"x":1},"none":null,"value":3.5}`}, "",
			[]map[string]string{{"svc": "a", "code": "500", "ok": "false"}}},
		{"no rows", nil, "", nil},
		{"value missing", []string{`{"svc":"a"}`}, `row 1: no numeric "value" column`, nil},
		{"value not a number", []string{`{"value":"3"}`}, `no numeric "value" column`, nil},
		{"not an object", []string{`[1]`}, "row 1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			search := func(context.Context, o2kit.SearchRequest) (*o2kit.SearchResponse, error) {
				r := &o2kit.SearchResponse{}
				for _, h := range tt.hits {
					r.Hits = append(r.Hits, json.RawMessage(h))
				}
				return r, nil
			}
			e := newTestEvaluator(t, evalConfig{Search: search})
			res := compileTest(t, e, Rule{Name: "S", SQL: &SQLCondition{Query: "q", StreamType: "traces"}}).eval(bg, evalT0)
			if tt.err != "" {
				require.Len(t, res.Errors, 1)
				assert.ErrorContains(t, res.Errors[0], tt.err)
				assert.ErrorContains(t, res.Errors[0], `rule "g/S"`)
				return
			}
			require.Empty(t, res.Errors)
			require.Len(t, res.Alerts, len(tt.labels))
			for i, want := range tt.labels {
				want[LabelAlertName], want[LabelSeverity] = "S", "medium"
				assert.Equal(t, want, res.Alerts[i].Labels)
			}
		})
	}
}

func TestSQLRuleSearchFails(t *testing.T) {
	var req o2kit.SearchRequest
	search := func(_ context.Context, r o2kit.SearchRequest) (*o2kit.SearchResponse, error) {
		req = r
		return nil, fmt.Errorf("search: %w", errors.New("stream not found"))
	}
	e := newTestEvaluator(t, evalConfig{Search: search})
	g := compileTest(t, e, Rule{Name: "S", SQL: &SQLCondition{Query: "q", Range: time.Hour, StreamType: "metrics"}})
	res := g.eval(bg, evalT0)
	require.Len(t, res.Errors, 1)
	assert.ErrorContains(t, res.Errors[0], `rule "g/S": search: stream not found`)
	assert.Equal(t, "metrics", req.Type)
	assert.Equal(t, evalT0.Add(-time.Hour), req.Start)
}

// FuzzSQLRow checks that any row the server could send converts without
// a panic, and that an accepted row's labels never include the value
// column.
func FuzzSQLRow(f *testing.F) {
	for _, s := range []string{`{"svc":"a","value":1}`, `{"value":1e309}`, `{"a":{"b":1},"value":-0}`, `null`, `{"value":"1"}`, `{`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		smp, err := sqlRow(json.RawMessage(raw))
		if err == nil {
			assert.False(t, smp.lset.Has(sqlValueColumn))
		}
	})
}
