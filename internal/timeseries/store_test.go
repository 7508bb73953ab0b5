package timeseries

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func newStore(t *testing.T, opts ...Option) *Store {
	t.Helper()
	st, err := New(opts...)
	require.NoError(t, err)
	return st
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	for _, o := range []Option{WithCapacity(0), WithMaxSeries(-1)} {
		_, err := New(o)
		assert.Error(t, err)
	}
	st, err := New(nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultCapacity, st.cfg.capacity)
	assert.Equal(t, DefaultMaxSeries, st.cfg.maxSeries)
}

func TestAppendSelect(t *testing.T) {
	st := newStore(t)
	get := mustLabels(t, "method", "GET")
	post := mustLabels(t, "method", "POST")
	for i := range int64(10) {
		require.NoError(t, st.Append("http_requests", get, i*1000, float64(i)))
		require.NoError(t, st.Append("http_requests", post, i*1000, float64(10*i)))
	}
	require.NoError(t, st.Append("other", nil, 0, 1))
	assert.Equal(t, 3, st.Len())

	got := st.Select("http_requests", 2000, 4000)
	require.Len(t, got, 2)
	assert.Equal(t, get, got[0].Labels)
	assert.Equal(t, []Sample{{2000, 2}, {3000, 3}, {4000, 4}}, got[0].Samples)
	assert.Equal(t, []Sample{{2000, 20}, {3000, 30}, {4000, 40}}, got[1].Samples)

	got = st.Select("http_requests", 0, 9000, Equal("method", "POST"))
	require.Len(t, got, 1)
	assert.Len(t, got[0].Samples, 10)

	all := st.Select("", 0, 0)
	require.Len(t, all, 3)
	assert.Equal(t, "other", all[2].Name)
	assert.Empty(t, st.Select("missing", 0, 1e9))
	assert.Empty(t, st.Select("http_requests", 20000, 30000), "no samples in range")
}

func TestAppendUnsortedLabelsSameSeries(t *testing.T) {
	st := newStore(t)
	require.NoError(t, st.Append("m", Labels{{"b", "2"}, {"a", "1"}}, 1, 1))
	require.NoError(t, st.Append("m", Labels{{"a", "1"}, {"b", "2"}}, 2, 2))
	assert.Equal(t, 1, st.Len())
	got := st.Select("m", 0, 10)
	assert.Equal(t, Labels{{"a", "1"}, {"b", "2"}}, got[0].Labels)

	in := Labels{{"b", "2"}, {"a", "1"}}
	require.NoError(t, st.Append("m", in, 3, 3))
	assert.Equal(t, Labels{{"b", "2"}, {"a", "1"}}, in, "the caller's slice is not sorted in place")
	assert.Equal(t, 1, st.Len())

	// More labels than Append sorts on its stack.
	var many Labels
	for i := 20; i > 0; i-- {
		many = append(many, Label{fmt.Sprintf("l%02d", i), "v"})
	}
	require.NoError(t, st.Append("m", many, 1, 1))
	got = st.Select("m", 0, 10, Equal("l01", "v"))
	require.Len(t, got, 1)
	assert.True(t, got[0].Labels.sorted())
	assert.Len(t, got[0].Labels, 20)

	err := st.Append("m", Labels{{"b", "2"}, {"b", "3"}}, 3, 3)
	assert.ErrorIs(t, err, ErrInvalidLabels)
	assert.ErrorIs(t, st.Append("", nil, 1, 1), ErrInvalidLabels)
}

func TestAppendOrder(t *testing.T) {
	st := newStore(t)
	require.NoError(t, st.Append("m", nil, 10, 1))
	assert.ErrorIs(t, st.Append("m", nil, 9, 2), ErrOutOfOrder)
	require.NoError(t, st.Append("m", nil, 10, 3), "same timestamp replaces")
	got := st.Select("m", 0, 100)
	assert.Equal(t, []Sample{{10, 3}}, got[0].Samples)
}

func TestRingWraps(t *testing.T) {
	st := newStore(t, WithCapacity(5))
	for i := range int64(13) {
		require.NoError(t, st.Append("m", nil, i, float64(i)))
	}
	got := st.Select("m", 0, 100)
	require.Len(t, got, 1)
	assert.Equal(t, []Sample{{8, 8}, {9, 9}, {10, 10}, {11, 11}, {12, 12}}, got[0].Samples)
	assert.Equal(t, []Sample{{10, 10}, {11, 11}}, st.Select("m", 10, 11)[0].Samples)

	// Replacing the newest sample works across the wrap point as well.
	require.NoError(t, st.Append("m", nil, 12, -1))
	assert.Equal(t, []Sample{{12, -1}}, st.Select("m", 12, 12)[0].Samples)

	// The buffer never grows past the capacity.
	st.mu.RLock()
	s := st.lookup("m", nil, hashSeries("m", nil))
	st.mu.RUnlock()
	assert.LessOrEqual(t, cap(s.buf), 5)
}

func TestSeriesLimit(t *testing.T) {
	st := newStore(t, WithMaxSeries(2))
	require.NoError(t, st.Append("a", nil, 1, 1))
	require.NoError(t, st.Append("b", nil, 1, 1))
	assert.ErrorIs(t, st.Append("c", nil, 1, 1), ErrSeriesLimit)
	require.NoError(t, st.Append("a", nil, 2, 2), "existing series keep working")
	assert.Equal(t, 2, st.Len())
}

func TestSeriesLimitEvictsOldest(t *testing.T) {
	st := newStore(t, WithMaxSeries(2), WithEvictOldest())
	require.NoError(t, st.Append("a", nil, 5, 1))
	require.NoError(t, st.Append("b", nil, 1, 1))
	require.NoError(t, st.Append("c", nil, 9, 1))
	assert.Equal(t, 2, st.Len())
	names := []string{}
	for _, s := range st.Select("", 0, 100) {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"a", "c"}, names)
}

// TestEvictionCandidates follows the candidate list: a candidate that
// received a sample since the scan is passed over, and the list is
// rescanned once used up.
func TestEvictionCandidates(t *testing.T) {
	st := newStore(t, WithMaxSeries(3), WithEvictOldest())
	names := func() []string {
		var out []string
		for _, s := range st.Select("", 0, 1000) {
			out = append(out, s.Name)
		}
		return out
	}
	require.NoError(t, st.Append("a", nil, 1, 1))
	require.NoError(t, st.Append("b", nil, 2, 1))
	require.NoError(t, st.Append("c", nil, 3, 1))
	require.NoError(t, st.Append("d", nil, 4, 1)) // scan: a, b, c; evicts a
	assert.Equal(t, []string{"b", "c", "d"}, names())
	require.NoError(t, st.Append("b", nil, 10, 1))
	require.NoError(t, st.Append("e", nil, 5, 1)) // b is fresh now: evicts c
	assert.Equal(t, []string{"b", "d", "e"}, names())
	require.NoError(t, st.Append("f", nil, 6, 1)) // list used up: rescan, evicts d
	assert.Equal(t, []string{"b", "e", "f"}, names())

	// DropIdle forgets the candidates, so removed series are not kept alive.
	require.NoError(t, st.Append("g", nil, 7, 1))
	assert.NotEmpty(t, st.victims)
	st.DropIdle(0)
	assert.Empty(t, st.victims)
}

// TestCollectVictims checks the bounded heap against a full sort: from
// 1,000 series in shuffled order it keeps the oldest evictBatch.
func TestCollectVictims(t *testing.T) {
	st := newStore(t)
	rng := rand.New(rand.NewPCG(8, 9))
	for _, i := range rng.Perm(1000) {
		require.NoError(t, st.Append("m", Labels{{"i", fmt.Sprint(i)}}, int64(i), 1))
	}
	st.mu.Lock()
	got := st.collectVictims(evictBatch)
	st.mu.Unlock()
	require.Len(t, got, evictBatch)
	for i, v := range got {
		assert.Equal(t, int64(i), v.last)
		assert.Equal(t, fmt.Sprint(i), v.s.labels.Get("i"))
	}
}

func TestDropIdle(t *testing.T) {
	st := newStore(t)
	require.NoError(t, st.Append("m", mustLabels(t, "i", "1"), 100, 1))
	require.NoError(t, st.Append("m", mustLabels(t, "i", "2"), 200, 1))
	require.NoError(t, st.Append("n", nil, 300, 1))
	assert.Equal(t, 1, st.DropIdle(150))
	assert.Equal(t, 2, st.Len())
	assert.Equal(t, 2, st.DropIdle(1000))
	assert.Equal(t, 0, st.Len())
	assert.Empty(t, st.families, "empty families are removed")
	require.NoError(t, st.Append("m", mustLabels(t, "i", "1"), 1, 1), "a dropped series can come back")
}

func TestHashCollision(t *testing.T) {
	// Force two series into one bucket to exercise the collision path.
	st := newStore(t)
	a, b := mustLabels(t, "x", "1"), mustLabels(t, "x", "2")
	require.NoError(t, st.Append("m", a, 1, 1))
	st.mu.Lock()
	f := st.families["m"]
	s := newSeries("m", b, hashSeries("m", a), 10)
	f.add(s)
	st.count++
	st.mu.Unlock()
	assert.Same(t, s, st.lookup("m", b, hashSeries("m", a)))
	st.mu.Lock()
	st.remove(s)
	st.mu.Unlock()
	assert.Equal(t, 1, st.Len())
	assert.Nil(t, st.lookup("m", b, hashSeries("m", a)))
}

// TestAppendDoesNotAllocate pins the hot path: appending to an existing
// series, with sorted or unsorted labels, allocates nothing.
func TestAppendDoesNotAllocate(t *testing.T) {
	st := newStore(t, WithCapacity(8))
	sorted := mustLabels(t, "code", "200", "method", "GET", "route", "/")
	unsorted := Labels{{"route", "/"}, {"method", "GET"}, {"code", "200"}}
	var ts int64
	require.NoError(t, st.Append("m", sorted, ts, 1))
	for name, ls := range map[string]Labels{"sorted": sorted, "unsorted": unsorted} {
		allocs := testing.AllocsPerRun(100, func() {
			ts++
			_ = st.Append("m", ls, ts, 1)
		})
		assert.Zero(t, allocs, name)
	}
	assert.Equal(t, 1, st.Len())
}

// TestMemoryBound fills 1,000 series past their capacity of 240 samples and
// checks the heap grew by no more than the documented bound: 16 bytes a
// sample plus 1 KiB a series for bookkeeping and labels.
func TestMemoryBound(t *testing.T) {
	const n, capacity = 1000, 240
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st := newStore(t, WithCapacity(capacity), WithMaxSeries(n))
	for i := range n {
		ls := Labels{{"code", "200"}, {"method", "GET"}, {"route", fmt.Sprintf("/api/v1/item/%d", i)}}
		for ts := range int64(capacity + 16) { // wraps the ring
			require.NoError(t, st.Append("http_requests_total", ls, ts, 1))
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(st)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d series of %d samples: %.2f MiB", n, capacity, float64(grew)/(1<<20))
	assert.Less(t, grew, int64(n*(16*capacity+1024)))
}
