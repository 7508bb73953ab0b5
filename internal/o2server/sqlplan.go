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
			out = append(out, lower(t))
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
			out = append(out, lower(t))
		}
	}
	return out, nil
}

// lower folds an unquoted identifier as the PostgreSQL dialect does, so
// that result columns are named "level" and "count(*)" however they were
// typed.
func lower(t token) token {
	if t.kind == tkIdent {
		t.text = t.val
	}
	return t
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

// mainShape is what finishMain needs to know about the main query's top
// level.
type mainShape struct {
	orderAt, limitAt              int
	setOp, grouped, distinct, agg bool
	direct                        bool // FROM names a stream directly
	sqlLimit, sqlOffset           int64
}

// shape scans the main query's top level (paren depth 0).
func (rw *rewriter) shape(toks []token) mainShape {
	sh := mainShape{orderAt: -1, limitAt: -1, sqlLimit: -1}
	depth, inSelect := 0, false
	next := func(i int) token {
		if i < len(toks) {
			return toks[i]
		}
		return token{}
	}
	for i, t := range toks {
		switch {
		case t.op("("):
			depth++
		case t.op(")"):
			depth--
		}
		if inSelect && t.kind == tkIdent && slices.Contains(aggregates, t.val) && next(i+1).op("(") {
			sh.agg = true
		}
		if depth != 0 {
			continue
		}
		switch {
		case t.is("select"):
			inSelect = true
			sh.distinct = sh.distinct || next(i+1).is("distinct")
		case t.is("from"):
			inSelect = false
			n := next(i + 1)
			sh.direct = sh.direct || (n.kind == tkIdent || n.kind == tkQuoted) && rw.in.streams[n.val] != nil && !rw.ctes[strings.ToLower(n.val)]
		case t.is("union"), t.is("except"), t.is("intersect"):
			sh.setOp = true
		case t.is("group") && next(i+1).is("by"), t.is("having"):
			sh.grouped = true
		case t.is("order") && next(i+1).is("by") && sh.orderAt < 0:
			sh.orderAt = i
		case t.is("limit"):
			sh.limitAt = minIndex(sh.limitAt, i)
			if n, err := strconv.ParseInt(next(i+1).val, 10, 64); err == nil && next(i+1).kind == tkNumber {
				sh.sqlLimit = n
			}
		case t.is("offset"):
			sh.limitAt = minIndex(sh.limitAt, i)
			if n, err := strconv.ParseInt(next(i+1).val, 10, 64); err == nil {
				sh.sqlOffset = n
			}
		}
	}
	return sh
}

func minIndex(have, i int) int {
	if have < 0 {
		return i
	}
	return min(have, i)
}

// finishMain adds the default order and applies size, from and
// track_total_hits to the main query.
func (rw *rewriter) finishMain(toks []token, plan *queryPlan) []token {
	sh := rw.shape(toks)
	if sh.limitAt >= 0 {
		toks = toks[:sh.limitAt]
	}
	if plan.trackTotal {
		if sh.orderAt >= 0 {
			toks = toks[:sh.orderAt]
		}
		out := []token{raw("SELECT count(*) AS zo_sql_num FROM (")}
		return append(append(out, toks...), raw(")"))
	}
	if sh.orderAt >= 0 {
		plan.orderBy = orderItems(toks[sh.orderAt+2:])
	} else if !sh.setOp && !sh.grouped && !sh.distinct && !sh.agg && sh.direct && len(rw.refs) == 1 {
		toks = append(toks, raw(`ORDER BY "_timestamp" DESC`))
		plan.orderBy = [][2]string{{"_timestamp", "desc"}}
	}
	return rw.limits(toks, sh, plan)
}

// limits applies size (which overrides LIMIT when above 0), from (an
// offset) and the default cap when neither size nor LIMIT limits.
func (rw *rewriter) limits(toks []token, sh mainShape, plan *queryPlan) []token {
	limit := sh.sqlLimit
	switch size := rw.in.size; {
	case size > 0:
		limit = size
	case size == queryNoLimit:
	case sh.sqlLimit < 0:
		limit = defaultQueryLimit + 1
		plan.capped = true
	}
	offset := sh.sqlOffset
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
