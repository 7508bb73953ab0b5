package o2server

import (
	"strconv"
)

// recordScan is what scanning one record found: whether it is an object
// and, for flat enough records, its _timestamp value.
type recordScan struct {
	object   bool
	fallback bool  // unusual shape: judge the record with the full parser
	tsKind   jkind // jNull when absent or null
	tsRaw    []byte
	tsEsc    bool
}

// scanRecord validates the value at s.i as one record. It reports false on
// invalid JSON.
func (s *scanner) scanRecord(rs *recordScan) bool {
	*rs = recordScan{}
	if s.i >= len(s.data) || s.data[s.i] != '{' {
		return s.value()
	}
	rs.object = true
	s.depth++
	defer func() { s.depth-- }()
	if s.depth >= maxJSONDepth {
		return false
	}
	s.i++
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return true
	}
	seenTS := false
	for {
		if !s.member(rs, &seenTS) {
			return false
		}
		s.ws()
		if s.i >= len(s.data) {
			return false
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

// member scans one "key": value pair of a record, noting its _timestamp
// and the shapes that need the full parser.
func (s *scanner) member(rs *recordScan, seenTS *bool) bool {
	s.ws()
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return false
	}
	key, esc, ok := s.str()
	if !ok {
		return false
	}
	s.ws()
	if s.i >= len(s.data) || s.data[s.i] != ':' {
		return false
	}
	s.i++
	s.ws()
	if s.i >= len(s.data) {
		return false
	}
	c := s.data[s.i]
	switch {
	case esc:
		rs.fallback = true
	case isTimestampKey(key):
		if *seenTS || c == '{' || c == '[' {
			rs.fallback = true
		}
		*seenTS = true
		return s.timestampValue(rs)
	case len(key) == 0 && c == '{':
		rs.fallback = true
	}
	return s.value()
}

// timestampValue scans the value of a _timestamp member and notes it.
func (s *scanner) timestampValue(rs *recordScan) bool {
	start := s.i
	switch c := s.data[s.i]; {
	case c == '"':
		raw, esc, ok := s.str()
		rs.tsKind, rs.tsRaw, rs.tsEsc = jString, raw, esc
		return ok
	case c == 't' || c == 'f':
		rs.tsKind = jBool
	case c == 'n':
		rs.tsKind = jNull
	case c == '-' || isDigit(c):
		rs.tsKind = jNumber
	}
	if !s.value() {
		return false
	}
	rs.tsRaw = s.data[start:s.i]
	return true
}

// counter judges records like the full ingestion path without building
// them.
type counter struct {
	s   *Server
	now int64
	win window
	f   flattener
}

// judge returns "" for an accepted record or the failure message. raw is
// the record's bytes, used when the record needs the full parser.
func (ct *counter) judge(rs *recordScan, raw []byte) string {
	if !rs.object {
		return errNotObject.Error()
	}
	if rs.fallback {
		v, err := parseJSON(raw)
		if err != nil {
			return err.Error()
		}
		_, msg := ct.s.prepare(v, ct.f, ct.now, ct.win)
		return msg
	}
	ts := ct.now
	switch rs.tsKind {
	case jBool:
		return errTimestamp.Error()
	case jNumber:
		if n, ok := parseIntBytes(rs.tsRaw); ok {
			ts = micros(n, ct.now)
			break
		}
		v := jvalue{kind: jNumber, s: string(rs.tsRaw)}
		t, _, err := timestampOf(&v, ct.now)
		if err != nil {
			return err.Error()
		}
		ts = t
	case jString:
		str := string(rs.tsRaw)
		if rs.tsEsc {
			p := jparser{data: append(append([]byte{'"'}, rs.tsRaw...), '"')}
			str, _ = p.str()
		}
		t, err := parseTimeString(str, ct.now)
		if err != nil {
			return err.Error()
		}
		ts = t
	}
	return ct.win.check(ts, ct.s)
}

// parseIntBytes parses a plain decimal int64 without allocating.
func parseIntBytes(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		if len(b) > 18 {
			n, err := strconv.ParseInt(string(b), 10, 64)
			if neg {
				n = -n
			}
			return n, err == nil
		}
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// countJSON judges a _json body; bad JSON gives the parse error.
func (ct *counter) countJSON(body []byte, st *recordStatus) *jsonError {
	s := scanner{data: body}
	s.ws()
	var rs recordScan
	if s.i < len(body) && body[s.i] == '[' {
		if ok := ct.countArray(&s, st, &rs); ok {
			return nil
		}
	} else {
		start := s.i
		if s.scanRecord(&rs) {
			end := s.i
			s.ws()
			if s.i == len(body) {
				st.add(ct.judge(&rs, body[start:end]))
				return nil
			}
		}
	}
	_, err := parseJSON(body)
	if err == nil {
		err = &jsonError{msg: "invalid JSON"}
	}
	return err
}

func (ct *counter) countArray(s *scanner, st *recordStatus, rs *recordScan) bool {
	s.depth++
	s.i++
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == ']' {
		s.i++
	} else {
		var res []string
		for {
			s.ws()
			start := s.i
			if !s.scanRecord(rs) {
				return false
			}
			res = append(res, ct.judge(rs, s.data[start:s.i]))
			s.ws()
			if s.i >= len(s.data) {
				return false
			}
			if s.data[s.i] == ']' {
				s.i++
				break
			}
			if s.data[s.i] != ',' {
				return false
			}
			s.i++
		}
		s.ws()
		if s.i != len(s.data) {
			return false
		}
		for _, r := range res {
			st.add(r)
		}
		return true
	}
	s.ws()
	return s.i == len(s.data)
}

// countMulti judges a _multi body line by line; a bad line fails the whole
// request with its message.
func (ct *counter) countMulti(body []byte, st *recordStatus) string {
	var res []string
	var rs recordScan
	for len(body) > 0 {
		var line []byte
		line, body = nextLine(body)
		if isBlank(line) {
			continue
		}
		s := scanner{data: line}
		s.ws()
		if s.scanRecord(&rs) {
			end := s.i
			s.ws()
			if s.i == len(line) {
				res = append(res, ct.judge(&rs, line[:end]))
				continue
			}
		}
		return multiLineError(line)
	}
	for _, r := range res {
		st.add(r)
	}
	return ""
}
