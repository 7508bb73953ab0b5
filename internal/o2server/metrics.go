package o2server

import (
	"errors"
	"hash/fnv"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/o2kit/o2kit/internal/norm"
)

// Label names with a meaning in metrics records.
const (
	nameLabel  = "__name__"
	typeLabel  = "__type__"
	hashLabel  = "__hash__"
	valueLabel = "value"
)

// hashExcluded are left out of __hash__ (METRICS_HASH_EXCLUDED_LABELS).
var hashExcluded = []string{valueLabel, hashLabel, "exemplars", "is_monotonic", "trace_id", "span_id", "_timestamp", "_all"}

var metricTypes = []string{"counter", "gauge", "histogram", "summary"}

// metricStream gathers one metric's samples in a request.
type metricStream struct {
	name string
	recs []pending
}

// handleMetricsJSON answers POST /api/{org}/ingest/metrics/_json: a JSON
// array of flat samples. Any bad sample fails the whole request with 400
// and a message without the "Error# " prefix.
func handleMetricsJSON(c *call) {
	if !c.readBody() {
		return
	}
	c.processTime()
	streams, err := c.s.metricSamples(c.body)
	if err != nil {
		c.envelope(http.StatusBadRequest, err.Error())
		return
	}
	var sts []*recordStatus
	for _, ms := range streams {
		res, err := c.s.writeBatch(c.org.dbs[typeMetrics], typeMetrics, ms.name, ms.recs)
		if err != nil {
			c.envelope(http.StatusInternalServerError, err.Error())
			return
		}
		st := &recordStatus{name: ms.name}
		if !res.dropped {
			st.successful = len(ms.recs)
		}
		sts = append(sts, st)
	}
	c.respondStatus(sts...)
}

// metricSamples validates and shapes every sample (src/core/src/metrics/json.rs).
func (s *Server) metricSamples(body []byte) ([]*metricStream, error) {
	v, jerr := parseJSON(body)
	if jerr != nil {
		return nil, jerr
	}
	if v.kind != jArray {
		return nil, notSequence(body, &v)
	}
	now := s.nowMicros()
	var streams []*metricStream
	byName := map[string]*metricStream{}
	f := flattener{sorted: s.cfg.sortedKeys}
	for _, item := range v.arr {
		rec, err := f.flatten(item)
		if err != nil {
			return nil, err
		}
		name, ok := rec.get(nameLabel)
		if !ok {
			return nil, errors.New("missing __name__")
		}
		if name.kind != jString {
			return nil, errors.New("invalid __name__, need to be string")
		}
		stream := norm.StreamName(name.s)
		*name = jstr(stream)
		if t, ok := rec.get(typeLabel); ok && t.kind == jString && !slices.Contains(metricTypes, strings.ToLower(t.s)) {
			return nil, errors.New("invalid metrics type, need to be one of: counter, gauge, histogram, summary")
		}
		ts := now
		if tv, ok := rec.get("_timestamp"); ok {
			if tv.kind != jNumber {
				return nil, errors.New("invalid _timestamp, need to be number")
			}
			f, _ := tv.float()
			ts = micros(saturate(f), now)
		}
		rec.set("_timestamp", jint(ts))
		ms := byName[stream]
		if ms == nil {
			ms = &metricStream{name: stream}
			byName[stream] = ms
			streams = append(streams, ms)
		}
		ms.recs = append(ms.recs, pending{ts: ts, rec: rec})
	}
	for _, ms := range streams {
		for i := range ms.recs {
			if err := shapeSample(&ms.recs[i].rec); err != nil {
				return nil, err
			}
		}
	}
	return streams, nil
}

// shapeSample checks the value, drops __type__, adds __hash__ and turns
// every label into a string.
func shapeSample(rec *jvalue) error {
	v, ok := rec.get(valueLabel)
	if !ok {
		return errors.New("missing value")
	}
	if v.kind != jNumber {
		return errors.New("invalid value, need to be number")
	}
	f, _ := v.float()
	switch {
	case math.IsNaN(f):
		return errors.New("invalid value, not a number")
	case math.IsInf(f, 1):
		f = math.MaxFloat64
	case math.IsInf(f, -1):
		f = -math.MaxFloat64
	}
	*v = jvalue{kind: jNumber, s: formatRyu(f)}
	rec.obj = slices.DeleteFunc(rec.obj, func(m jmember) bool { return m.key == typeLabel })
	rec.set(hashLabel, juint(labelHash(rec)))
	for i := range rec.obj {
		m := &rec.obj[i]
		switch m.key {
		case nameLabel, valueLabel, "_timestamp", hashLabel:
			continue
		}
		if m.val.kind != jString {
			m.val = jstr(string(appendJSON(nil, &m.val, true)))
		}
	}
	return nil
}

// labelHash identifies a series by its sorted labels. The server uses
// gxhash; this server uses FNV-1a over the same "k:v|k:v" text, so values
// differ from the real server's but are stable.
func labelHash(rec *jvalue) uint64 {
	var pairs []string
	for _, m := range rec.obj {
		if slices.Contains(hashExcluded, m.key) {
			continue
		}
		val := ""
		if m.val.kind == jString {
			val = m.val.s
		}
		pairs = append(pairs, m.key+":"+val)
	}
	slices.Sort(pairs)
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.Join(pairs, "|")))
	return h.Sum64()
}

// notSequence is serde_json's error for a non-array where a list is
// expected.
func notSequence(body []byte, v *jvalue) error {
	what := "map"
	switch v.kind {
	case jString:
		what = "string " + rustQuote(v.s)
	case jNumber:
		what = "floating point `" + v.s + "`"
		if _, ok := v.isInt(); ok {
			what = "integer `" + v.s + "`"
		}
	case jBool:
		what = "boolean `false`"
		if v.b {
			what = "boolean `true`"
		}
	case jNull:
		what = "null"
	}
	i := 0
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
		i++
	}
	err := positionError(body, i, "invalid type: "+what+", expected a sequence")
	return err
}
