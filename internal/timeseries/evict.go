package timeseries

import (
	"cmp"
	"slices"
)

// evictBatch is how many eviction candidates one scan of the store
// collects. A scan costs time linear in the series count; collecting a
// batch spreads it over up to this many evictions.
const evictBatch = 256

// victim is an eviction candidate: a series and its newest timestamp when
// the candidates were collected.
type victim struct {
	s    *series
	last int64
}

// evictOne removes the series that has been silent longest, for a new
// series at the cap; the caller holds mu for writing and the store is not
// empty.
//
// Scanning every series for each eviction would cost time linear in the
// series count per new series, which a burst of new label values at the
// cap turns into seconds. Instead a scan keeps the evictBatch oldest
// series, oldest first, and later evictions take from that list. A
// candidate that received a sample since, or was removed, is skipped. The
// choice is exact among the candidates and approximate overall: a series
// outside the list can have fallen behind a candidate by receiving no
// sample since the scan while the candidate received one, until the next
// scan.
func (st *Store) evictOne() {
	for {
		for len(st.victims) > 0 {
			v := st.victims[0]
			st.victims[0] = victim{}
			st.victims = st.victims[1:]
			if v.s.pos >= 0 && v.s.last.Load() == v.last {
				st.remove(v.s)
				return
			}
		}
		st.victims = st.collectVictims(min(evictBatch, st.count))
	}
}

// collectVictims returns the k series with the oldest newest samples,
// oldest first, keeping them in a max-heap by timestamp while scanning so
// the scan costs O(n log k) time and O(k) memory.
func (st *Store) collectVictims(k int) []victim {
	h := make([]victim, 0, k)
	st.each(func(s *series) {
		v := victim{s: s, last: s.last.Load()}
		switch {
		case len(h) < k:
			h = append(h, v)
			siftUp(h, len(h)-1)
		case v.last < h[0].last:
			h[0] = v
			siftDown(h, 0)
		}
	})
	slices.SortFunc(h, func(a, b victim) int { return cmp.Compare(a.last, b.last) })
	return h
}

// siftUp and siftDown keep h a max-heap by last.
func siftUp(h []victim, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if h[p].last >= h[i].last {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func siftDown(h []victim, i int) {
	for {
		big, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h[l].last > h[big].last {
			big = l
		}
		if r < len(h) && h[r].last > h[big].last {
			big = r
		}
		if big == i {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}
