package o2server

import (
	"fmt"
	"slices"
	"strings"
)

// searchError is a coded search failure (infra::errors::ErrorCodes).
type searchError struct {
	code   int
	detail string // the parser or engine text, or the missing name
}

func errSQL(format string, args ...any) *searchError {
	return &searchError{code: 20001, detail: fmt.Sprintf(format, args...)}
}

// queryPlan is a user query rewritten for SQLite.
type queryPlan struct {
	sql        string
	streams    []*stream // streams read, in order of first reference
	histogram  *int64    // histogram_interval in seconds, when histogram() is used
	orderBy    [][2]string
	capped     bool // no limit given: fetch one row more than the default cap
	trackTotal bool
}

// queryInput is what a rewrite needs besides the SQL text.
type queryInput struct {
	sql        string
	streams    map[string]*stream
	start, end int64
	from, size int64
	trackTotal bool
}

const (
	defaultQueryLimit = 1000
	queryNoLimit      = -999
)

// rewriter turns a DataFusion-dialect query into SQLite SQL over the
// streams' tables, token by token.
type rewriter struct {
	in   queryInput
	ctes map[string]bool
	refs []string // table references that are streams, with repeats
}

// rewrite plans a query: stream references become CTEs filtered to the
// time range, OpenObserve functions become SQLite functions, and the
// default order and the size/from limits are applied.
func rewrite(in queryInput) (*queryPlan, *searchError) {
	toks, err := tokenize(in.sql)
	if err != nil {
		return nil, errSQL("%s", err)
	}
	for len(toks) > 0 && toks[len(toks)-1].op(";") {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 || !(toks[0].is("select") || toks[0].is("with")) {
		return nil, errSQL("sql parser error: expected a SELECT statement")
	}
	if slices.ContainsFunc(toks, func(t token) bool { return t.op(";") }) {
		return nil, errSQL("sql parser error: only one statement is supported")
	}
	rw := &rewriter{in: in, ctes: map[string]bool{}}
	cteToks, mainToks, recursive, serr := rw.splitWith(toks)
	if serr != nil {
		return nil, serr
	}
	if serr := rw.collectRefs(toks); serr != nil {
		return nil, serr
	}
	plan := &queryPlan{trackTotal: in.trackTotal}
	for _, name := range rw.refs {
		st := in.streams[name]
		if !slices.Contains(plan.streams, st) {
			plan.streams = append(plan.streams, st)
		}
	}
	if cteToks, serr = rw.functions(cteToks, plan); serr != nil {
		return nil, serr
	}
	if mainToks, serr = rw.functions(mainToks, plan); serr != nil {
		return nil, serr
	}
	mainToks = rw.finishMain(mainToks, plan)
	var b strings.Builder
	b.WriteString("WITH ")
	if recursive {
		b.WriteString("RECURSIVE ")
	}
	for i, st := range plan.streams {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(streamCTE(st, in.start, in.end))
	}
	if len(cteToks) > 0 {
		b.WriteString(", ")
		b.WriteString(render(cteToks))
	}
	b.WriteByte(' ')
	b.WriteString(render(mainToks))
	if len(plan.streams) == 0 && len(cteToks) == 0 {
		plan.sql = render(mainToks)
	} else {
		plan.sql = b.String()
	}
	return plan, nil
}

// streamCTE shadows a stream's name with its rows in the time range, end
// excluded.
func streamCTE(st *stream, start, end int64) string {
	cols := make([]string, len(st.fields))
	for i, f := range st.fields {
		cols[i] = quoteIdent(f.name)
	}
	return fmt.Sprintf("%s AS (SELECT %s FROM %s WHERE \"_timestamp\" >= %d AND \"_timestamp\" < %d)",
		quoteIdent(st.name), strings.Join(cols, ", "), quoteIdent(st.table), start, end)
}

// splitWith separates a leading WITH list from the main query and notes
// the user's CTE names.
func (rw *rewriter) splitWith(toks []token) (ctes, main []token, recursive bool, err *searchError) {
	if !toks[0].is("with") {
		return nil, toks, false, nil
	}
	i := 1
	if i < len(toks) && toks[i].is("recursive") {
		recursive = true
		i++
	}
	start := i
	for {
		if i >= len(toks) || (toks[i].kind != tkIdent && toks[i].kind != tkQuoted) {
			return nil, nil, false, errSQL("sql parser error: expected a CTE name")
		}
		rw.ctes[strings.ToLower(toks[i].val)] = true
		i++
		if i < len(toks) && toks[i].op("(") {
			i = matchParen(toks, i) + 1
		}
		if i >= len(toks) || !toks[i].is("as") {
			return nil, nil, false, errSQL("sql parser error: expected AS")
		}
		i++
		for i < len(toks) && (toks[i].is("not") || toks[i].is("materialized")) {
			i++
		}
		if i >= len(toks) || !toks[i].op("(") {
			return nil, nil, false, errSQL("sql parser error: expected ( after AS")
		}
		i = matchParen(toks, i) + 1
		if i < len(toks) && toks[i].op(",") {
			i++
			continue
		}
		return toks[start:i], toks[i:], recursive, nil
	}
}

// matchParen returns the index of the ')' closing the '(' at i, or the last
// index when unbalanced.
func matchParen(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].op("("):
			depth++
		case toks[j].op(")"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks) - 1
}

// aliasStop are words that end a table reference instead of naming an
// alias.
var aliasStop = []string{
	"where", "group", "order", "limit", "offset", "join", "inner", "left", "right", "full", "cross",
	"natural", "on", "using", "union", "except", "intersect", "having", "window", "qualify", "fetch",
}

// collectRefs finds the tables named after FROM (of a SELECT) and JOIN and
// checks that each is a stream or a CTE.
func (rw *rewriter) collectRefs(toks []token) *searchError {
	selects := []bool{false}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.op("("):
			selects = append(selects, false)
		case t.op(")"):
			if len(selects) > 1 {
				selects = selects[:len(selects)-1]
			}
		case t.is("select"):
			selects[len(selects)-1] = true
		case t.is("from") && selects[len(selects)-1], t.is("join"):
			list := t.is("from")
			for j := i + 1; j < len(toks); {
				next, err := rw.tableRef(toks, j)
				if err != nil {
					return err
				}
				if !list || next >= len(toks) || !toks[next].op(",") {
					break
				}
				j = next + 1
			}
		}
	}
	return nil
}

// tableRef reads one table reference at i and returns the index after it
// and its alias.
func (rw *rewriter) tableRef(toks []token, i int) (int, *searchError) {
	if i >= len(toks) {
		return i, nil
	}
	t := toks[i]
	switch {
	case t.op("("):
		i = matchParen(toks, i) + 1
	case t.kind == tkIdent || t.kind == tkQuoted:
		name := t.val
		if i+1 < len(toks) && (toks[i+1].op(".") || toks[i+1].op("(")) {
			return i, &searchError{code: 20002, detail: t.val}
		}
		if !rw.ctes[strings.ToLower(name)] {
			st := rw.in.streams[name]
			if st == nil || !st.hasTable {
				return i, &searchError{code: 20002, detail: name}
			}
			rw.refs = append(rw.refs, name)
		}
		i++
	default:
		return i, nil
	}
	if i < len(toks) && toks[i].is("as") {
		i++
	}
	if i < len(toks) && (toks[i].kind == tkQuoted || toks[i].kind == tkIdent && !slices.Contains(aliasStop, toks[i].val)) {
		i++
	}
	return i, nil
}

// argsOf splits the arguments of the call whose '(' is at i; it returns
// them and the index of the closing ')'.
func argsOf(toks []token, i int) ([][]token, int) {
	end := matchParen(toks, i)
	var args [][]token
	depth, start := 0, i+1
	for j := i + 1; j < end; j++ {
		switch {
		case toks[j].op("("):
			depth++
		case toks[j].op(")"):
			depth--
		case toks[j].op(",") && depth == 0:
			args = append(args, toks[start:j])
			start = j + 1
		}
	}
	if start < end {
		args = append(args, toks[start:end])
	}
	return args, end
}
