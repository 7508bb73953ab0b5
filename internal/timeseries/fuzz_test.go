package timeseries

import (
	"encoding/binary"
	"math"
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
			"increase": Increase, "rate": Rate, "slope": Slope,
			"quantile": Quantile(math.Mod(math.Abs(q), 1)),
			"forecast": Forecast(time.Minute),
			"zscore":   AnomalyScore(ZScore{MinSamples: 2}),
			"ewma":     AnomalyScore(EWMA{MinSamples: 2}),
			"mad":      AnomalyScore(MAD{MinSamples: 1}),
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
