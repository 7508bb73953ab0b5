package o2server

import (
	"database/sql/driver"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// histogramOrigin is the origin date_bin uses for histogram(): 2001-01-01.
const histogramOrigin = int64(978307200) * 1_000_000

// newDriver returns a SQLite driver carrying the functions the SQL rewriter
// targets. Registering on a driver of our own keeps them off the process-wide
// "sqlite" driver.
func newDriver() *sqlite.Driver {
	d := &sqlite.Driver{}
	re := &regexCache{}
	fns := map[string]struct {
		n  int32
		fn func([]driver.Value) (driver.Value, error)
	}{
		// LIKE is case-sensitive in DataFusion, with '\' as the escape.
		"like":              {2, func(a []driver.Value) (driver.Value, error) { return likeFn(a, false, '\\') }},
		"match":             {2, func(a []driver.Value) (driver.Value, error) { return likeFn(a, true, '\\') }},
		"o2_contains":       {2, func(a []driver.Value) (driver.Value, error) { return containsFn(a, false) }},
		"o2_icontains":      {2, func(a []driver.Value) (driver.Value, error) { return containsFn(a, true) }},
		"o2_re_match":       {2, func(a []driver.Value) (driver.Value, error) { return re.match(a, false) }},
		"o2_re_not_match":   {2, func(a []driver.Value) (driver.Value, error) { return re.match(a, true) }},
		"o2_histogram":      {2, histogramFn},
		"o2_regexp_replace": {3, re.replace},
	}
	for name, f := range fns {
		fn := f.fn
		d.MustRegisterDeterministicScalarFunction(name, f.n, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return fn(args)
		})
	}
	return d
}

func likeEscFn(a []driver.Value) (driver.Value, error) {
	if len(a) == 3 {
		esc, _ := sqlText(a[2])
		r, _ := utf8.DecodeRuneInString(esc)
		return likeFn(a[:2], false, r)
	}
	return likeFn(a, false, '\\')
}

// sqlText renders a SQLite value as text, as SQLite's own casts do.
func sqlText(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatRyu(x), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return x.Format(time.RFC3339Nano), true
	}
	return "", false
}

func likeFn(args []driver.Value, fold bool, esc rune) (driver.Value, error) {
	pat, ok1 := sqlText(args[0])
	val, ok2 := sqlText(args[1])
	if !ok1 || !ok2 {
		return nil, nil
	}
	if fold {
		pat, val = strings.ToLower(pat), strings.ToLower(val)
	}
	return likeMatch([]rune(pat), []rune(val), esc), nil
}

// likeMatch matches SQL LIKE: '%' is any run, '_' one character and esc
// makes the next character literal.
func likeMatch(p, s []rune, esc rune) bool {
	for len(p) > 0 {
		switch c := p[0]; {
		case c == '%':
			for len(p) > 0 && p[0] == '%' {
				p = p[1:]
			}
			if len(p) == 0 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if likeMatch(p, s[i:], esc) {
					return true
				}
			}
			return false
		case c == '_':
			if len(s) == 0 {
				return false
			}
		default:
			if c == esc && esc != 0 && len(p) > 1 {
				p = p[1:]
				c = p[0]
			}
			if len(s) == 0 || s[0] != c {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return len(s) == 0
}

func containsFn(args []driver.Value, fold bool) (driver.Value, error) {
	val, ok1 := sqlText(args[0])
	term, ok2 := sqlText(args[1])
	if !ok1 || !ok2 {
		return nil, nil
	}
	if fold {
		return strings.Contains(strings.ToLower(val), strings.ToLower(term)), nil
	}
	return strings.Contains(val, term), nil
}

// regexCache keeps compiled patterns; queries call the functions per row.
type regexCache struct {
	m sync.Map // string -> *regexp.Regexp
}

func (c *regexCache) get(p string) (*regexp.Regexp, error) {
	if re, ok := c.m.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	c.m.Store(p, re)
	return re, nil
}

func (c *regexCache) match(args []driver.Value, negate bool) (driver.Value, error) {
	val, ok1 := sqlText(args[0])
	pat, ok2 := sqlText(args[1])
	if !ok1 || !ok2 {
		return nil, nil
	}
	re, err := c.get(pat)
	if err != nil {
		return nil, err
	}
	return re.MatchString(val) != negate, nil
}

func (c *regexCache) replace(args []driver.Value) (driver.Value, error) {
	val, ok1 := sqlText(args[0])
	pat, ok2 := sqlText(args[1])
	rep, ok3 := sqlText(args[2])
	if !ok1 || !ok2 || !ok3 {
		return nil, nil
	}
	re, err := c.get(pat)
	if err != nil {
		return nil, err
	}
	return re.ReplaceAllString(val, rep), nil
}

// histogramFn buckets a µs timestamp like date_bin with origin 2001-01-01
// and returns the bucket as the Arrow JSON writer prints a timestamp.
func histogramFn(args []driver.Value) (driver.Value, error) {
	ts, ok1 := args[0].(int64)
	iv, ok2 := args[1].(int64)
	if f, ok := args[0].(float64); ok {
		ts, ok1 = int64(f), true
	}
	if !ok1 || !ok2 || iv <= 0 {
		return nil, nil
	}
	d := ts - histogramOrigin
	b := d / iv * iv
	if d < 0 && d%iv != 0 {
		b -= iv
	}
	return formatTimestampMicros(histogramOrigin + b), nil
}

// formatTimestampMicros prints µs since the epoch as "2023-03-31T07:00:00",
// adding 3 or 6 fraction digits only when needed (chrono's %.f).
func formatTimestampMicros(us int64) string {
	sec := math.Floor(float64(us) / 1e6)
	frac := us - int64(sec)*1_000_000
	t := time.Unix(int64(sec), 0).UTC()
	s := t.Format("2006-01-02T15:04:05")
	switch {
	case frac == 0:
		return s
	case frac%1000 == 0:
		return s + "." + leftPad(frac/1000, 3)
	}
	return s + "." + leftPad(frac, 6)
}

func leftPad(n int64, w int) string {
	s := strconv.FormatInt(n, 10)
	return strings.Repeat("0", max(0, w-len(s))) + s
}
