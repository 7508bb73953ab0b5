package wire

import "bytes"

// OpenObserve writes a request's records for a stream as one batch whose
// schema is the union of the records' fields, and drops that whole batch,
// still answering 200, when the union has more columns than its limit
// (ZO_COLS_PER_RECORD_LIMIT). Fields whose value is null make no column.

// minField is the fewest bytes a field takes in a record: `,"k":0`.
const minField = 6

// fewFields reports whether body certainly holds at most limit fields:
// each field takes minField bytes or more, and its key two quotes.
func fewFields(body []byte, limit int) bool {
	return len(body)/minField <= limit || bytes.Count(body, quote)/2 <= limit
}

var quote = []byte{'"'}

// Columns returns the number of distinct keys with a non-null value among
// the records of an NDJSON body. It stops counting once the count passes
// limit, and returns 0 without reading the records when a bound on the
// body's fields keeps the count within limit.
func Columns(body []byte, limit int) int {
	if fewFields(body, limit) {
		return 0
	}
	var c columnSet
	for len(body) > 0 {
		var line []byte
		line, body = cutLine(body)
		if c.fresh(line) > 0 {
			c.add()
		}
		if len(c.cols) > limit {
			break
		}
	}
	return len(c.cols)
}

// SplitColumns cuts an NDJSON body into runs of whole records whose
// fields make at most limit columns together; a record with more is a run
// of its own. Most bodies come back whole, as the only run.
func SplitColumns(body []byte, limit int) [][]byte {
	if fewFields(body, limit) {
		return [][]byte{body}
	}
	var runs [][]byte
	var c columnSet
	start := 0
	for rest := body; len(rest) > 0; {
		at := len(body) - len(rest)
		var line []byte
		line, rest = cutLine(rest)
		n := c.fresh(line)
		cut := n > limit-len(c.cols) && at > start
		if cut {
			runs = append(runs, body[start:at])
			start = at
			clear(c.cols)
		}
		if n > 0 || cut {
			c.add()
		}
	}
	return append(runs, body[start:])
}

// cutLine returns body's first line, with its '\n', and the rest.
func cutLine(body []byte) (line, rest []byte) {
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		return body[:i+1], body[i+1:]
	}
	return body, nil
}

// columnSet is the set of columns of some records.
type columnSet struct {
	cols map[string]struct{}
	// The keys with a non-null value of the line read last and of the
	// one before, each key followed by a quote (which no key holds):
	// records mostly repeat the keys of the one before, and then one
	// comparison stands for a lookup per key.
	keys, prev []byte
}

// read sets c.keys to the keys of line and reports whether they are the
// keys of the line read before.
func (c *columnSet) read(line []byte) bool {
	c.keys, c.prev = c.prev[:0], c.keys
	_ = members(line, func(key, val []byte) {
		if string(val) != "null" {
			c.keys = append(append(c.keys, key...), '"')
		}
	})
	return bytes.Equal(c.keys, c.prev)
}

// each calls f with each key of c.keys.
func (c *columnSet) each(f func(key []byte)) {
	for rest := c.keys; len(rest) > 0; {
		i := bytes.IndexByte(rest, '"')
		f(rest[:i])
		rest = rest[i+1:]
	}
}

// fresh returns the number of columns line would add to the set, with a
// key that appears twice in it counted twice.
func (c *columnSet) fresh(line []byte) int {
	if c.read(line) && len(c.cols) > 0 {
		return 0
	}
	n := 0
	c.each(func(key []byte) {
		if _, ok := c.cols[string(key)]; !ok {
			n++
		}
	})
	return n
}

// add adds the columns of the line fresh read last.
func (c *columnSet) add() {
	if c.cols == nil {
		c.cols = map[string]struct{}{}
	}
	c.each(func(key []byte) {
		if _, ok := c.cols[string(key)]; !ok {
			c.cols[string(key)] = struct{}{}
		}
	})
}
