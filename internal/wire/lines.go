package wire

import (
	"bytes"
	"strconv"
)

// A batch body is NDJSON: one record per line, each line ending in '\n'.
// These helpers work on such bodies without decoding the records.

// Lines reports the number of records in an NDJSON body.
func Lines(body []byte) int {
	return bytes.Count(body, []byte{'\n'})
}

// Split cuts an NDJSON body of two or more records into two halves at a
// record boundary near the middle. ok is false for a single record.
func Split(body []byte) (a, b []byte, ok bool) {
	mid := len(body) / 2
	if i := bytes.IndexByte(body[mid:], '\n'); i >= 0 && mid+i+1 < len(body) {
		return body[:mid+i+1], body[mid+i+1:], true
	}
	if i := bytes.LastIndexByte(body[:mid], '\n'); i >= 0 {
		return body[:i+1], body[i+1:], true
	}
	return body, nil, false
}

// AppendArray appends the records of an NDJSON body as one JSON array, the
// form the metrics ingestion endpoint requires.
func AppendArray(dst, body []byte) []byte {
	dst = append(dst, '[')
	first := true
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			i = len(body)
		}
		if i > 0 {
			if !first {
				dst = append(dst, ',')
			}
			dst = append(dst, body[:i]...)
			first = false
		}
		body = body[min(i+1, len(body)):]
	}
	return append(dst, ']')
}

var stampPrefix = []byte(`{"` + TimestampKey + `":`)

// Restamp appends body to dst with every record stamped before cutoff (µs)
// re-stamped to now (µs), its original time kept under origKey, so a server
// that discards records older than its ingest window keeps them. Only lines
// that start with the encoder's own `{"_timestamp":` prefix are touched. A
// record that already carries origKey, one re-stamped before and restored
// from a backup, keeps that first original time instead of gaining the key
// twice. It returns the new body and how many records were re-stamped.
func Restamp(dst, body []byte, cutoff, now int64, origKey string) ([]byte, int) {
	n := 0
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			i = len(body) - 1
		}
		line := body[:i+1]
		body = body[i+1:]
		ts, rest, ok := leadingStamp(line)
		if !ok || ts >= cutoff {
			dst = append(dst, line...)
			continue
		}
		dst = append(dst, stampPrefix...)
		dst = strconv.AppendInt(dst, now, 10)
		if !hasKey(rest, origKey) {
			dst = append(dst, ',', '"')
			dst = append(dst, origKey...)
			dst = append(dst, '"', ':')
			dst = strconv.AppendInt(dst, ts, 10)
		}
		dst = append(dst, rest...)
		n++
	}
	return dst, n
}

// hasKey reports whether the encoded record line holds the key: its
// quoted name followed by a colon. Inside a string value the quote after
// the name would be escaped, so the bytes cannot match there.
func hasKey(line []byte, key string) bool {
	for i := 0; ; {
		j := bytes.Index(line[i:], []byte(key))
		if j < 0 {
			return false
		}
		at, end := i+j, i+j+len(key)
		if at > 0 && line[at-1] == '"' && end+1 < len(line) && line[end] == '"' && line[end+1] == ':' {
			return true
		}
		i = at + 1
	}
}

// leadingStamp reads the timestamp the encoder writes first in each line,
// returning it and the line after its digits.
func leadingStamp(line []byte) (ts int64, rest []byte, ok bool) {
	if !bytes.HasPrefix(line, stampPrefix) {
		return 0, nil, false
	}
	digits := line[len(stampPrefix):]
	end := 0
	for end < len(digits) && (digits[end] >= '0' && digits[end] <= '9' || (end == 0 && digits[end] == '-')) {
		end++
	}
	ts, err := strconv.ParseInt(string(digits[:end]), 10, 64)
	if err != nil {
		return 0, nil, false
	}
	return ts, digits[end:], true
}

// OldestStamp returns the smallest leading timestamp in body, and false if
// no line carries one.
func OldestStamp(body []byte) (int64, bool) {
	var oldest int64
	found := false
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		if i < 0 {
			i = len(body) - 1
		}
		if ts, _, ok := leadingStamp(body[:i+1]); ok && (!found || ts < oldest) {
			oldest, found = ts, true
		}
		body = body[i+1:]
	}
	return oldest, found
}
