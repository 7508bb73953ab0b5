package timeseries

import "slices"

// Append adds the sample (t, v) to the series name{labels}, creating the
// series if needed. t is a Unix timestamp in milliseconds. labels need not
// be sorted; Append neither modifies nor retains them (a new series keeps
// its own sorted copy), and a name given twice fails with
// [ErrInvalidLabels]. A sample older than the series' newest is refused
// with [ErrOutOfOrder]; one at the same timestamp replaces that value. A
// new series past the cap fails with [ErrSeriesLimit] unless
// [WithEvictOldest] is set. NaN and infinite values are stored as given;
// the window functions skip them. Appending to an existing series does not
// allocate.
func (st *Store) Append(name string, labels Labels, t int64, v float64) error {
	if name == "" {
		return errEmptyName
	}
	var buf [16]Label
	ls, err := canonical(buf[:], labels)
	if err != nil {
		return err
	}
	h := hashSeries(name, ls)
	x := Sample{T: t, V: v}
	st.mu.RLock()
	s := st.lookup(name, ls, h)
	if s != nil {
		// The read lock is held while appending so that DropIdle cannot
		// remove the series between the lookup and the write.
		err = s.appendSample(x)
		st.mu.RUnlock()
		return err
	}
	st.mu.RUnlock()
	return st.create(name, ls, h, x)
}

// lookup finds a series; the caller holds mu.
func (st *Store) lookup(name string, ls Labels, h uint64) *series {
	f := st.families[name]
	if f == nil {
		return nil
	}
	for _, s := range f.bySig[h] {
		if s.labels.equal(ls) {
			return s
		}
	}
	return nil
}

// create adds a series under the write lock, unless another Append made it
// first, and appends x to it.
func (st *Store) create(name string, ls Labels, h uint64, x Sample) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s := st.lookup(name, ls, h); s != nil {
		return s.appendSample(x)
	}
	if st.count >= st.cfg.maxSeries {
		if !st.cfg.evict {
			return ErrSeriesLimit
		}
		st.evictOne()
	}
	f := st.families[name]
	if f == nil {
		f = &family{bySig: make(map[uint64][]*series)}
		st.families[name] = f
	}
	s := newSeries(name, slices.Clone(ls), h, st.cfg.capacity)
	f.add(s)
	st.count++
	return s.appendSample(x)
}

// add inserts s; the caller holds the Store's mu for writing.
func (f *family) add(s *series) {
	f.bySig[s.hash] = append(f.bySig[s.hash], s)
	s.pos = len(f.list)
	f.list = append(f.list, s)
	f.indexAdd(s)
	f.sorted.Store(nil)
}

// sortedList returns the family's series sorted by labels, sorting them
// on the first call after a change. The caller holds the Store's mu, for
// reading at least: concurrent readers may each sort, and either result
// is correct.
func (f *family) sortedList() []*series {
	if p := f.sorted.Load(); p != nil {
		return *p
	}
	l := slices.Clone(f.list)
	slices.SortFunc(l, func(a, b *series) int { return compareLabelSets(a.labels, b.labels) })
	f.sorted.Store(&l)
	return l
}

// remove deletes s; the caller holds mu for writing.
func (st *Store) remove(s *series) {
	f := st.families[s.name]
	b := slices.DeleteFunc(f.bySig[s.hash], func(o *series) bool { return o == s })
	if len(b) == 0 {
		delete(f.bySig, s.hash)
	} else {
		f.bySig[s.hash] = b
	}
	f.indexRemove(s)
	last := f.list[len(f.list)-1]
	f.list[s.pos], last.pos = last, s.pos
	f.list[len(f.list)-1] = nil
	f.list = f.list[:len(f.list)-1]
	s.pos = -1 // marks s removed for the eviction candidates
	f.sorted.Store(nil)
	if len(f.list) == 0 {
		delete(st.families, s.name)
	}
	st.count--
}

// each calls fn for every series; the caller holds mu.
func (st *Store) each(fn func(*series)) {
	for _, f := range st.families {
		for _, s := range f.list {
			fn(s)
		}
	}
}

// DropIdle removes every series whose newest sample is older than before
// (Unix milliseconds) and returns how many it removed.
func (st *Store) DropIdle(before int64) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	var idle []*series
	st.each(func(s *series) {
		if s.last.Load() < before {
			idle = append(idle, s)
		}
	})
	for _, s := range idle {
		st.remove(s)
	}
	st.victims = nil // do not keep removed series alive
	return len(idle)
}
