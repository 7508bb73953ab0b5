package timeseries

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Label is one name/value pair of a series' identity.
type Label struct {
	Name, Value string
}

// Labels is a label set sorted by name, each name at most once. The store
// identifies a series by its metric name plus its Labels.
type Labels []Label

// FromStrings builds a sorted [Labels] from alternating names and values,
// as in FromStrings("method", "GET", "code", "200"). A name given twice
// keeps its last value; an odd count is an error.
func FromStrings(kv ...string) (Labels, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("%w: odd number of strings", ErrInvalidLabels)
	}
	ls := make(Labels, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		ls = append(ls, Label{Name: kv[i], Value: kv[i+1]})
	}
	// A stable sort keeps duplicates in argument order, so the last of each
	// run is the one given last.
	slices.SortStableFunc(ls, compareLabels)
	out := ls[:0]
	for i, l := range ls {
		if i+1 < len(ls) && ls[i+1].Name == l.Name {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// Get returns the value of the label called name, or "" if there is none.
func (ls Labels) Get(name string) string {
	if len(ls) <= 8 {
		// A scan beats a binary search on the short sets metrics carry.
		for _, l := range ls {
			if l.Name == name {
				return l.Value
			}
		}
		return ""
	}
	i, ok := slices.BinarySearchFunc(ls, name, func(l Label, n string) int {
		return strings.Compare(l.Name, n)
	})
	if !ok {
		return ""
	}
	return ls[i].Value
}

// String formats the set the way Prometheus does: {a="1", b="2"}.
func (ls Labels) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range ls {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%q", l.Name, l.Value)
	}
	b.WriteByte('}')
	return b.String()
}

func compareLabels(a, b Label) int { return cmp.Compare(a.Name, b.Name) }

// sorted reports whether ls is sorted by name with no name twice.
func (ls Labels) sorted() bool {
	for i := 1; i < len(ls); i++ {
		if ls[i-1].Name >= ls[i].Name {
			return false
		}
	}
	return true
}

// canonical returns ls if it is already sorted and unique, otherwise a
// sorted copy built in buf (which Append keeps on its stack, so unsorted
// label sets cost no allocation up to len(buf) labels); a name given twice
// is an error.
func canonical(buf, ls Labels) (Labels, error) {
	if ls.sorted() {
		return ls, nil
	}
	c := append(buf[:0], ls...)
	// Insertion sort: label sets are short, and it keeps c off the heap.
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j].Name < c[j-1].Name; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	if !c.sorted() {
		return nil, fmt.Errorf("%w: duplicate label name", ErrInvalidLabels)
	}
	return c, nil
}

// equal reports whether two canonical sets are identical.
func (ls Labels) equal(o Labels) bool { return slices.Equal(ls, o) }

// hashSeries is FNV-1a over the name and labels, with separators that
// cannot appear in valid UTF-8 so that {a="bc"} and {ab="c"} differ.
func hashSeries(name string, ls Labels) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= prime
		}
		h ^= 0xff
		h *= prime
	}
	add(name)
	for _, l := range ls {
		add(l.Name)
		add(l.Value)
	}
	return h
}
