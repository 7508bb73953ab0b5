package o2server

import (
	"database/sql/driver"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenize(t *testing.T) {
	toks, err := tokenize(`SELECT "My ""Col""", 'it''s', 1.5e3 -- note
	FROM /* c */ t WHERE a<>b::int`)
	require.NoError(t, err)
	var texts []string
	for _, tk := range toks {
		texts = append(texts, tk.text)
	}
	assert.Equal(t, []string{"SELECT", `"My ""Col"""`, ",", `'it''s'`, ",", "1.5e3", "FROM", "t", "WHERE", "a", "<>", "b", "::", "int"}, texts)
	assert.Equal(t, `My "Col"`, toks[1].val)
	assert.Equal(t, "it's", toks[3].val)
	_, err = tokenize(`SELECT 'open`)
	assert.Error(t, err)
	_, err = tokenize(`SELECT /* open`)
	assert.Error(t, err)
}

func TestRewriteWithCTEsAndSubqueries(t *testing.T) {
	st := &stream{name: "app", table: "o2#t1", hasTable: true, fields: []field{{"_timestamp", tInt64}, {"n", tInt64}}, index: map[string]int{"_timestamp": 0, "n": 1}}
	in := queryInput{streams: map[string]*stream{"app": st}, start: 10, end: 20, size: 5}
	in.sql = "WITH recent AS (SELECT n FROM app WHERE n > 1) SELECT * FROM recent WHERE n IN (SELECT n FROM app) LIMIT 3"
	plan, err := rewrite(in)
	require.Nil(t, err)
	assert.Equal(t, `WITH "app" AS (SELECT "_timestamp", "n" FROM "o2#t1" WHERE "_timestamp" >= 10 AND "_timestamp" < 20), recent as (select n from app where n > 1) select * from recent where n in (select n from app) LIMIT 5`, plan.sql)
	assert.Empty(t, plan.orderBy, "no default order over a CTE")

	in.sql = "SELECT EXTRACT(YEAR FROM x) FROM app AS a JOIN app b ON a.n = b.n"
	plan, err = rewrite(in)
	require.Nil(t, err)
	assert.Len(t, plan.streams, 1)
	assert.Empty(t, plan.orderBy, "a self-join reads the stream twice")

	in.sql = "SELECT * FROM app ORDER BY n DESC NULLS LAST, _timestamp"
	plan, err = rewrite(in)
	require.Nil(t, err)
	assert.Equal(t, [][2]string{{"n", "desc"}, {"_timestamp", "asc"}}, plan.orderBy)

	in.sql, in.size, in.from = "SELECT * FROM app OFFSET 4", -1, 0
	plan, err = rewrite(in)
	require.Nil(t, err)
	assert.Contains(t, plan.sql, "LIMIT 1001 OFFSET 4")
	assert.True(t, plan.capped)

	for _, bad := range []string{"", ";", "WITH x SELECT 1", "WITH x AS SELECT 1", "SELECT * FROM main.app", "SELECT * FROM json_each('[]')"} {
		in.sql = bad
		_, err = rewrite(in)
		assert.NotNil(t, err, bad)
	}
}

func TestLikeMatch(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"a%", "abc", true}, {"%c", "abc", true}, {"a_c", "abc", true}, {"a_c", "ac", false},
		{`100\%`, "100%", true}, {`100\%`, "1000", false}, {"%%b%", "xbx", true}, {"", "", true}, {"abc", "ab", false},
	} {
		assert.Equal(t, tt.want, likeMatch([]rune(tt.p), []rune(tt.s), '\\'), "%q LIKE %q", tt.s, tt.p)
	}
	v, _ := likeEscFn([]driver.Value{"a!%", "a%", "!"})
	assert.Equal(t, true, v)
	v, _ = likeFn([]driver.Value{nil, "x"}, false, '\\')
	assert.Nil(t, v)
}

func TestSearchSQLFeatures(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 3)
	hits := c.hits(`WITH e AS (SELECT n, level FROM app WHERE level = 'error') SELECT level, count(*) AS c FROM e GROUP BY level`)
	assert.Equal(t, []map[string]any{{"level": "error", "c": float64(1)}}, hits)
	hits = c.hits(`SELECT o2 FROM (SELECT regexp_replace(level, 'r+', 'R') AS o2 FROM app) WHERE o2 = 'eRoR'`)
	assert.Len(t, hits, 1)
	hits = c.hits(`SELECT n FROM app WHERE message LIKE 'Order 1 %' ESCAPE '!'`)
	assert.Len(t, hits, 1)
	hits = c.hits(`SELECT "n" FROM "app" WHERE n::int >= 1 ORDER BY n`)
	assert.Len(t, hits, 2)
}

func TestRoutePriorityFavoursStaticSegments(t *testing.T) {
	c := newTestServer(t)
	// /streams/_json is stream create, not ingestion into a stream "streams".
	r := c.postJSON("/api/default/streams/_json", `{"fields":[],"settings":{}}`)
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.JSONEq(t, `{"code":200,"message":"stream created"}`, r.text())
	assert.Equal(t, http.StatusMethodNotAllowed, c.do(http.MethodGet, "/api/default/streams/x", nil).status)
}
