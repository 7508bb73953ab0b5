package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

// pager reads a stream's records in (_timestamp, id) order, a page at a
// time. It learns the stream's max_query_range from the server's answers
// and then reads the range in windows no longer than that.
type pager struct {
	c       *o2kit.Client
	table   string
	typ     string
	idField string // "" once the stream turned out not to have it
	size    int
	window  int64 // µs; 0 reads the whole range as one window
}

// errRangeCut is the server shortening a search's time range.
type errRangeCut struct{ hours int64 }

func (e *errRangeCut) Error() string {
	return fmt.Sprintf("the server shortened the time range to %d hours", e.hours)
}

// windows calls fn for consecutive windows covering [start, end), and
// again from the same start with shorter windows when fn reports that the
// server cut the range.
func (p *pager) windows(start, end int64, fn func(ws, we int64) error) error {
	for ws := start; ws < end; {
		we := end
		if p.window > 0 {
			we = min(ws+p.window, end)
		}
		err := fn(ws, we)
		var cut *errRangeCut
		if errors.As(err, &cut) && (p.window == 0 || cut.hours*int64(time.Hour/time.Microsecond) < p.window) && cut.hours > 0 {
			p.window = cut.hours * int64(time.Hour/time.Microsecond)
			continue
		}
		if err != nil {
			return err
		}
		ws = we
	}
	return nil
}

// count returns the number of records in [start, end).
func (p *pager) count(ctx context.Context, start, end int64) (int64, error) {
	var total int64
	err := p.windows(start, end, func(ws, we int64) error {
		resp, err := p.search(ctx, "SELECT * FROM "+quoteName(p.table), ws, we, 0, 0, true)
		if err == nil {
			total += resp.Total
		}
		return err
	})
	return total, err
}

// run reads every record in [start, end) in order, giving each to add,
// and calls progress after each page.
func (p *pager) run(ctx context.Context, start, end int64, add func(hit []byte, ts int64) error, progress func()) error {
	return p.windows(start, end, func(ws, we int64) error {
		return p.scan(ctx, ws, we, add, progress)
	})
}

// scan reads one window. The cursor is the last timestamp read and skip
// the number of records read at exactly that timestamp; each page asks
// for records from the cursor on, skipping those.
func (p *pager) scan(ctx context.Context, ws, we int64, add func([]byte, int64) error, progress func()) error {
	cursor, skip := ws, 0
	for {
		resp, err := p.page(ctx, cursor, we, skip)
		if err != nil {
			if cursor != ws || skip != 0 {
				// Records of this window are written: a cut range now
				// cannot be retried without reading them twice.
				return fmt.Errorf("after %d µs: %s", cursor, err)
			}
			return err
		}
		last, atLast := cursor, 0
		for _, hit := range resp.Hits {
			rec, err := parseRecord(hit, nil, nil)
			if err != nil {
				return fmt.Errorf("unreadable hit %s: %w", clipLine(hit), err)
			}
			if rec.ts < last || rec.ts >= we {
				return fmt.Errorf("the server answered a record at %d µs out of order (after %d, window end %d)", rec.ts, last, we)
			}
			if rec.ts != last {
				last, atLast = rec.ts, 0
			}
			atLast++
			if err := add(hit, rec.ts); err != nil {
				return err
			}
		}
		progress()
		if len(resp.Hits) < p.size {
			return nil
		}
		if last == cursor {
			skip += len(resp.Hits)
		} else {
			cursor, skip = last, atLast
		}
	}
}

// page runs one page's search, falling back to timestamp order alone when
// the stream has no id field.
func (p *pager) page(ctx context.Context, cursor, we int64, skip int) (*o2kit.SearchResponse, error) {
	for {
		sql := "SELECT * FROM " + quoteName(p.table) + " ORDER BY _timestamp ASC"
		if p.idField != "" {
			sql += ", " + fieldName(p.idField) + " ASC"
		}
		resp, err := p.search(ctx, sql, cursor, we, skip, p.size, false)
		var se *o2kit.SearchError
		if p.idField != "" && errors.As(err, &se) && se.Code == 20004 {
			p.idField = ""
			continue
		}
		return resp, err
	}
}

func (p *pager) search(ctx context.Context, sql string, start, end int64, from, size int, count bool) (*o2kit.SearchResponse, error) {
	resp, err := p.c.Search(ctx, o2kit.SearchRequest{
		SQL: sql, Start: fromMicros(start), End: fromMicros(end), From: from, Size: size,
		Type: p.typ, TrackTotalHits: count,
	})
	if err != nil {
		return nil, err
	}
	if h := rangeCut(resp.FunctionError); h != 0 {
		return nil, &errRangeCut{hours: h}
	}
	if resp.IsPartial {
		return nil, errors.New("the server answered with partial results")
	}
	return resp, nil
}

// rangeCut finds the server's note that it shortened the time range to
// the stream's max_query_range, and returns the hours it allows.
func rangeCut(notes []string) int64 {
	const prefix = "Query duration is modified due to query range restriction of "
	for _, n := range notes {
		if rest, ok := strings.CutPrefix(n, prefix); ok {
			h, _ := strconv.ParseInt(strings.TrimSuffix(rest, " hours"), 10, 64)
			return max(h, -1)
		}
	}
	return 0
}

// fieldName writes a field name for SQL, bare when it is a plain
// identifier: a quoted name that matches no column is a string constant
// to SQLite (and so to the dev server), which would hide a missing field.
func fieldName(name string) string {
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return quoteName(name)
		}
	}
	return name
}

// quoteName quotes a stream or field name for SQL.
func quoteName(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
