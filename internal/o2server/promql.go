package o2server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// promEngine is the PromQL engine shared by every server. It holds no data:
// each query runs over its org's metrics through a [metricStore].
var promEngine = sync.OnceValues(func() (*promql.Engine, parser.Parser) {
	p := parser.NewParser(parser.Options{})
	return promql.NewEngine(promql.EngineOpts{
		MaxSamples: 50_000_000,
		Timeout:    24 * time.Hour, // each request sets its own deadline
		// The server keeps a sample exactly five minutes old ([t-5m, t]);
		// Prometheus looks back over (t-5m, t], so one more millisecond.
		LookbackDelta:            promLookback*time.Microsecond + time.Millisecond,
		NoStepSubqueryIntervalFn: func(int64) int64 { return time.Minute.Milliseconds() },
		EnableAtModifier:         true,
		EnableNegativeOffset:     true,
		Parser:                   p,
	}), p
})

// Messages of the server's PromQL service for its own checks.
const (
	msgTooManyPoints = "too many points per series must be returned on the given, you can change the limit by ZO_METRICS_MAX_POINTS_PER_SERIES"
	msgTimeout       = "promql->search: search timeout"
	msgCanceled      = "promql->search: search canceled"
	msgResultType    = "invalid result type: "
)

// promRun is one evaluation: an instant when start equals end.
type promRun struct {
	query      string
	start, end int64 // µs
	step       int64 // µs
	timeout    int64 // s; 0 is the server default
	traceID    string
}

// handlePromQuery answers GET|POST /api/{org}/prometheus/api/v1/query
// (query, time, timeout). A bad time is answered without a trace_id, as
// the server does.
func handlePromQuery(c *call) {
	p, ok := c.promParams([]string{"query", "time", "timeout"}, nil, "query")
	if !ok {
		return
	}
	r := promRun{query: p.get("query"), start: c.s.nowMicros(), step: promInstantStep, traceID: c.traceID()}
	if v, ok := p["time"]; ok {
		t, err := c.s.parsePromTime(v)
		if err != nil {
			c.promFail(err.Error(), "")
			return
		}
		r.start = t
	}
	r.end = r.start
	if r.timeout, ok = c.promTimeout(p); ok {
		c.runProm(r)
	}
}

// handlePromQueryRange answers GET|POST .../query_range (query, start, end,
// step, timeout, use_cache, use_streaming). Missing times are now; a missing
// or zero step is picked from the range, and steps under a second are
// raised to one.
func handlePromQueryRange(c *call) {
	p, ok := c.promParams([]string{"query", "start", "end", "step", "timeout", "use_cache", "use_streaming", "search_type", "regions", "clusters"},
		[]string{"use_cache", "use_streaming"}, "query")
	if !ok {
		return
	}
	r := promRun{query: p.get("query"), start: c.s.nowMicros(), end: c.s.nowMicros(), traceID: c.traceID()}
	for _, tp := range []struct {
		name string
		dst  *int64
	}{{"start", &r.start}, {"end", &r.end}} {
		if v, ok := p[tp.name]; ok {
			t, err := c.s.parsePromTime(v)
			if err != nil {
				c.promFail(err.Error(), r.traceID)
				return
			}
			*tp.dst = t
		}
	}
	if v, ok := p["step"]; ok {
		ms, err := parseMillis(v)
		switch {
		case errors.Is(err, errDurationPanic):
			c.drop()
			return
		case err != nil:
			c.promFail(err.Error(), r.traceID)
			return
		}
		r.step = int64(ms * 1000)
	}
	if r.step == 0 {
		r.step = roundStep((r.end - r.start) / promMaxDataPoints)
	}
	r.step = max(r.step, promMinStep)
	if r.timeout, ok = c.promTimeout(p); ok {
		c.runProm(r)
	}
}

// promTimeout reads the timeout parameter; a value the server's parser
// panics on drops the connection.
func (c *call) promTimeout(p promParams) (int64, bool) {
	v, ok := p["timeout"]
	t, err := searchTimeout(v, ok)
	if err != nil {
		c.drop()
		return 0, false
	}
	return t, true
}

// runProm checks the range, evaluates the query and answers. The checks
// come in the server's order: the points limit, then the empty range (no
// querier gets a part of it, so no result type is known), then the query.
func (c *call) runProm(r promRun) {
	r.start, r.end = adjustStartEnd(r.start, r.end, r.step)
	switch {
	case (r.end-r.start)/r.step > promMaxPoints:
		c.promFail(msgTooManyPoints, r.traceID)
		return
	case r.start > r.end:
		c.promFail(msgResultType, r.traceID)
		return
	}
	_, p := promEngine()
	expr, err := p.ParseExpr(r.query)
	switch {
	case err != nil:
		c.promFail("Execution error: "+err.Error(), r.traceID)
		return
	case expr.Type() == parser.ValueTypeString:
		c.promFail(msgResultType+"string", r.traceID)
		return
	}
	timeout := time.Duration(r.timeout) * time.Second
	if timeout <= 0 {
		timeout = promQueryTimeout * time.Second
	}
	ctx, cancel := context.WithTimeout(c.ctx(), timeout)
	defer cancel()
	if err := c.evalProm(ctx, r); err != nil {
		c.promFail(promErrorText(err), r.traceID)
	}
}

// evalProm runs the query on the engine and answers its result; a range
// over a single instant is an instant query, as on the server.
func (c *call) evalProm(ctx context.Context, r promRun) error {
	engine, _ := promEngine()
	store := metricStore{db: c.org.dbs[typeMetrics]}
	var q promql.Query
	var err error
	if r.start == r.end {
		q, err = engine.NewInstantQuery(ctx, store, nil, r.query, time.UnixMicro(r.start))
	} else {
		q, err = engine.NewRangeQuery(ctx, store, nil, r.query, time.UnixMicro(r.start), time.UnixMicro(r.end), time.Duration(r.step)*time.Microsecond)
	}
	if err != nil {
		return err
	}
	defer q.Close() // after the answer is written: Close recycles the result
	res := q.Exec(ctx)
	if res.Err != nil {
		return res.Err
	}
	v := res.Value
	if m, ok := v.(promql.Matrix); ok && r.start == r.end {
		v = firstSamples(m)
	}
	c.raw(http.StatusOK, "application/json", appendPromSuccess(nil, v, r.traceID))
	return nil
}

// promErrorText is the server's text for an evaluation failure.
func promErrorText(err error) string {
	var pe *promError
	var timeout promql.ErrQueryTimeout
	var canceled promql.ErrQueryCanceled
	switch {
	case errors.As(err, &pe):
		return pe.msg
	case errors.As(err, &timeout), errors.Is(err, context.DeadlineExceeded):
		return msgTimeout
	case errors.As(err, &canceled), errors.Is(err, context.Canceled):
		return msgCanceled
	}
	return "Execution error: " + err.Error()
}

// promFail answers 400 with the PromQL error envelope; every failure of
// the query handlers is bad_data. An empty trace id is left out.
func (c *call) promFail(msg, traceID string) {
	c.raw(http.StatusBadRequest, "application/json", appendPromError(nil, "bad_data", msg, traceID))
}
