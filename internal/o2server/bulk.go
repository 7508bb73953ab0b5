package o2server

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/o2kit/o2kit/internal/norm"
)

// Bulk failure kinds (src/core/src/logs/bulk.rs).
const (
	tsParseFailed           = "timestamp_parsing_failed"
	schemaConformanceFailed = "schema_conformance_failed"
)

// bulkDoc is a document of a _bulk request waiting for its stream.
type bulkDoc struct {
	rec   jvalue
	docID string
}

// bulkStream gathers the documents of one stream in a _bulk request.
type bulkStream struct {
	name string
	docs []bulkDoc
}

// bulkRequest is the state of a _bulk request being read.
type bulkRequest struct {
	items   []orderedObject
	errors  bool
	streams []*bulkStream
	byName  map[string]*bulkStream
}

// handleBulk answers POST /api/{org}/_bulk, the Elasticsearch bulk API.
func handleBulk(c *call) {
	if !c.readBody() {
		return
	}
	c.processTime()
	br := &bulkRequest{byName: map[string]*bulkStream{}}
	now, w := c.s.nowMicros(), c.s.window()
	var action, index, docID string
	nextIsData := false
	for body := c.body; len(body) > 0; {
		var line []byte
		line, body = nextLine(body)
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			continue
		}
		text := strings.ToValidUTF8(string(line), "\uFFFD")
		v, err := parseJSON([]byte(text))
		if err != nil {
			c.envelope(http.StatusBadRequest, "SerdeJsonError# "+err.Error())
			return
		}
		if !nextIsData {
			var ok bool
			action, index, docID, ok = bulkAction(&v)
			if !ok {
				continue
			}
			if index == "" || index == "_" || index == "/" {
				br.invalidIndex(action, index, docID, text, v)
				continue
			}
			index = norm.StreamName(index)
			nextIsData = true
			continue
		}
		nextIsData = false
		if v.kind != jObject {
			c.drop() // the server panics on a document that is not an object
			return
		}
		br.document(c.s, action, index, docID, v, now, w)
	}
	if !br.ingest(c) {
		return
	}
	c.json(http.StatusOK, orderedObject{{"took", 0}, {"errors", br.errors}, {"items", nonNil(br.items)}})
}

// bulkAction reads an action line: create, index or update with an _index.
func bulkAction(v *jvalue) (action, index, docID string, ok bool) {
	if v.kind != jObject {
		return "", "", "", false
	}
	for _, op := range []string{"create", "index", "update"} {
		a, found := v.get(op)
		if !found || a.kind != jObject {
			continue
		}
		idx, found := a.get("_index")
		if !found || idx.kind != jString {
			continue
		}
		if id, found := a.get("_id"); found && id.kind == jString {
			docID = id.s
		}
		return op, idx.s, docID, true
	}
	return "", "", "", false
}

func (br *bulkRequest) invalidIndex(action, index, docID, line string, v jvalue) {
	msg := "Invalid stream name: " + line
	br.errors = true
	br.items = append(br.items, orderedObject{{action, failedItem(index, docID, msg, msg, rawJSON{&v})}})
}

// document checks a document's timestamp as the bulk reader does (before
// flattening, from _timestamp only) and queues it for its stream.
func (br *bulkRequest) document(s *Server, action, index, docID string, v jvalue, now int64, w window) {
	if docID != "" {
		v.set("_id", jstr(docID))
	}
	ts, valid := now, false
	if tv, ok := v.get("_timestamp"); ok {
		t, ok, err := timestampOf(tv, now)
		if err != nil || tv.kind == jNull {
			br.errors = true
			br.items = append(br.items, orderedObject{{action, failedItem(index, docID, tsParseFailed, tsParseFailed, rawJSON{})}})
			return
		}
		ts, valid = t, ok
	}
	if msg := w.check(ts, s); msg != "" {
		br.errors = true
		br.items = append(br.items, orderedObject{{action, failedItem(index, docID, tsParseFailed, msg, rawJSON{})}})
		return
	}
	if !valid {
		v.set("_timestamp", jint(ts))
	}
	bs := br.byName[index]
	if bs == nil {
		bs = &bulkStream{name: index}
		br.byName[index] = bs
		br.streams = append(br.streams, bs)
	}
	bs.docs = append(bs.docs, bulkDoc{rec: v, docID: docID})
}

// ingest writes each stream's documents and adds their items. It reports
// false when it has answered with an error.
func (br *bulkRequest) ingest(c *call) bool {
	s := c.s
	for _, bs := range br.streams {
		db := c.org.dbs[typeLogs]
		f := s.flattenerFor(db, bs.name)
		now, w := s.nowMicros(), s.window()
		var recs []pending
		var ids []string
		for _, d := range bs.docs {
			p, msg := s.prepare(d.rec, f, now, w)
			if msg != "" {
				c.failed(1)
				continue
			}
			recs = append(recs, p)
			ids = append(ids, d.docID)
		}
		res, err := s.writeBatch(db, typeLogs, bs.name, recs)
		if err != nil {
			c.envelope(http.StatusInternalServerError, "Error# "+err.Error())
			return false
		}
		if res.dropped {
			continue
		}
		for i, e := range res.errs {
			if e == "" {
				c.accepted(1)
				br.items = append(br.items, orderedObject{{"index", successItem(bs.name, ids[i])}})
				continue
			}
			c.failed(1)
			br.errors = true
			br.items = append(br.items, orderedObject{{"index", failedItem(bs.name, ids[i], schemaConformanceFailed, e, rawJSON{&recs[i].rec})}})
		}
	}
	return true
}

func successItem(index, docID string) orderedObject {
	return orderedObject{
		{"_index", index}, {"_id", docID}, {"_version", 1}, {"result", "created"},
		{"_shards", orderedObject{{"total", 1}, {"successful", 1}, {"failed", 0}}},
		{"_seq_no", 1}, {"_primary_term", 1}, {"status", 200},
	}
}

func failedItem(index, docID, kind, reason string, original rawJSON) orderedObject {
	return orderedObject{
		{"_index", index}, {"_id", docID}, {"status", 422},
		{"error", orderedObject{
			{"type", kind}, {"reason", reason}, {"index_uuid", "0"}, {"shard", "1"}, {"index", index},
		}},
		{"originalRecord", original},
	}
}

// rawJSON is a jvalue that marshals itself; nil marshals as null, which is
// what the server sends for documents it has already taken apart.
type rawJSON struct{ v *jvalue }

// MarshalJSON writes the value in insertion order.
func (r rawJSON) MarshalJSON() ([]byte, error) {
	if r.v == nil {
		return []byte("null"), nil
	}
	return appendJSON(nil, r.v, false), nil
}
