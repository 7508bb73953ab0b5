package o2server

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// appendPromSuccess writes a query answer as the server does:
// {"status":"success","data":{"resultType":...,"result":...},"trace_id":...}.
// Sample times are whole seconds (µs / 1e6, truncated) and values are
// strings in Rust's float form ("1", "0.5", "inf", "NaN").
//
// The server reshapes some results: a vector is sorted by value, largest
// first and NaN last; a matrix by labels; a range vector asked for at an
// instant becomes a vector of each series' first sample.
func appendPromSuccess(dst []byte, v parser.Value, traceID string) []byte {
	dst = append(dst, `{"status":"success","data":{"resultType":"`...)
	switch x := v.(type) {
	case promql.Vector:
		dst = append(dst, `vector","result":`...)
		dst = appendVector(dst, x)
	case promql.Matrix:
		dst = appendMatrix(dst, x)
	case promql.Scalar:
		dst = append(dst, `scalar","result":`...)
		dst = appendPoint(dst, x.T, x.V)
	}
	dst = append(dst, '}')
	return appendTraceID(dst, traceID)
}

// appendPromError writes {"status":"error","errorType":...,"error":...,"trace_id":...}.
func appendPromError(dst []byte, errType, msg, traceID string) []byte {
	dst = append(dst, `{"status":"error","errorType":`...)
	dst = appendJSONString(dst, errType)
	dst = append(dst, `,"error":`...)
	dst = appendJSONString(dst, msg)
	return appendTraceID(dst, traceID)
}

// appendPromData writes {"status":"success","data":...} for the metadata
// endpoints, which carry no trace id.
func appendPromData(dst []byte, data func([]byte) []byte) []byte {
	dst = append(dst, `{"status":"success","data":`...)
	dst = data(dst)
	return append(dst, '}')
}

func appendTraceID(dst []byte, traceID string) []byte {
	if traceID != "" {
		dst = append(dst, `,"trace_id":`...)
		dst = appendJSONString(dst, traceID)
	}
	return append(dst, '}')
}

func appendVector(dst []byte, vec promql.Vector) []byte {
	slices.SortStableFunc(vec, func(a, b promql.Sample) int {
		if c := compareDesc(a.F, b.F); c != 0 {
			return c
		}
		return labels.Compare(a.Metric, b.Metric)
	})
	dst = append(dst, '[')
	for i, s := range vec {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"metric":`...)
		dst = appendLabels(dst, s.Metric)
		dst = append(dst, `,"value":`...)
		dst = appendPoint(dst, s.T, s.F)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// compareDesc orders floats largest first with NaN last (sort_float).
func compareDesc(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(b, a)
}

// appendMatrix writes a matrix, which is also the answer to a range query
// of a scalar expression (one series without labels). At an instant it is
// written as a vector of first samples (the server keeps samples.first()).
func appendMatrix(dst []byte, m promql.Matrix) []byte {
	slices.SortFunc(m, func(a, b promql.Series) int { return labels.Compare(a.Metric, b.Metric) })
	dst = append(dst, `matrix","result":[`...)
	n := 0
	for _, s := range m {
		if len(s.Floats) == 0 {
			continue // series without samples are dropped
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, `{"metric":`...)
		dst = appendLabels(dst, s.Metric)
		dst = append(dst, `,"values":[`...)
		for j, p := range s.Floats {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendPoint(dst, p.T, p.F)
		}
		dst = append(dst, "]}"...)
	}
	return append(dst, ']')
}

// firstSamples turns a range vector evaluated at an instant into the
// vector the server answers: each series' first sample.
func firstSamples(m promql.Matrix) promql.Vector {
	var out promql.Vector
	for _, s := range m {
		if len(s.Floats) > 0 {
			out = append(out, promql.Sample{Metric: s.Metric, T: s.Floats[0].T, F: s.Floats[0].F})
		}
	}
	return out
}

func appendLabels(dst []byte, ls labels.Labels) []byte {
	dst = append(dst, '{')
	first := true
	ls.Range(func(l labels.Label) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, l.Name)
		dst = append(dst, ':')
		dst = appendJSONString(dst, l.Value)
	})
	return append(dst, '}')
}

// appendPoint writes [seconds,"value"] from a time in ms.
func appendPoint(dst []byte, ms int64, v float64) []byte {
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, ms/1000, 10)
	dst = append(dst, ',', '"')
	dst = append(dst, formatRustFloat(v)...)
	return append(dst, '"', ']')
}
