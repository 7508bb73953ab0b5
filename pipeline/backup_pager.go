package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/sqlq"
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
		resp, err := p.search(ctx, "SELECT * FROM "+sqlq.Ident(p.table), ws, we, 0, 0, true)
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

// cursor is where the next page starts: just after the record read last.
type cursor struct {
	ts    int64  // the last record's timestamp
	id    string // its id, when hasID
	hasID bool
	n     int // records read at exactly ts
}

func (c *cursor) advance(ts int64, id string, hasID bool) {
	if ts == c.ts {
		c.n++
	} else {
		c.ts, c.n = ts, 1
	}
	c.id, c.hasID = id, hasID
}

// scan reads one window, a page at a time. Pages are in (_timestamp, id)
// order, and each starts after the last record read: past its id
// (keyset paging) when it has one, otherwise by skipping the records read
// at exactly its timestamp. Records without an id sort first among equal
// timestamps, so those are always read before a keyset page passes them.
func (p *pager) scan(ctx context.Context, ws, we int64, add func([]byte, int64) error, progress func()) error {
	at := cursor{ts: ws}
	for {
		resp, err := p.page(ctx, at, we)
		if err != nil {
			if at.ts != ws || at.n != 0 {
				// Records of this window are written: a cut range now
				// cannot be retried without reading them twice.
				return fmt.Errorf("after %d µs: %s", at.ts, err)
			}
			return err
		}
		for _, hit := range resp.Hits {
			ts, id, hasID, err := hitKey(hit, p.idField)
			if err != nil {
				return fmt.Errorf("unreadable hit %s: %w", clipLine(hit), err)
			}
			if ts < at.ts || ts >= we {
				return fmt.Errorf("the server answered a record at %d µs out of order (after %d, window end %d)", ts, at.ts, we)
			}
			at.advance(ts, id, hasID)
			if err := add(hit, ts); err != nil {
				return err
			}
		}
		progress()
		if len(resp.Hits) < p.size {
			return nil
		}
	}
}

// page runs the search for the page after at, falling back to timestamp
// order alone when the stream has no id field.
func (p *pager) page(ctx context.Context, at cursor, we int64) (*o2kit.SearchResponse, error) {
	for {
		sql := "SELECT * FROM " + sqlq.Ident(p.table)
		order := " ORDER BY _timestamp ASC"
		skip := at.n
		if p.idField != "" {
			id := fieldName(p.idField)
			order += ", " + id + " ASC NULLS FIRST"
			if at.hasID {
				sql += " WHERE _timestamp > " + strconv.FormatInt(at.ts, 10) + " OR " + id + " > " + sqlq.String(at.id)
				skip = 0
			}
		}
		resp, err := p.search(ctx, sql+order, at.ts, we, skip, p.size, false)
		var se *o2kit.SearchError
		if p.idField != "" && errors.As(err, &se) && se.Code == 20004 {
			p.idField = ""
			continue
		}
		return resp, err
	}
}

// hitKey reads a hit's timestamp and, when it has one as a string, its id.
func hitKey(hit []byte, idField string) (ts int64, id string, hasID bool, err error) {
	ts = -1
	err = scanObject(hit, func(key, val []byte) error {
		switch {
		case string(key) == timestampKey:
			var ok bool
			if ts, ok = parseInt(val); !ok {
				return fmt.Errorf("_timestamp %s is not an integer of microseconds", clipLine(val))
			}
		case idField != "" && string(key) == idField && val[0] == '"':
			var err error
			id, err = unquote(val[1 : len(val)-1])
			hasID = err == nil
		}
		return nil
	})
	if err == nil && ts < 0 {
		err = errors.New("no _timestamp")
	}
	return ts, id, hasID, err
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
			return sqlq.Ident(name)
		}
	}
	return name
}
