package alerting

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/sqlq"
)

// HistoryQuery selects records of the alerts stream. Empty fields select
// everything; Limit defaults to 100 and is capped at 10,000.
type HistoryQuery struct {
	Event      string // EventStateChange, EventNotification, EventAck...
	RuleID     string
	AlertID    string    // also finds the notifications that carried the alert
	Start, End time.Time // End exclusive; zero End is now, zero Start 24 h before End
	Limit      int
}

// Event is one record of the alerts stream. Fields is the whole record as
// stored, labels flattened to labels_<name>.
type Event struct {
	Time      time.Time
	Event     string
	RuleID    string
	AlertID   string
	AlertName string
	State     string
	Receiver  string
	Outcome   string
	Fields    map[string]any
}

// History returns the alerts stream's records that q selects, newest
// first, by a search on the server. The stream is the client's Alerts
// stream.
func History(ctx context.Context, client *o2kit.Client, q HistoryQuery) ([]Event, error) {
	if client == nil {
		return nil, errors.New("alerting: nil client")
	}
	if q.Limit < 0 {
		return nil, fmt.Errorf("alerting: history limit %d is negative", q.Limit)
	}
	limit := q.Limit
	if limit == 0 {
		limit = 100
	}
	limit = min(limit, 10_000)
	end := q.End
	if end.IsZero() {
		end = time.Now()
	}
	start := q.Start
	if start.IsZero() {
		start = end.Add(-24 * time.Hour)
	}
	res, err := client.Search(ctx, o2kit.SearchRequest{
		SQL: historySQL(client.Streams().Alerts, q), Start: start, End: end, Size: limit,
	})
	if err != nil {
		return nil, err
	}
	var hits []map[string]any
	if err := res.Decode(&hits); err != nil {
		return nil, fmt.Errorf("alerting: reading history: %w", err)
	}
	out := make([]Event, 0, len(hits))
	for _, f := range hits {
		out = append(out, eventOf(f))
	}
	return out, nil
}

func historySQL(stream string, q HistoryQuery) string {
	var where []string
	for _, c := range []struct{ col, v string }{{"event", q.Event}, {"rule_id", q.RuleID}} {
		if c.v != "" {
			where = append(where, c.col+" = "+sqlq.String(c.v))
		}
	}
	if id := q.AlertID; id != "" {
		cond := "alert_id = " + sqlq.String(id)
		if hexID.MatchString(id) { // notification records list their alerts in alert_ids
			cond = "(" + cond + " OR alert_ids LIKE " + sqlq.String("%"+id+"%") + ")"
		}
		where = append(where, cond)
	}
	sql := "SELECT * FROM " + sqlq.Ident(stream)
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	return sql + " ORDER BY _timestamp DESC"
}

// hexID matches the alert IDs the engine makes, which hold no LIKE
// wildcards.
var hexID = regexp.MustCompile(`^[0-9a-f]{1,64}$`)

func eventOf(f map[string]any) Event {
	str := func(k string) string { s, _ := f[k].(string); return s }
	e := Event{
		Event: str("event"), RuleID: str("rule_id"), AlertID: str("alert_id"), AlertName: str("alertname"),
		State: str("state"), Receiver: str("receiver"), Outcome: str("outcome"), Fields: f,
	}
	if us, ok := f["_timestamp"].(float64); ok {
		e.Time = time.UnixMicro(int64(us)).UTC()
	}
	return e
}
