package timeseries

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// samplesOf builds samples at t = 0, step, 2*step, ... ms from values.
func samplesOf(step int64, vs ...float64) []Sample {
	out := make([]Sample, len(vs))
	for i, v := range vs {
		out[i] = Sample{T: int64(i) * step, V: v}
	}
	return out
}

// mustLabels is FromStrings for tests.
func mustLabels(t testing.TB, kv ...string) Labels {
	t.Helper()
	ls, err := FromStrings(kv...)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}
