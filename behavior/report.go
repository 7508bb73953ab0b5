package behavior

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
	"github.com/o2kit/o2kit/internal/sqlq"
)

// FunnelReport computes funnel f on the server over the events stored in
// the user-behavior stream from start to end (end excluded), with one SQL
// search. It applies the rule of [Funnel] to each session's stored events:
// anchored at the session's first step-1 event in the range, each next
// step's earliest event not before the previous one and within f.Window of
// the anchor. Each session counts once, and events without a session id
// are left out; [Funnel] lists how this differs from the in-process
// counts.
//
// The query uses only portable SQL (common table expressions, inner and
// left joins, MIN, COUNT), so it runs on OpenObserve's DataFusion engine
// as on the dev server; [FunnelSQL] returns it.
func (t *Tracker) FunnelReport(ctx context.Context, f Funnel, start, end time.Time) (FunnelReport, error) {
	if err := f.validate(); err != nil {
		return FunnelReport{}, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	rows, _, err := o2kit.SearchAs[map[string]int64](ctx, t.client, o2kit.SearchRequest{
		SQL: funnelSQL(norm.StreamName(t.stream), &f), Start: start, End: end, Size: 1,
	})
	if err != nil {
		return FunnelReport{}, fmt.Errorf("behavior: funnel %q report: %w", f.Name, err)
	}
	counts := make([]int64, len(f.Steps))
	if len(rows) == 1 {
		for i := range counts {
			counts[i] = rows[0]["step_"+strconv.Itoa(i+1)]
		}
	}
	return newReport(&f, counts), nil
}

// FunnelSQL returns the SQL [Tracker.FunnelReport] runs for f over the
// stream (a stored, normalised name such as "user_behavior"). f must be
// valid; an invalid one gives an error.
func FunnelSQL(stream string, f Funnel) (string, error) {
	if err := f.validate(); err != nil {
		return "", err
	}
	return funnelSQL(norm.StreamName(stream), &f), nil
}

// funnelSQL builds the query: CTE s<k> holds each session that reached
// step k, with t0 its anchor and t its step-k time; each s<k> is a subset
// of s<k-1>, so the last SELECT counts them all in one row by left joins
// on s1. Names and values are quoted, never spliced in raw.
//
//	WITH s1 AS (SELECT session_id, MIN(_timestamp) AS t0, MIN(_timestamp) AS t
//	            FROM "stream" WHERE event = 'a' AND session_id <> '' GROUP BY session_id),
//	     s2 AS (SELECT e.session_id, MIN(p.t0) AS t0, MIN(e._timestamp) AS t
//	            FROM "stream" e JOIN s1 p ON e.session_id = p.session_id
//	            WHERE e.event = 'b' AND e._timestamp >= p.t AND e._timestamp <= p.t0 + <window µs>
//	            GROUP BY e.session_id)
//	SELECT COUNT(s1.session_id) AS step_1, COUNT(s2.session_id) AS step_2
//	FROM s1 LEFT JOIN s2 ON s2.session_id = s1.session_id
func funnelSQL(stream string, f *Funnel) string {
	table := sqlq.Ident(stream)
	window := strconv.FormatInt(f.Window.Microseconds(), 10)
	var b strings.Builder
	b.WriteString("WITH s1 AS (SELECT session_id, MIN(_timestamp) AS t0, MIN(_timestamp) AS t FROM ")
	b.WriteString(table)
	b.WriteString(" WHERE event = " + sqlq.String(f.Steps[0]) + " AND session_id <> '' GROUP BY session_id)")
	for k := 2; k <= len(f.Steps); k++ {
		fmt.Fprintf(&b, ", s%d AS (SELECT e.session_id, MIN(p.t0) AS t0, MIN(e._timestamp) AS t FROM %s e"+
			" JOIN s%d p ON e.session_id = p.session_id WHERE e.event = %s AND e._timestamp >= p.t"+
			" AND e._timestamp <= p.t0 + %s GROUP BY e.session_id)",
			k, table, k-1, sqlq.String(f.Steps[k-1]), window)
	}
	b.WriteString(" SELECT COUNT(s1.session_id) AS step_1")
	for k := 2; k <= len(f.Steps); k++ {
		fmt.Fprintf(&b, ", COUNT(s%d.session_id) AS step_%d", k, k)
	}
	b.WriteString(" FROM s1")
	for k := 2; k <= len(f.Steps); k++ {
		fmt.Fprintf(&b, " LEFT JOIN s%d ON s%d.session_id = s1.session_id", k, k)
	}
	return b.String()
}
