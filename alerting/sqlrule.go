package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/o2kit/o2kit"
)

// sqlDefaultRange is the window a SQL rule reads when its Range is zero.
const sqlDefaultRange = 5 * time.Minute

// sqlValueColumn is the column holding a SQL rule's value.
const sqlValueColumn = "value"

// errSQLNoSearch is a SQL rule compiled by an evaluator that cannot search.
var errSQLNoSearch = errors.New("SQL rules need a client to search with")

// evalSQL is a compiled SQL condition.
type evalSQL struct {
	query      string
	rng        time.Duration
	streamType string
}

func (e *evaluator) compileSQL(c *SQLCondition) (*evalSQL, error) {
	if e.cfg.Search == nil {
		return nil, errSQLNoSearch
	}
	if c.Query == "" {
		return nil, errors.New("empty query")
	}
	s := &evalSQL{query: c.Query, rng: c.Range, streamType: c.StreamType}
	if s.rng <= 0 {
		s.rng = sqlDefaultRange
	}
	if s.streamType == "" {
		s.streamType = "logs"
	}
	return s, nil
}

// run searches the window [ts-Range, ts] and turns every row into a
// result element: the value column its value, every other scalar column a
// label.
func (s *evalSQL) run(ctx context.Context, cfg evalConfig, ts time.Time) ([]evalSample, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.QueryTimeout)
	defer cancel()
	resp, err := cfg.Search(ctx, o2kit.SearchRequest{
		SQL:   s.query,
		Start: ts.Add(-s.rng),
		End:   ts.Add(time.Microsecond), // End is exclusive; ts belongs to the window
		Type:  s.streamType,
	})
	if err != nil {
		return nil, err
	}
	out := make([]evalSample, 0, len(resp.Hits))
	for i, hit := range resp.Hits {
		smp, err := sqlRow(hit)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		out = append(out, smp)
	}
	return out, nil
}

// sqlRow converts one hit.
func sqlRow(hit json.RawMessage) (evalSample, error) {
	dec := json.NewDecoder(bytes.NewReader(hit))
	dec.UseNumber()
	var row map[string]any
	if err := dec.Decode(&row); err != nil {
		return evalSample{}, err
	}
	num, ok := row[sqlValueColumn].(json.Number)
	if !ok {
		return evalSample{}, fmt.Errorf("no numeric %q column", sqlValueColumn)
	}
	v, err := strconv.ParseFloat(num.String(), 64)
	if err != nil {
		return evalSample{}, fmt.Errorf("column %q: %w", sqlValueColumn, err)
	}
	b := labels.NewScratchBuilder(len(row))
	for k, x := range row {
		if k == sqlValueColumn {
			continue
		}
		switch x := x.(type) {
		case string:
			b.Add(k, x)
		case json.Number:
			b.Add(k, x.String())
		case bool:
			b.Add(k, strconv.FormatBool(x))
		}
	}
	b.Sort()
	return evalSample{lset: b.Labels(), value: v}, nil
}
