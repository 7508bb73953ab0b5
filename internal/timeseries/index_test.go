package timeseries

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkIndex verifies every family's label index against its list: each
// series is in the posting list of each of its labels at its recorded
// position, there are no other entries, and no empty lists or maps.
func checkIndex(t *testing.T, st *Store) {
	t.Helper()
	st.mu.RLock()
	defer st.mu.RUnlock()
	for name, f := range st.families {
		require.Len(t, f.idx.pos, len(f.list), name)
		entries := 0
		for i, s := range f.list {
			require.Equal(t, i, s.pos)
			require.Len(t, f.idx.pos[i], len(s.labels))
			for j, l := range s.labels {
				p := f.idx.post[l.Name][l.Value]
				at := f.idx.pos[i][j]
				require.Less(t, int(at), len(p), "%s %v", name, l)
				require.Same(t, s, p[at], "%s %v", name, l)
			}
			entries += len(s.labels)
		}
		for ln, byValue := range f.idx.post {
			require.NotEmpty(t, byValue, "%s: empty map for %s", name, ln)
			for v, p := range byValue {
				require.NotEmpty(t, p, "%s: empty posting %s=%s", name, ln, v)
				entries -= len(p)
			}
		}
		require.Zero(t, entries, "%s: stray posting entries", name)
	}
}

// bruteSelect is Select through plain matcher functions, which the index
// does not recognise.
func bruteSelect(st *Store, name string, ms ...Matcher) []Series {
	plain := make([]Matcher, len(ms))
	for i, m := range ms {
		plain[i] = MatcherFunc(m.Matches)
	}
	return st.Select(name, 0, 1<<40, plain...)
}

// TestIndexRandomChurn appends, evicts and drops series at random and
// checks after each step that the index is consistent and that equality
// selections through it return what a scan does.
func TestIndexRandomChurn(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	st := newStore(t, WithMaxSeries(300), WithEvictOldest(), WithCapacity(4))
	names := []string{"a", "b", "c"}
	for step := range 3000 {
		ls := mustLabels(t, "svc", fmt.Sprint(rng.IntN(20)), "code", fmt.Sprint(rng.IntN(4)))
		if rng.IntN(3) == 0 {
			ls = append(ls, Label{Name: "z", Value: fmt.Sprint(rng.IntN(3))})
		}
		require.NoError(t, st.Append(names[rng.IntN(3)], ls, int64(step), 1))
		if step%500 == 499 {
			st.DropIdle(int64(step - rng.IntN(400)))
		}
		if step%100 != 0 {
			continue
		}
		checkIndex(t, st)
		for _, ms := range [][]Matcher{
			{Equal("svc", fmt.Sprint(rng.IntN(20)))},
			{Equal("svc", "3"), Equal("code", "1")},
			{Equal("z", "1"), NotEqual("code", "0")},
			{Equal("z", ""), Equal("svc", "4")},
			{Equal("nope", "1")},
		} {
			for _, n := range []string{"", "a"} {
				require.Equal(t, bruteSelect(st, n, ms...), st.Select(n, 0, 1<<40, ms...), "%s %v", n, ms)
			}
		}
	}
	st.DropIdle(1 << 40)
	checkIndex(t, st)
	assert.Empty(t, st.families, "nothing is left of the index")
}

// TestIndexSelectSorted returns the series an equality picks sorted by
// labels, whatever the order they were created in.
func TestIndexSelectSorted(t *testing.T) {
	st := newStore(t)
	for i := 99; i >= 0; i-- {
		require.NoError(t, st.Append("m", mustLabels(t, "g", fmt.Sprint(i%20), "i", fmt.Sprintf("%03d", i)), 1, float64(i)))
	}
	got := st.Select("m", 0, 10, Equal("g", "7"))
	require.Len(t, got, 5)
	assert.True(t, slices.IsSortedFunc(got, func(a, b Series) int { return compareLabelSets(a.Labels, b.Labels) }))
	assert.Equal(t, "007", got[0].Labels.Get("i"))
	pts := st.Eval(func(s []Sample) (float64, bool) { return s[0].V, true }, "m", 1, time.Millisecond, Equal("g", "7"))
	require.Len(t, pts, 5)
	assert.Equal(t, []float64{7, 27, 47, 67, 87}, []float64{pts[0].V, pts[1].V, pts[2].V, pts[3].V, pts[4].V})

	// "" matches series without the label, which the index does not list.
	require.NoError(t, st.Append("m", mustLabels(t, "i", "x"), 1, 1))
	got = st.Select("m", 0, 10, Equal("g", ""))
	require.Len(t, got, 1)
	assert.Equal(t, "x", got[0].Labels.Get("i"))
}

// TestIndexConcurrent selects through the index while other goroutines
// create and drop series; run it with -race.
func TestIndexConcurrent(t *testing.T) {
	st := newStore(t, WithMaxSeries(200), WithEvictOldest())
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 2000 {
				_ = st.Append("m", mustLabels(t, "svc", fmt.Sprint(i%50), "w", fmt.Sprint(w), "n", fmt.Sprint(i)), int64(i), 1)
				if i%300 == 0 {
					st.DropIdle(int64(i - 100))
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 2000 {
			for _, s := range st.Select("m", 0, 1<<40, Equal("svc", fmt.Sprint(i%50))) {
				assert.Equal(t, fmt.Sprint(i%50), s.Labels.Get("svc"))
			}
		}
	})
	wg.Wait()
	checkIndex(t, st)
}

// TestIndexManyLabels removes series with more labels than a scan looks
// through, whose positions are found by binary search.
func TestIndexManyLabels(t *testing.T) {
	st := newStore(t)
	for i := range 40 {
		kv := []string{"id", fmt.Sprint(i)}
		for j := range 10 {
			kv = append(kv, fmt.Sprintf("l%d", j), fmt.Sprint(i%(j+2)))
		}
		require.NoError(t, st.Append("m", mustLabels(t, kv...), int64(i), 1))
	}
	assert.Equal(t, 20, st.DropIdle(20))
	checkIndex(t, st)
	got := st.Select("m", 0, 100, Equal("l9", "3"))
	require.Len(t, got, 2) // ids 25 and 36, the ones of 20..39 with id%11 == 3
	for _, s := range got {
		assert.Equal(t, "3", s.Labels.Get("l9"))
	}
}
