package wire

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// slowFloat is AppendFloat without the n/1000 shortcut: strconv alone.
func slowFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// The shortcut for values that are a whole number of thousandths writes
// exactly what strconv writes.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(f float64) {
		require.Equal(t, slowFloat(f), string(AppendFloat(nil, f)), "%v (%b)", f, math.Float64bits(f))
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 2, 0.001, -0.001, 0.1, 0.3, 0.1 + 0.2, 12.75, 999.999,
		1e12 - 0.001, 1e12, 999_999_999_999.999, 1e15, 1e-7, 5e-324, math.MaxFloat64, math.NaN(), math.Inf(1)} {
		check(f)
	}
	for range 200_000 {
		n := r.Int64N(2e15) - 1e15
		f := float64(n) / 1000
		check(f)
		check(math.Nextafter(f, math.Inf(1)))
		check(float64(n) / float64(r.IntN(100_000)+1))
		check(math.Float64frombits(r.Uint64()))
	}
}

func FuzzAppendFloat(f *testing.F) {
	f.Add(12.75)
	f.Add(-0.001)
	f.Fuzz(func(t *testing.T, x float64) {
		if got, want := string(AppendFloat(nil, x)), slowFloat(x); got != want {
			t.Fatalf("%v: got %s, want %s", x, got, want)
		}
	})
}

// The eight-byte scan finds every byte that needs escaping wherever it
// sits in the word.
func TestAppendStringEveryPosition(t *testing.T) {
	for c := range 256 {
		for pos := range 17 {
			b := []byte(strings.Repeat("a", 17))
			b[pos] = byte(c)
			s := string(b)
			want := "\"" + s + "\""
			if c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
				require.Equal(t, pos, safePrefix(s), "byte %#x at %d", c, pos)
				continue
			}
			require.Equal(t, want, string(AppendString(nil, s)))
		}
	}
}
