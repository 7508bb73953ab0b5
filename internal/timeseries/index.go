package timeseries

import "slices"

// labelIndex is a family's inverted index: for every label name and
// value, the series carrying that pair (a posting list). A selection with
// an [Equal] matcher reads the matcher's posting list instead of testing
// every series of the family.
//
// The index costs one posting entry (a pointer) and one position (4 bytes)
// per label of each series, plus a map entry per distinct label value, so
// its memory is bounded by the store's series cap times the labels per
// series. Removing a series takes constant time per label: every series
// records where it sits in each of its posting lists (pos, parallel to
// the family's list), so it can be swapped out with the list's last entry.
type labelIndex struct {
	post map[string]map[string][]*series // by label name, then value
	pos  [][]int32                       // by series.pos, then label index: the position in its posting list
}

// indexAdd indexes s, which family.add has just appended to the list; the
// caller holds the Store's mu for writing.
func (f *family) indexAdd(s *series) {
	x := &f.idx
	if x.post == nil {
		x.post = make(map[string]map[string][]*series)
	}
	at := make([]int32, len(s.labels))
	for i, l := range s.labels {
		byValue := x.post[l.Name]
		if byValue == nil {
			byValue = make(map[string][]*series)
			x.post[l.Name] = byValue
		}
		at[i] = int32(len(byValue[l.Value]))
		byValue[l.Value] = append(byValue[l.Value], s)
	}
	x.pos = append(x.pos, at)
}

// indexRemove unindexes s before family.remove moves the list's last
// series into its place, and moves that series' positions the same way;
// the caller holds the Store's mu for writing.
func (f *family) indexRemove(s *series) {
	x := &f.idx
	for i, l := range s.labels {
		byValue := x.post[l.Name]
		p := byValue[l.Value]
		at, last := x.pos[s.pos][i], p[len(p)-1]
		if last != s {
			p[at] = last
			x.pos[last.pos][last.labels.index(l.Name)] = at
		}
		p[len(p)-1] = nil
		p = p[:len(p)-1]
		switch {
		case len(p) > 0:
			byValue[l.Value] = p
		case len(byValue) > 1:
			delete(byValue, l.Value)
		default:
			delete(x.post, l.Name)
		}
	}
	end := len(x.pos) - 1
	x.pos[s.pos] = x.pos[end]
	x.pos[end] = nil
	x.pos = x.pos[:end]
}

// index returns the position of the label called name, which ls has.
func (ls Labels) index(name string) int {
	if len(ls) <= 8 {
		for i := range ls {
			if ls[i].Name == name {
				return i
			}
		}
	}
	i, _ := slices.BinarySearchFunc(ls, name, func(l Label, n string) int {
		switch {
		case l.Name < n:
			return -1
		case l.Name > n:
			return 1
		}
		return 0
	})
	return i
}

// indexSelective is the share of a family below which a posting list is
// worth reading instead of the whole sorted list: the posting's series
// must be sorted afterwards, which for large lists costs more than
// testing every series.
const indexSelective = 8

// indexed returns the series of the family that may match ms, sorted by
// labels, when an [Equal] matcher narrows them down to its posting list;
// ok is false when no matcher does, and the caller scans the family. The
// series returned still have to be tested against ms. The caller holds
// the Store's mu, for reading at least.
func (f *family) indexed(ms []Matcher) (cands []*series, ok bool) {
	var best []*series
	found := false
	for _, m := range ms {
		eq, isEq := m.(equalMatcher)
		if !isEq || eq.value == "" {
			continue // "" also matches series without the label
		}
		p := f.idx.post[eq.name][eq.value]
		if !found || len(p) < len(best) {
			best, found = p, true
		}
	}
	if !found || len(best)*indexSelective > len(f.list) {
		return nil, false
	}
	return best, true
}

// equalMatcher is the [Matcher] [Equal] returns, which the index
// recognises.
type equalMatcher struct{ name, value string }

// Matches reports whether the label called name has the value; a missing
// label counts as "".
func (m equalMatcher) Matches(ls Labels) bool { return ls.Get(m.name) == m.value }
