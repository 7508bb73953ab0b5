package timeseries

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// fuzzSamples decodes 10-byte records (a uint16 time step in ms and a
// float64 value) into time-ordered samples, so the fuzzer explores values
// and spacing, duplicates and gaps included.
func fuzzSamples(data []byte) (s []Sample, allFinite bool) {
	allFinite = true
	var t int64
	for len(data) >= 10 {
		t += int64(binary.LittleEndian.Uint16(data))
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[2:]))
		allFinite = allFinite && finite(v)
		s = append(s, Sample{T: t, V: v})
		data = data[10:]
	}
	return s, allFinite
}

func fuzzRecord(step uint16, v float64) []byte {
	b := binary.LittleEndian.AppendUint16(nil, step)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func FuzzWindowFuncs(f *testing.F) {
	var seed []byte
	for i, v := range []float64{1, 5, 2, 2, 9, -3, 0.5} {
		seed = append(seed, fuzzRecord(uint16(i*100), v)...)
	}
	f.Add(seed, 0.5)
	f.Add(append(fuzzRecord(0, math.MaxFloat64), fuzzRecord(1, -math.MaxFloat64)...), 0.3)
	f.Add(append(fuzzRecord(5, math.NaN()), fuzzRecord(0, math.Inf(1))...), 1.0)
	f.Add([]byte{}, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, q float64) {
		s, allFinite := fuzzSamples(data)
		funcs := map[string]WindowFunc{
			"sum": Sum, "avg": Avg, "min": Min, "max": Max, "count": Count,
			"last": Last, "stddev": StdDev, "increase": Increase, "rate": Rate, "irate": IRate, "resets": Resets, "slope": Slope,
			"quantile": Quantile(math.Mod(math.Abs(q), 1)),
			"forecast": Forecast(time.Minute),
			"holt": func(s []Sample) (float64, bool) {
				return HoltForecast(s, 0.01+0.99*math.Mod(math.Abs(q), 1), 0.3, 10)
			},
			"zscore": AnomalyScore(ZScore{MinSamples: 2}),
			"ewma":   AnomalyScore(EWMA{MinSamples: 2}),
			"mad":    AnomalyScore(MAD{MinSamples: 1}),
		}
		for name, fn := range funcs {
			v, ok := fn(s)
			if ok && allFinite && math.IsNaN(v) {
				t.Fatalf("%s of finite samples %v is NaN", name, s)
			}
		}
		if !allFinite {
			return
		}
		checkOrder(t, s)
		if len(s) > 0 {
			_ = Window(s, s[len(s)-1].T, time.Duration(q*float64(time.Second)))
		}
	})
}

// checkOrder asserts min <= avg, median <= max on finite samples.
func checkOrder(t *testing.T, s []Sample) {
	lo, ok := Min(s)
	if !ok {
		return
	}
	hi, _ := Max(s)
	avg, _ := Avg(s)
	med, _ := Quantile(0.5)(s)
	for _, v := range []float64{avg, med} {
		// Rounding may put a mean of equal values an ulp outside.
		slack := 1e-12 * max(math.Abs(lo), math.Abs(hi))
		if v < lo-slack || v > hi+slack {
			t.Fatalf("%v outside [%v, %v] for %v", v, lo, hi, s)
		}
	}
}

// FuzzStore replays a byte string as appends (series, time step, value)
// to a small store and checks its invariants against a model: every
// series holds the newest accepted samples in time order, at most the
// capacity of them, and the series cap holds.
func FuzzStore(f *testing.F) {
	f.Add([]byte{0, 1, 5, 1, 0, 7, 0, 0, 9, 2, 3, 1, 3, 2, 2})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 0, 1, 5, 1, 1, 9, 2, 2, 2, 3, 1, 3, 4, 4, 0, 1, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const capacity, maxSeries = 4, 3
		evict := len(ops)%3 == 1
		opts := []Option{WithCapacity(capacity), WithMaxSeries(maxSeries)}
		if evict {
			opts = append(opts, WithEvictOldest())
		}
		st, err := New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		model := map[string][]Sample{}
		var clock int64
		for ; len(ops) >= 3; ops = ops[3:] {
			name := fmt.Sprint("m", ops[0]%5)
			clock += int64(ops[1]%4) - 1 // may go back one, to hit ErrOutOfOrder
			x := Sample{T: clock, V: float64(ops[2])}
			err := st.Append(name, nil, x.T, x.V)
			switch {
			case errors.Is(err, ErrSeriesLimit):
				if len(model) < maxSeries || model[name] != nil {
					t.Fatalf("series limit with %d series", len(model))
				}
			case errors.Is(err, ErrOutOfOrder):
				if m := model[name]; len(m) == 0 || m[len(m)-1].T <= x.T {
					t.Fatalf("refused %v after %v", x, m)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if model[name] == nil && len(model) == maxSeries {
					modelEvict(t, st, model, evict)
				}
				model[name] = modelAppend(model[name], x, capacity)
			}
		}
		if st.Len() != len(model) {
			t.Fatalf("%d series, model has %d", st.Len(), len(model))
		}
		for _, s := range st.Select("", math.MinInt64, math.MaxInt64) {
			if !slices.Equal(s.Samples, model[s.Name]) {
				t.Fatalf("%s: store %v, model %v", s.Name, s.Samples, model[s.Name])
			}
		}
	})
}

// modelAppend is the store's append rule on a plain slice.
func modelAppend(m []Sample, x Sample, capacity int) []Sample {
	if n := len(m); n > 0 && m[n-1].T == x.T {
		m[n-1].V = x.V
		return m
	}
	m = append(m, x)
	if len(m) > capacity {
		m = slices.Clone(m[1:])
	}
	return m
}

// modelEvict removes from the model the series the store evicted, checking
// that eviction was on and took exactly one series.
func modelEvict(t *testing.T, st *Store, model map[string][]Sample, evict bool) {
	t.Helper()
	if !evict {
		t.Fatal("a new series past the cap without eviction")
	}
	present := map[string]bool{}
	for _, s := range st.Select("", math.MinInt64, math.MaxInt64) {
		present[s.Name] = true
	}
	gone := 0
	for name := range model {
		if !present[name] {
			delete(model, name)
			gone++
		}
	}
	if gone != 1 {
		t.Fatalf("%d series evicted for one new series", gone)
	}
}
