package o2server

import (
	"slices"
	"strconv"
	"strings"
)

// ftsFields are the default full-text search fields
// (_DEFAULT_SQL_FULL_TEXT_SEARCH_FIELDS).
var ftsFields = []string{"log", "message", "msg", "content", "data", "body", "json", "error", "llm_input", "llm_output"}

// renamed maps OpenObserve functions to the SQLite functions of newDriver.
var renamed = map[string]string{
	"str_match":               "o2_contains",
	"match_field":             "o2_contains",
	"str_match_ignore_case":   "o2_icontains",
	"match_field_ignore_case": "o2_icontains",
	"re_match":                "o2_re_match",
	"re_not_match":            "o2_re_not_match",
	"regexp_replace":          "o2_regexp_replace",
}

// aggregates are functions whose presence turns off the default ordering.
var aggregates = []string{
	"count", "sum", "avg", "min", "max", "mean", "median", "approx_distinct", "approx_median",
	"approx_percentile_cont", "approx_percentile_cont_with_weight", "approx_topk", "array_agg",
	"bit_and", "bit_or", "bit_xor", "bool_and", "bool_or", "corr", "covar", "covar_pop",
	"covar_samp", "first_value", "last_value", "stddev", "stddev_pop", "stddev_samp", "var",
	"var_pop", "var_samp", "variance", "string_agg", "group_concat", "total", "percentile_cont",
}

// sqlTypes maps cast target types to SQLite's.
var sqlTypes = map[string]string{
	"int": "INTEGER", "integer": "INTEGER", "bigint": "INTEGER", "smallint": "INTEGER", "tinyint": "INTEGER",
	"float": "REAL", "double": "REAL", "real": "REAL", "decimal": "REAL", "numeric": "REAL",
	"text": "TEXT", "varchar": "TEXT", "string": "TEXT", "char": "TEXT", "boolean": "INTEGER", "bool": "INTEGER",
}

// functions rewrites OpenObserve functions, ILIKE and '::' casts.
func (rw *rewriter) functions(toks []token, plan *queryPlan) ([]token, *searchError) {
	out := make([]token, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		call := t.kind == tkIdent && i+1 < len(toks) && toks[i+1].op("(")
		switch {
		case t.is("ilike"):
			out = append(out, token{kind: tkIdent, text: "MATCH", val: "match", space: true})
			continue
		case t.op("::") && i+1 < len(toks) && toks[i+1].kind == tkIdent:
			out = castPrev(out, toks[i+1])
			i++
			continue
		case !call:
			out = append(out, t)
			continue
		}
		args, end := argsOf(toks, i+1)
		switch name := t.val; {
		case name == "histogram":
			repl, err := rw.histogram(args, plan)
			if err != nil {
				return nil, err
			}
			out = append(out, withSpace(repl, t.space)...)
			i = end
		case strings.HasPrefix(name, "match_all"):
			repl, err := rw.matchAll(name, args, plan)
			if err != nil {
				return nil, err
			}
			out = append(out, withSpace(repl, t.space)...)
			i = end
		case name == "approx_distinct":
			out = append(out, token{kind: tkIdent, text: "count", val: "count", space: t.space}, toks[i+1],
				token{kind: tkIdent, text: "DISTINCT", val: "distinct", space: true})
			i++
		case renamed[name] != "":
			out = append(out, token{kind: tkIdent, text: renamed[name], val: renamed[name], space: t.space})
		default:
			out = append(out, t)
		}
	}
	return out, nil
}

func withSpace(toks []token, space bool) []token {
	if len(toks) > 0 {
		toks[0].space = space
	}
	return toks
}

// castPrev turns "x::type" into CAST(x AS type), x being the last token or
// parenthesised group (with its function name) already emitted.
func castPrev(out []token, typ token) []token {
	if len(out) == 0 {
		return out
	}
	start := len(out) - 1
	if out[start].op(")") {
		depth := 0
		for j := start; j >= 0; j-- {
			if out[j].op(")") {
				depth++
			} else if out[j].op("(") {
				depth--
				if depth == 0 {
					start = j
					break
				}
			}
		}
		if start > 0 && out[start-1].kind == tkIdent {
			start--
		}
	}
	st := sqlTypes[typ.val]
	if st == "" {
		st = typ.text
	}
	expr := append([]token(nil), out[start:]...)
	head := append(out[:start:start], raw("CAST("))
	head = append(head, expr...)
	return append(head, raw("AS "+st+")"))
}

// histogram rewrites histogram(ts[, 'N unit'[, tz]]) to o2_histogram with
// the interval in µs; without an interval it follows the time range.
func (rw *rewriter) histogram(args [][]token, plan *queryPlan) ([]token, *searchError) {
	if len(args) == 0 {
		return nil, &searchError{code: 20008, detail: "Unexpected argument len in histogram function: 0"}
	}
	var secs int64
	if len(args) > 1 {
		if len(args[1]) != 1 || args[1][0].kind != tkString {
			return nil, errSQL("Unexpected argument type in histogram function")
		}
		v := args[1][0].val
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return nil, errSQL("Invalid histogram interval: %s", v)
		}
		n, ok := intervalSeconds(v)
		if !ok {
			return nil, errSQL("Unsupported histogram interval unit")
		}
		secs = n
	}
	adjusted := adjustInterval(secs, rw.in.start, rw.in.end)
	plan.histogram = &adjusted
	width := secs
	if width <= 0 {
		width = adjusted
	}
	out := []token{raw("o2_histogram(")}
	out = append(out, args[0]...)
	return append(out, raw(", "+strconv.FormatInt(width*1_000_000, 10)+")")), nil
}

// intervalSeconds reads "10 second", "5m", "2 hours", "1 day".
func intervalSeconds(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	pos := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if pos <= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:pos], 10, 64)
	if err != nil {
		return 0, false
	}
	switch strings.ToLower(strings.TrimSpace(s[pos:])) {
	case "second", "seconds", "s", "secs", "sec":
		return n, true
	case "minute", "minutes", "m", "mins", "min":
		return n * 60, true
	case "hour", "hours", "h", "hrs", "hr":
		return n * 3600, true
	case "day", "days", "d":
		return n * 86400, true
	}
	return 0, false
}

// autoInterval picks the histogram interval for a time range
// (generate_histogram_interval).
func autoInterval(start, end int64) int64 {
	if start == 0 && end == 0 {
		return 3600
	}
	d := end - start
	const h = int64(3600) * 1_000_000
	for _, step := range []struct{ min, secs int64 }{
		{24 * 60 * h, 86400}, {24 * 30 * h, 43200}, {24 * 28 * h, 21600}, {24 * 21 * h, 10800},
		{24 * 15 * h, 7200}, {6 * h, 3600}, {2 * h, 60}, {h, 30}, {h / 2, 15}, {10 * 1_000_000, 10},
	} {
		if d >= step.min {
			return step.secs
		}
	}
	return 1
}

// adjustInterval is validate_and_adjust_histogram_interval: the interval
// reported in histogram_interval.
func adjustInterval(secs, start, end int64) int64 {
	const day = 86400
	switch {
	case secs <= 0:
		return autoInterval(start, end)
	case secs%day == 0 || day%secs == 0:
		return secs
	}
	for _, v := range []int64{1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 28800, 43200, 86400} {
		if v >= secs {
			return v
		}
	}
	return day
}

// matchAll rewrites match_all('term') into a substring match over the
// stream's full-text fields.
func (rw *rewriter) matchAll(name string, args [][]token, plan *queryPlan) ([]token, *searchError) {
	if len(args) != 1 || len(args[0]) != 1 || args[0][0].kind != tkString {
		return nil, errSQL("match_all expects one string argument")
	}
	term := args[0][0].val
	term = strings.TrimPrefix(term, "re:")
	term = strings.TrimSuffix(strings.TrimPrefix(term, "*"), "*")
	fn := "o2_icontains"
	if name == "match_all_raw" {
		fn = "o2_contains"
	}
	var fields []string
	if len(plan.streams) > 0 {
		st := plan.streams[0]
		for _, f := range append(slices.Clone(ftsFields), st.settings.FullTextSearchKeys...) {
			if _, ok := st.index[f]; ok && !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		}
	}
	if len(fields) == 0 {
		return nil, &searchError{code: 20003}
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fn + "(" + quoteIdent(f) + ", " + quoteString(term) + ")"
	}
	return []token{raw("(" + strings.Join(parts, " OR ") + ")")}, nil
}

// finishMain adds the default order and applies size, from and
// track_total_hits to the main query.
func (rw *rewriter) finishMain(toks []token, plan *queryPlan) []token {
	var orderAt, limitAt = -1, -1
	var setOp, grouped, distinct, agg, direct bool
	sqlLimit, sqlOffset := int64(-1), int64(0)
	depth, inSelect := 0, false
	for i, t := range toks {
		switch {
		case t.op("("):
			depth++
		case t.op(")"):
			depth--
		}
		if inSelect && t.kind == tkIdent && slices.Contains(aggregates, t.val) && i+1 < len(toks) && toks[i+1].op("(") {
			agg = true
		}
		if depth != 0 {
			continue
		}
		next := func(k int) token {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return token{}
		}
		switch {
		case t.is("select"):
			inSelect = true
			distinct = distinct || next(1).is("distinct")
		case t.is("from"):
			inSelect = false
			n := next(1)
			direct = direct || (n.kind == tkIdent || n.kind == tkQuoted) && rw.in.streams[n.val] != nil && !rw.ctes[strings.ToLower(n.val)]
		case t.is("union"), t.is("except"), t.is("intersect"):
			setOp = true
		case t.is("group") && next(1).is("by"), t.is("having"):
			grouped = true
		case t.is("order") && next(1).is("by") && orderAt < 0:
			orderAt = i
		case t.is("limit") && limitAt < 0:
			limitAt = i
			if n, err := strconv.ParseInt(next(1).val, 10, 64); err == nil && next(1).kind == tkNumber {
				sqlLimit = n
			}
		case t.is("offset") && limitAt < 0:
			limitAt = i
			fallthrough
		case t.is("offset"):
			if n, err := strconv.ParseInt(next(1).val, 10, 64); err == nil {
				sqlOffset = n
			}
		}
	}
	if limitAt >= 0 {
		toks = toks[:limitAt]
	}
	if plan.trackTotal {
		if orderAt >= 0 {
			toks = toks[:orderAt]
		}
		out := []token{raw("SELECT count(*) AS zo_sql_num FROM (")}
		return append(append(out, toks...), raw(")"))
	}
	if orderAt >= 0 {
		plan.orderBy = orderItems(toks[orderAt+2:])
	} else if !setOp && !grouped && !distinct && !agg && direct && len(rw.refs) == 1 {
		toks = append(toks, raw(`ORDER BY "_timestamp" DESC`))
		plan.orderBy = [][2]string{{"_timestamp", "desc"}}
	}
	limit := sqlLimit
	switch size := rw.in.size; {
	case size > 0:
		limit = size
	case size == queryNoLimit:
	case sqlLimit < 0:
		limit = defaultQueryLimit + 1
		plan.capped = true
	}
	offset := sqlOffset
	if rw.in.from > 0 {
		offset = rw.in.from
	}
	if limit >= 0 || offset > 0 {
		toks = append(toks, raw("LIMIT "+strconv.FormatInt(limit, 10)))
	}
	if offset > 0 {
		toks = append(toks, raw("OFFSET "+strconv.FormatInt(offset, 10)))
	}
	return toks
}

// orderItems reads ORDER BY items as [expression, direction] pairs.
func orderItems(toks []token) [][2]string {
	var items [][2]string
	depth, start := 0, 0
	flush := func(end int) {
		item := toks[start:end]
		dir := "asc"
		for len(item) > 0 {
			last := item[len(item)-1]
			switch {
			case last.is("asc"), last.is("desc"):
				dir = last.val
			case last.is("first"), last.is("last"), last.is("nulls"):
			default:
				goto done
			}
			item = item[:len(item)-1]
		}
	done:
		expr := render(item)
		if len(item) == 1 && (item[0].kind == tkIdent || item[0].kind == tkQuoted) {
			expr = item[0].val
		}
		items = append(items, [2]string{expr, dir})
	}
	for i, t := range toks {
		switch {
		case t.op("("):
			depth++
		case t.op(")"):
			depth--
		case t.op(",") && depth == 0:
			flush(i)
			start = i + 1
		}
	}
	if start < len(toks) {
		flush(len(toks))
	}
	return items
}
