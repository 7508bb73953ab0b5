package logging

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/sqlq"
)

// StatsQuery selects the records [Stats] counts.
type StatsQuery struct {
	Stream   string    // default the client's Streams().ApplicationLogs
	Service  string    // exact; "" counts every service
	Interval string    // bucket width: "1 minute", "5 minutes", "1 hour", "1 day"...; default "1 minute"
	Start    time.Time // default 15 minutes before End
	End      time.Time // exclusive; default now
}

// Bucket is the number of records of one level in one time bucket.
type Bucket struct {
	Time  time.Time `json:"time"` // start of the bucket, UTC
	Level string    `json:"level"`
	Count int64     `json:"count"`
}

// SQL returns the statement [Stats] runs, with OpenObserve's
// histogram(_timestamp, interval). The interval must be N second(s),
// minute(s), hour(s) or day(s) with 1 <= N <= 9999.
func (q StatsQuery) SQL() (string, error) {
	table, err := tableName(q.Stream)
	if err != nil {
		return "", err
	}
	interval := q.interval()
	if !intervalPattern.MatchString(interval) {
		return "", &QueryError{Field: "interval", Reason: `must be like "5 minutes" (second, minute, hour or day)`}
	}
	var b strings.Builder
	b.WriteString("SELECT histogram(_timestamp, " + sqlq.String(interval) + ") AS bucket, level, count(*) AS n FROM " + table)
	if q.Service != "" {
		b.WriteString(" WHERE service = " + sqlq.String(q.Service))
	}
	b.WriteString(" GROUP BY bucket, level ORDER BY bucket, level")
	return b.String(), nil
}

// MaxBuckets is the most time buckets one [Stats] call may span: the
// time range divided by the interval.
const MaxBuckets = 10000

// Stats counts records by level per time bucket, oldest bucket first;
// buckets without records are left out. A query that cannot be run, or
// whose range holds more than [MaxBuckets] intervals, is a *[QueryError].
func Stats(ctx context.Context, client *o2kit.Client, q StatsQuery) ([]Bucket, error) {
	req, err := q.request(client)
	if err != nil {
		return nil, err
	}
	type row struct {
		Bucket string `json:"bucket"`
		Level  string `json:"level"`
		N      int64  `json:"n"`
	}
	rows, _, err := o2kit.SearchAs[row](ctx, client, req)
	if err != nil {
		return nil, err
	}
	out := make([]Bucket, 0, len(rows))
	for _, r := range rows {
		t, err := parseBucket(r.Bucket)
		if err != nil {
			return nil, err
		}
		out = append(out, Bucket{Time: t, Level: r.Level, Count: r.N})
	}
	return out, nil
}

// interval is the bucket width asked for, "1 minute" by default.
func (q StatsQuery) interval() string {
	if q.Interval == "" {
		return "1 minute"
	}
	return q.Interval
}

// request checks q and returns the search that answers it.
func (q StatsQuery) request(client *o2kit.Client) (o2kit.SearchRequest, error) {
	if err := useClient(client, &q.Stream); err != nil {
		return o2kit.SearchRequest{}, err
	}
	sql, err := q.SQL()
	if err != nil {
		return o2kit.SearchRequest{}, err
	}
	req, err := searchRequest(sql, q.Start, q.End)
	if err != nil {
		return req, err
	}
	if n := req.End.Sub(req.Start) / intervalOf(q.interval()); n > MaxBuckets {
		return req, &QueryError{Field: "interval", Reason: fmt.Sprintf("gives %d buckets over the time range, more than %d", n, MaxBuckets)}
	}
	return req, nil
}

// intervalOf returns the width of an interval SQL has checked.
func intervalOf(interval string) time.Duration {
	m := intervalPattern.FindStringSubmatch(interval)
	if m == nil {
		return time.Minute
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit
}

// parseBucket reads a timestamp column, an ISO time without a zone, as UTC.
func parseBucket(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("logging: stats: unreadable bucket %q", s)
}
