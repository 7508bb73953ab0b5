package o2server

import (
	"fmt"
	"strings"
)

// colsPerRecordLimit is ZO_COLS_PER_RECORD_LIMIT: a batch whose fields
// exceed it is dropped as a whole, and the server still answers 200.
const colsPerRecordLimit = 1000

// pending is a flattened record with its event time, waiting to be written.
type pending struct {
	ts  int64
	rec jvalue
}

// batchResult is what writing a batch did to each record.
type batchResult struct {
	errs    []string // per record: "" when stored, else the failure
	dropped bool     // the whole batch was discarded by the column limit
}

// writeBatch stores records (a count-only server only counts them) in a stream the way write_logs does: the batch's
// schema is inferred, new columns are added, columns are widened when the
// batch brings a wider type, and values of narrower types are cast to the
// column type, failing the record when the cast fails.
func (s *Server) writeBatch(db *database, typ, name string, recs []pending) (batchResult, error) {
	res := batchResult{errs: make([]string, len(recs))}
	if len(recs) == 0 {
		return res, nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	st := db.ensureStream(name, typ, s.nowMicros())
	if s.cfg.countOnly {
		st.accepted.Add(int64(len(recs)))
		return res, nil
	}
	inferred := inferSchema(typ, recs)
	if len(inferred) > colsPerRecordLimit {
		res.dropped = true
		return res, nil
	}
	casts, err := db.evolve(st, inferred)
	if err != nil {
		return res, err
	}
	rows := make([][]any, 0, len(recs))
	kept := make([]pending, 0, len(recs))
	if typ != typeLogs {
		casts = nil // metrics and traces ignore the schema check's casts
	}
	for i := range recs {
		if msg := castRecord(&recs[i].rec, casts); msg != "" {
			res.errs[i] = msg
			continue
		}
		rows = append(rows, st.row(&recs[i].rec))
		kept = append(kept, recs[i])
	}
	if err := db.insert(st, rows); err != nil {
		return res, err
	}
	for _, p := range kept {
		st.note(p)
	}
	st.accepted.Add(int64(len(kept)))
	return res, nil
}

// inferSchema infers the batch's fields in order of first appearance
// (infer_json_schema_from_map and fix_schema).
func inferSchema(typ string, recs []pending) []field {
	var out []field
	idx := map[string]int{}
	for i := range recs {
		for _, m := range recs[i].rec.obj {
			t := valueType(&m.val)
			if t == "" {
				continue
			}
			if j, ok := idx[m.key]; ok {
				out[j].typ = mergeType(out[j].typ, t)
				continue
			}
			idx[m.key] = len(out)
			out = append(out, field{name: m.key, typ: t})
		}
	}
	for i := range out {
		switch {
		case out[i].name == "_timestamp":
			out[i].typ = tInt64
		case typ == typeTraces && (out[i].name == "start_time" || out[i].name == "end_time"):
			out[i].typ = tUInt64
		case typ == typeMetrics && out[i].name == "__hash__":
			out[i].typ = tUInt64
		}
	}
	return out
}

// evolve merges the inferred fields into the stream schema and returns the
// fields whose values must be cast to a narrower column type. The caller
// holds db.mu.
func (db *database) evolve(st *stream, inferred []field) ([]field, error) {
	var casts []field
	for _, f := range inferred {
		have, ok := st.field(f.name)
		switch {
		case !ok:
			if err := db.addField(st, f); err != nil {
				return nil, err
			}
		case have.typ == f.typ:
		case isWidening(have.typ, f.typ):
			if err := db.retype(st, f.name, f.typ); err != nil {
				return nil, err
			}
		default:
			casts = append(casts, have)
		}
	}
	return casts, nil
}

// castRecord casts the record's values for the given fields and returns the
// accumulated failure message, or "".
func castRecord(rec *jvalue, casts []field) string {
	var msg strings.Builder
	for _, f := range casts {
		v, ok := rec.get(f.name)
		if !ok {
			continue
		}
		nv, ok := castValue(*v, f.typ)
		if !ok {
			msg.WriteString(castFailure(f))
			continue
		}
		*v = nv
	}
	return msg.String()
}

// row lays a record out in table column order.
func (st *stream) row(rec *jvalue) []any {
	row := make([]any, len(st.fields))
	for i := range rec.obj {
		m := &rec.obj[i]
		if j, ok := st.index[m.key]; ok {
			row[j] = columnValue(&m.val, st.fields[j].typ)
		}
	}
	return row
}

// note updates the stream statistics for a stored record.
func (st *stream) note(p pending) {
	if st.docs == 0 || p.ts < st.minTS {
		st.minTS = p.ts
	}
	if st.docs == 0 || p.ts > st.maxTS {
		st.maxTS = p.ts
	}
	st.docs++
	st.size += int64(len(appendJSON(nil, &p.rec, true)))
}

// window is the accepted range of event times for log and trace ingestion.
type window struct {
	min, max int64
}

func (s *Server) window() window {
	now := s.nowMicros()
	return window{min: now - s.cfg.past.Microseconds(), max: now + s.cfg.future.Microseconds()}
}

// check returns the server's message for a time outside the window, or "".
func (w window) check(ts int64, s *Server) string {
	switch {
	case ts < w.min:
		return s.tooOld()
	case ts > w.max:
		return s.tooFar()
	}
	return ""
}

func (s *Server) tooOld() string {
	return fmt.Sprintf("Too old data, only last %d hours data can be ingested. Data discarded. You can adjust ingestion max time by setting the environment variable ZO_INGEST_ALLOWED_UPTO=<max_hours>", int64(s.cfg.past.Hours()))
}

func (s *Server) tooFar() string {
	return fmt.Sprintf("Too far data, only future %d hours data can be ingested. Data discarded. You can adjust ingestion max time by setting the environment variable ZO_INGEST_ALLOWED_IN_FUTURE=<max_hours>", int64(s.cfg.future.Hours()))
}
