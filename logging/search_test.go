package logging

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func TestQuerySQL(t *testing.T) {
	sql, err := Query{Text: "card declined", Level: "error", Service: "checkout", UserID: "u-1",
		TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", RequestID: "r'1", Limit: 5}.SQL()
	require.NoError(t, err)
	assert.Equal(t, `SELECT * FROM "application_logs" WHERE level = 'ERROR' AND service = 'checkout' AND user_id = 'u-1'`+
		` AND trace_id = '4bf92f3577b34da6a3ce929d0e0e4736' AND request_id = 'r''1'`+
		` AND str_match_ignore_case(message, 'card declined') ORDER BY _timestamp DESC LIMIT 5`, sql)

	sql, err = Query{Stream: `Shop"; DROP TABLE x; --`}.SQL()
	require.NoError(t, err)
	assert.Equal(t, `SELECT * FROM "shop_drop_table_x_" ORDER BY _timestamp DESC LIMIT 100`, sql)

	sql, err = Query{Level: "Warning"}.SQL()
	require.NoError(t, err)
	assert.Contains(t, sql, "level = 'WARN'", "the level names POST /api/logs takes")

	for q, field := range map[*Query]string{
		{Level: "FATAL"}: "level", {TraceID: "xyz"}: "trace_id", {Limit: -1}: "limit",
		{Limit: MaxLimit + 1}: "limit", {Stream: "***"}: "stream",
		{Service: strings.Repeat("s", 257)}: "service", {RequestID: strings.Repeat("r", 257)}: "request_id",
		{Text: strings.Repeat("t", 32<<10+1)}: "q",
	} {
		_, err := q.SQL()
		var qe *QueryError
		require.ErrorAs(t, err, &qe)
		assert.Equal(t, field, qe.Field)
	}
}

func TestStatsSQL(t *testing.T) {
	sql, err := StatsQuery{Service: "checkout", Interval: "5 minutes"}.SQL()
	require.NoError(t, err)
	assert.Equal(t, `SELECT histogram(_timestamp, '5 minutes') AS bucket, level, count(*) AS n FROM "application_logs"`+
		` WHERE service = 'checkout' GROUP BY bucket, level ORDER BY bucket, level`, sql)
	for _, bad := range []string{"5", "1 week", "0 minutes", "1 minute'); DROP", "10000 seconds"} {
		_, err := StatsQuery{Interval: bad}.SQL()
		assert.Error(t, err, bad)
	}
}

// skeleton replaces each SQL string literal with ? and returns the text
// left and the literals' values, as a SQL lexer reads them.
func skeleton(t testing.TB, sql string) (string, []string) {
	var b strings.Builder
	var lits []string
	for i := 0; i < len(sql); i++ {
		if sql[i] != '\'' {
			b.WriteByte(sql[i])
			continue
		}
		var lit strings.Builder
		for i++; ; i++ {
			if i >= len(sql) {
				t.Fatalf("unterminated literal in %q", sql)
			}
			if sql[i] == '\'' {
				if i+1 < len(sql) && sql[i+1] == '\'' {
					lit.WriteByte('\'')
					i++
					continue
				}
				break
			}
			lit.WriteByte(sql[i])
		}
		b.WriteByte('?')
		lits = append(lits, lit.String())
	}
	return b.String(), lits
}

// FuzzQuerySQL tries to break out of the literals: whatever the values,
// the statement outside its string literals is the one built from
// harmless values, and each literal reads back as the value given.
func FuzzQuerySQL(f *testing.F) {
	for _, s := range []string{"x", "' OR '1'='1", "'; DROP TABLE application_logs; --", `\'`, "''", "\x00'", "é'\n", `"`} {
		f.Add(s, s, s, s)
	}
	f.Fuzz(func(t *testing.T, text, service, user, stream string) {
		q := Query{Text: text, Service: service, UserID: user, RequestID: text + user, Stream: stream, Level: "warn"}
		sql, err := q.SQL()
		if err != nil {
			var qe *QueryError
			require.ErrorAs(t, err, &qe)
			tooLong := len(service) > maxID || len(user) > maxID || len(text+user) > maxID
			assert.True(t, qe.Field == "stream" || tooLong, qe.Error())
			return
		}
		safe := Query{Stream: "s", Level: "warn"}
		for _, p := range []*string{&safe.Text, &safe.Service, &safe.UserID, &safe.RequestID} {
			*p = "v"
		}
		for _, pair := range [][2]*string{{&safe.Text, &text}, {&safe.Service, &service}, {&safe.UserID, &user}, {&safe.RequestID, nil}} {
			if pair[1] != nil && *pair[1] == "" {
				*pair[0] = ""
			}
		}
		if text+user == "" {
			safe.RequestID = ""
		}
		want, err := safe.SQL()
		require.NoError(t, err)
		gotShape, lits := skeleton(t, sql)
		wantShape, _ := skeleton(t, want)
		table, _ := tableName(stream)
		assert.Equal(t, strings.Replace(wantShape, `"s"`, table, 1), gotShape)
		assert.NotContains(t, table[1:len(table)-1], `"`)
		clean := func(s string) string { return strings.ReplaceAll(s, "\x00", "") }
		var expect []string
		expect = append(expect, "WARN")
		for _, v := range []string{service, user, text + user, text} {
			if v != "" {
				expect = append(expect, clean(v))
			}
		}
		assert.Equal(t, expect, lits)
	})
}

// Hostile values are just text to the server: they match nothing and
// break nothing.
func TestSearchOnTheDevServer(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned), WithService("checkout"))
	ctx := spanContext(o2kit.ContextWithUser(context.Background(), "u-1"))
	logger.InfoContext(ctx, "order placed", "order_id", "o-1")
	logger.ErrorContext(ctx, "Card declined for o-1")
	logger.Warn("it's 100% slow_ish")
	New(d.client, WithClock(pinned), WithService("search")).Error("index missing")
	require.NoError(t, d.client.Flush(context.Background()))
	win := func(q Query) Query { q.Start, q.End = epoch.Add(-time.Minute), epoch.Add(time.Minute); return q }

	got, err := Search(context.Background(), d.client, win(Query{Level: "error", Service: "checkout"}))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "Card declined for o-1", got[0].Message)
	assert.Equal(t, "u-1", got[0].UserID)
	assert.Equal(t, epoch, got[0].Time)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", got[0].TraceID)

	got, err = Search(context.Background(), d.client, win(Query{Text: "CARD"}))
	require.NoError(t, err)
	assert.Len(t, got, 1)
	got, err = Search(context.Background(), d.client, win(Query{Text: "it's 100%"}))
	require.NoError(t, err)
	assert.Len(t, got, 1)
	got, err = Search(context.Background(), d.client, win(Query{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Limit: 1}))
	require.NoError(t, err)
	assert.Len(t, got, 1)
	for _, evil := range []string{"' OR '1'='1", "x') OR 1=1 --", "'; DROP TABLE application_logs; --", `\' OR 1=1 --`} {
		got, err := Search(context.Background(), d.client, win(Query{Text: evil, Service: evil, UserID: evil}))
		require.NoError(t, err, evil)
		assert.Empty(t, got, evil)
	}
	all, err := Search(context.Background(), d.client, win(Query{}))
	require.NoError(t, err)
	assert.Len(t, all, 4, "the stream is intact")
}

func TestStatsOnTheDevServer(t *testing.T) {
	d := newDev(t)
	at := epoch
	logger := New(d.client, WithClock(func() time.Time { return at }), WithService("checkout"))
	logger.Info("a")
	logger.Info("b")
	logger.Error("c")
	at = epoch.Add(-5 * time.Minute)
	logger.Error("d")
	New(d.client, WithClock(pinned), WithService("other")).Info("e")
	require.NoError(t, d.client.Flush(context.Background()))
	got, err := Stats(context.Background(), d.client, StatsQuery{Service: "checkout", Interval: "5 minutes",
		Start: epoch.Add(-time.Hour), End: epoch.Add(time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, []Bucket{
		{Time: epoch.Add(-5 * time.Minute), Level: "ERROR", Count: 1},
		{Time: epoch, Level: "ERROR", Count: 1},
		{Time: epoch, Level: "INFO", Count: 2},
	}, got)
}

// FuzzStatsSQL: an interval is either refused or one of the few shapes
// histogram accepts, and the service only ever appears as one literal.
func FuzzStatsSQL(f *testing.F) {
	for _, s := range []string{"5 minutes", "1 minute'); DROP TABLE x; --", "' OR '1'='1", "1 day", "9999 seconds", "\x00"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, interval, service string) {
		sql, err := StatsQuery{Interval: interval, Service: service}.SQL()
		if err != nil {
			var qe *QueryError
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, "interval", qe.Field)
			return
		}
		shape, lits := skeleton(t, sql)
		want := `SELECT histogram(_timestamp, ?) AS bucket, level, count(*) AS n FROM "application_logs"`
		if service != "" {
			want += ` WHERE service = ?`
		}
		assert.Equal(t, want+` GROUP BY bucket, level ORDER BY bucket, level`, shape)
		require.NotEmpty(t, lits)
		assert.Regexp(t, `^[1-9][0-9]{0,3} (second|minute|hour|day)s?$`, lits[0])
		assert.Positive(t, intervalOf(lits[0]))
		if service != "" {
			assert.Equal(t, strings.ReplaceAll(service, "\x00", ""), lits[1])
		}
	})
}
