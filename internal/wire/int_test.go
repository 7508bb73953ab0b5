package wire

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// appendInt and appendUint write what strconv writes, after what dst holds.
func TestAppendIntMatchesStrconv(t *testing.T) {
	check := func(n int64) {
		require.Equal(t, strconv.AppendInt([]byte("x"), n, 10), appendInt([]byte("x"), n), "%d", n)
		u := uint64(n)
		require.Equal(t, strconv.AppendUint([]byte("x"), u, 10), appendUint([]byte("x"), u), "%d", u)
		short := make([]byte, 0, 1) // grows
		require.Equal(t, strconv.FormatInt(n, 10), string(appendInt(short, n)), "%d", n)
	}
	for _, n := range []int64{0, 1, -1, 9, 10, 11, 99, 100, 101, 999, 1000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		check(n)
	}
	p := int64(1)
	for range 18 {
		p *= 10
		check(p - 1)
		check(p)
		check(p + 1)
		check(-p)
	}
	check(int64(uint64(math.MaxUint64) / 10)) // 19 digits
	r := rand.New(rand.NewPCG(3, 4))
	for range 200_000 {
		check(int64(r.Uint64()))
		check(int64(r.Uint64() >> r.IntN(64)))
	}
}

func FuzzAppendInt(f *testing.F) {
	f.Add(int64(1_700_000_000_000_000))
	f.Add(int64(-129900))
	f.Fuzz(func(t *testing.T, n int64) {
		if got, want := string(appendInt(nil, n)), strconv.FormatInt(n, 10); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
		if got, want := string(appendUint(nil, uint64(n))), strconv.FormatUint(uint64(n), 10); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
}
