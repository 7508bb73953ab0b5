package wire

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

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

// safePrefix agrees with a byte-at-a-time scan for every length up to
// three words, every byte value and position, and two bad bytes.
func TestSafePrefixEveryLength(t *testing.T) {
	naive := func(s string) int {
		for i := range len(s) {
			if !safeByte[s[i]] {
				return i
			}
		}
		return len(s)
	}
	for n := range 25 {
		b := []byte(strings.Repeat("a", n))
		require.Equal(t, n, safePrefix(string(b)))
		for pos := range n {
			for c := range 256 {
				b[pos] = byte(c)
				require.Equal(t, naive(string(b)), safePrefix(string(b)), "len %d, byte %#x at %d", n, c, pos)
				for later := pos + 1; later < n; later += 3 {
					b[later] = '"'
					require.Equal(t, naive(string(b)), safePrefix(string(b)), "len %d, byte %#x at %d, quote at %d", n, c, pos, later)
					b[later] = 'a'
				}
			}
			b[pos] = 'a'
		}
	}
}

// The UTC shortcut writes what time.RFC3339Nano writes, at the edges of
// its range, in leap years and for random instants; other zones and years
// take the standard path.
func TestAppendTimeMatchesFormat(t *testing.T) {
	check := func(tm time.Time) {
		require.Equal(t, tm.Format(time.RFC3339Nano), string(appendTime(nil, tm)), "%d.%09d %v", tm.Unix(), tm.Nanosecond(), tm.Location())
	}
	for _, tm := range []time.Time{
		time.Unix(0, 0).UTC(), time.Unix(maxRFC3339, 999_999_999).UTC(), time.Unix(maxRFC3339+1, 0).UTC(),
		time.Unix(-1, 5).UTC(), time.Date(2000, 2, 29, 23, 59, 59, 100, time.UTC), time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 12, 0, 0, 120_000_000, time.UTC), time.Date(2026, 11, 25, 9, 30, 0, 0, time.FixedZone("x", 3600)),
		time.Date(2026, 11, 25, 9, 30, 0, 1, time.Local), time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		check(tm)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 300_000 {
		check(time.Unix(r.Int64N(maxRFC3339+1), r.Int64N(1e9)).UTC())
		check(time.Unix(r.Int64N(maxRFC3339+1), r.Int64N(1000)*1e6).UTC())
	}
}
