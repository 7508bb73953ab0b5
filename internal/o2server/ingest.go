package o2server

import (
	"bytes"
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/o2kit/o2kit/internal/norm"
)

// recordStatus is the per-stream result of an ingestion request.
type recordStatus struct {
	name       string
	successful int
	failed     int
	err        string
}

// add counts one record: accepted when msg is "", failed otherwise (the last
// failure's message is kept).
func (st *recordStatus) add(msg string) {
	if msg == "" {
		st.successful++
		return
	}
	st.failed++
	st.err = msg
}

func (st *recordStatus) object() orderedObject {
	o := orderedObject{{"name", st.name}, {"successful", st.successful}, {"failed", st.failed}}
	if st.err != "" {
		o = append(o, kv{"error", st.err})
	}
	return o
}

// respondStatus answers an ingestion request with the per-stream statuses.
func (c *call) respondStatus(sts ...*recordStatus) {
	list := make([]orderedObject, len(sts))
	for i, st := range sts {
		list[i] = st.object()
		c.accepted(st.successful)
		c.failed(st.failed)
	}
	o := orderedObject{{"code", 200}}
	if len(list) > 0 {
		o = append(o, kv{"status", list})
	}
	c.json(http.StatusOK, o)
}

// prepare flattens a record and resolves its timestamp (handle_timestamp).
// It returns the record or the failure message.
func (s *Server) prepare(v jvalue, f flattener, now int64, w window) (pending, string) {
	flat, err := f.flatten(v)
	if err != nil {
		return pending{}, err.Error()
	}
	ts, valid := now, false
	if tv, ok := flat.get("_timestamp"); ok && tv.kind != jNull {
		t, ok, err := timestampOf(tv, now)
		if err != nil {
			return pending{}, err.Error()
		}
		ts, valid = t, ok
	}
	if msg := w.check(ts, s); msg != "" {
		return pending{}, msg
	}
	if !valid {
		flat.set("_timestamp", jint(ts))
	}
	return pending{ts: ts, rec: flat}, ""
}

// flattenerFor returns the flattener for a stream: its flatten_level
// setting when above 0, else the server's level.
func (s *Server) flattenerFor(db *database, stream string) flattener {
	f := flattener{level: s.flattenLevel(), sorted: s.cfg.sortedKeys}
	db.mu.Lock()
	defer db.mu.Unlock()
	if st := db.streams[stream]; st != nil && st.settings.FlattenLevel != nil && *st.settings.FlattenLevel > 0 {
		f.level = int(*st.settings.FlattenLevel)
	}
	return f
}

// ingestItems runs records through the log ingestion path into a stream.
func (s *Server) ingestItems(o *org, stream string, items []jvalue) (*recordStatus, error) {
	st := &recordStatus{name: stream}
	db := o.dbs[typeLogs]
	f := s.flattenerFor(db, stream)
	now, w := s.nowMicros(), s.window()
	recs := make([]pending, 0, len(items))
	for _, item := range items {
		p, msg := s.prepare(item, f, now, w)
		if msg != "" {
			st.add(msg)
			continue
		}
		recs = append(recs, p)
	}
	res, err := s.writeBatch(db, typeLogs, stream, recs)
	if err != nil || res.dropped {
		return st, err
	}
	for _, e := range res.errs {
		st.add(e)
	}
	return st, nil
}

// streamParam returns the normalised stream name of the path, answering
// 400 when it is empty.
func (c *call) streamParam() (string, bool) {
	name := norm.StreamName(c.param("stream"))
	if name == "" {
		c.envelope(http.StatusBadRequest, "Error# Stream name is empty")
		return "", false
	}
	return name, true
}

// streamBody reads the body of a request to a stream's ingestion path and
// returns the normalised stream name; false means it has answered already.
func (c *call) streamBody() (string, bool) {
	if !c.readBody() {
		return "", false
	}
	c.processTime()
	return c.streamParam()
}

// handleJSON answers POST /api/{org}/{stream}/_json: a JSON array of
// records or a single record.
func handleJSON(c *call) {
	name, ok := c.streamBody()
	if !ok {
		return
	}
	if c.s.cfg.countOnly {
		c.countAndRespond(name, func(ct *counter, st *recordStatus) string {
			if err := ct.countJSON(c.body, st); err != nil {
				return "SerdeJsonError# " + err.Error()
			}
			return ""
		})
		return
	}
	v, jerr := parseJSON(c.body)
	if jerr != nil {
		c.envelope(http.StatusBadRequest, "SerdeJsonError# "+jerr.Error())
		return
	}
	items := []jvalue{v}
	if v.kind == jArray {
		items = v.arr
	}
	c.ingestAndRespond(name, items)
}

// countAndRespond judges a body in count-only mode with count, which
// returns the whole request's error message or "".
func (c *call) countAndRespond(name string, count func(*counter, *recordStatus) string) {
	st := &recordStatus{name: name}
	if msg := count(c.s.counter(c.org, name), st); msg != "" {
		c.envelope(http.StatusBadRequest, msg)
		return
	}
	c.s.countAccepted(c.org, name, st.successful)
	c.respondStatus(st)
}

// nextLine cuts the first line off an NDJSON body, without its "\n" or
// "\r\n", and returns it with the rest.
func nextLine(body []byte) (line, rest []byte) {
	line = body
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		line, rest = body[:i], body[i+1:]
	}
	return bytes.TrimSuffix(line, []byte{'\r'}), rest
}

func (c *call) ingestAndRespond(name string, items []jvalue) {
	st, err := c.s.ingestItems(c.org, name, items)
	if err != nil {
		c.envelope(http.StatusInternalServerError, "Error# "+err.Error())
		return
	}
	c.respondStatus(st)
}

// handleMulti answers POST /api/{org}/{stream}/_multi: one record per line.
func handleMulti(c *call) {
	name, ok := c.streamBody()
	if !ok {
		return
	}
	if c.s.cfg.countOnly {
		c.countAndRespond(name, func(ct *counter, st *recordStatus) string {
			return ct.countMulti(c.body, st)
		})
		return
	}
	var items []jvalue
	for body := c.body; len(body) > 0; {
		var line []byte
		line, body = nextLine(body)
		if isBlank(line) {
			continue
		}
		v, err := parseJSON(line)
		if err != nil || !utf8.Valid(line) {
			c.envelope(http.StatusBadRequest, multiLineError(line))
			return
		}
		items = append(items, v)
	}
	c.ingestAndRespond(name, items)
}

// isBlank reports whether a line is empty after trimming white space.
func isBlank(line []byte) bool {
	return len(bytes.TrimFunc(line, unicode.IsSpace)) == 0
}

// multiLineError is the whole-request failure for a bad _multi line.
func multiLineError(line []byte) string {
	if !utf8.Valid(line) {
		return `Error# Failed processing: IoError(Error { kind: InvalidData, message: "stream did not contain valid UTF-8" })`
	}
	_, err := parseJSON(line)
	if err == nil {
		err = &jsonError{msg: "invalid JSON", line: 1}
	}
	return "Error# Failed processing: JsonError(" + err.debug() + ")"
}

// counter returns the count-only judge for a logs stream.
func (s *Server) counter(o *org, stream string) *counter {
	return &counter{s: s, now: s.nowMicros(), win: s.window(), f: s.flattenerFor(o.dbs[typeLogs], stream)}
}

// countAccepted notes records accepted by a count-only server.
func (s *Server) countAccepted(o *org, stream string, n int) {
	db := o.dbs[typeLogs]
	db.mu.Lock()
	st := db.ensureStream(stream, typeLogs, s.nowMicros())
	db.mu.Unlock()
	st.accepted.Add(int64(n))
}
