package o2server

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// Stream types.
const (
	typeLogs    = "logs"
	typeMetrics = "metrics"
	typeTraces  = "traces"
)

var streamTypes = []string{typeLogs, typeMetrics, typeTraces}

// stream is one stream's schema, settings and statistics. Its rows live in
// the SQLite table named by table.
type stream struct {
	name      string
	typ       string
	table     string
	fields    []field // in table column order
	index     map[string]int
	settings  streamSettings
	createdAt int64
	minTS     int64
	maxTS     int64
	size      int64 // bytes of the stored records
	docs      int64 // rows stored
	nextRow   int64 // rowid of the next row
	epochs    map[string][]epoch
	hasTable  bool
	accepted  atomic.Int64
}

// epoch records that rows from rowid on were written with a column type.
type epoch struct {
	from int64
	typ  string
}

// writtenType is the type a column had when the row was written.
func (st *stream) writtenType(name string, rowid int64) string {
	es := st.epochs[name]
	t := es[0].typ
	for _, e := range es {
		if rowid >= e.from {
			t = e.typ
		}
	}
	return t
}

func (st *stream) field(name string) (field, bool) {
	i, ok := st.index[name]
	if !ok {
		return field{}, false
	}
	return st.fields[i], true
}

// database holds the streams of one org and stream type in one in-memory
// SQLite database, reached through a single connection.
type database struct {
	drv *sqlite.Driver

	mu      sync.Mutex // guards the fields below and every use of conn
	conn    driver.Conn
	closed  bool
	streams map[string]*stream
	order   []string // stream names in creation order
	nextID  int
}

func newDatabase(drv *sqlite.Driver) *database {
	return &database{drv: drv, streams: map[string]*stream{}}
}

// close releases the SQLite connection.
func (db *database) close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.closed = true
	if db.conn == nil {
		return nil
	}
	err := db.conn.Close()
	db.conn = nil
	return err
}

func (db *database) open() error {
	if db.conn != nil {
		return nil
	}
	if db.closed {
		return errors.New("o2server: server is closed")
	}
	c, err := db.drv.Open(":memory:")
	if err != nil {
		return err
	}
	db.conn = c
	return nil
}

// exec runs a statement with arguments. The caller holds db.mu.
func (db *database) exec(query string, args ...any) error {
	if err := db.open(); err != nil {
		return err
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	_, err := db.conn.(driver.ExecerContext).ExecContext(context.Background(), query, named)
	return err
}

// resultSet is a query result: column names, SQLite declared types and rows.
type resultSet struct {
	cols  []string
	decls []string
	rows  [][]driver.Value
}

// query runs a query and reads every row. The caller holds db.mu.
func (db *database) query(ctx context.Context, query string) (*resultSet, error) {
	if err := db.open(); err != nil {
		return nil, err
	}
	rows, err := db.conn.(driver.QueryerContext).QueryContext(ctx, query, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	rs := &resultSet{cols: rows.Columns()}
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	for i := range rs.cols {
		decl := ""
		if typed != nil {
			decl = typed.ColumnTypeDatabaseTypeName(i)
		}
		rs.decls = append(rs.decls, decl)
	}
	for {
		vals := make([]driver.Value, len(rs.cols))
		if err := rows.Next(vals); err != nil {
			if errors.Is(err, io.EOF) {
				return rs, nil
			}
			return nil, err
		}
		rs.rows = append(rs.rows, vals)
	}
}

// quoteIdent quotes a SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// ensureStream returns the stream, creating it when missing. Its table is
// made on first write, so count-only servers never touch SQLite. The caller
// holds db.mu.
func (db *database) ensureStream(name, typ string, now int64) *stream {
	if st, ok := db.streams[name]; ok {
		return st
	}
	db.nextID++
	st := &stream{
		name:      name,
		typ:       typ,
		table:     fmt.Sprintf("o2#t%d", db.nextID),
		index:     map[string]int{},
		epochs:    map[string][]epoch{},
		settings:  defaultSettings(),
		createdAt: now,
	}
	db.streams[name] = st
	db.order = append(db.order, name)
	return st
}

// ensureTable creates the stream's table. The caller holds db.mu.
func (db *database) ensureTable(st *stream) error {
	if st.hasTable {
		return nil
	}
	if err := db.exec("CREATE TABLE " + quoteIdent(st.table) + " (" + rowidCol + " INTEGER PRIMARY KEY)"); err != nil {
		return err
	}
	st.hasTable = true
	return nil
}

// dropStream removes a stream and its rows. The caller holds db.mu.
func (db *database) dropStream(name string) {
	st, ok := db.streams[name]
	if !ok {
		return
	}
	if st.hasTable {
		_ = db.exec("DROP TABLE " + quoteIdent(st.table))
	}
	delete(db.streams, name)
	db.order = slices.DeleteFunc(db.order, func(n string) bool { return n == name })
}

// addField adds a column. The caller holds db.mu.
func (db *database) addField(st *stream, f field) error {
	if _, ok := st.index[f.name]; ok {
		return nil
	}
	if err := db.ensureTable(st); err != nil {
		return err
	}
	q := "ALTER TABLE " + quoteIdent(st.table) + " ADD COLUMN " + quoteIdent(f.name) + " " + declType(f.typ)
	if err := db.exec(q); err != nil {
		return err
	}
	st.index[f.name] = len(st.fields)
	st.fields = append(st.fields, f)
	st.epochs[f.name] = []epoch{{from: st.nextRow, typ: f.typ}}
	return nil
}

// retype widens a column to a new type, converting the stored values as
// reading old data under the new schema would. SQLite cannot change a
// column's type, so the column is rebuilt and moves to the end.
func (db *database) retype(st *stream, name, to string) error {
	i, ok := st.index[name]
	if !ok {
		return nil
	}
	tbl, col, tmp := quoteIdent(st.table), quoteIdent(name), quoteIdent("o2#widen")
	rs, err := db.query(context.Background(), "SELECT "+rowidCol+", "+col+" FROM "+tbl+" WHERE "+col+" IS NOT NULL")
	if err != nil {
		return err
	}
	if err := db.exec("ALTER TABLE " + tbl + " ADD COLUMN " + tmp + " " + declType(to)); err != nil {
		return err
	}
	for _, r := range rs.rows {
		from := st.writtenType(name, r[0].(int64))
		if err := db.exec("UPDATE "+tbl+" SET "+tmp+" = ? WHERE "+rowidCol+" = ?", convertStored(r[1], from, to), r[0]); err != nil {
			return err
		}
	}
	for _, q := range []string{
		"ALTER TABLE " + tbl + " DROP COLUMN " + col,
		"ALTER TABLE " + tbl + " RENAME COLUMN " + tmp + " TO " + col,
	} {
		if err := db.exec(q); err != nil {
			return err
		}
	}
	st.fields = append(slices.Delete(st.fields, i, i+1), field{name: name, typ: to})
	st.epochs[name] = append(st.epochs[name], epoch{from: st.nextRow, typ: to})
	for j, f := range st.fields {
		st.index[f.name] = j
	}
	return nil
}

// insert stores rows of column values in table column order. The caller
// holds db.mu.
func (db *database) insert(st *stream, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	cols := []string{rowidCol}
	marks := []string{"?"}
	for _, f := range st.fields {
		cols = append(cols, quoteIdent(f.name))
		marks = append(marks, "?")
	}
	q := "INSERT INTO " + quoteIdent(st.table) + " (" + strings.Join(cols, ",") + ") VALUES (" + strings.Join(marks, ",") + ")"
	if err := db.exec("BEGIN"); err != nil {
		return err
	}
	stmt, err := db.conn.Prepare(q)
	if err != nil {
		_ = db.exec("ROLLBACK")
		return err
	}
	defer stmt.Close()
	ex := stmt.(driver.StmtExecContext)
	args := make([]driver.NamedValue, len(cols))
	next := st.nextRow
	for _, r := range rows {
		args[0] = driver.NamedValue{Ordinal: 1, Value: next}
		for i := 1; i < len(args); i++ {
			var v any
			if i-1 < len(r) {
				v = r[i-1]
			}
			args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
		}
		if _, err := ex.ExecContext(context.Background(), args); err != nil {
			_ = db.exec("ROLLBACK")
			return err
		}
		next++
	}
	if err := db.exec("COMMIT"); err != nil {
		return err
	}
	st.nextRow = next
	return nil
}

// rows reads a stream's rows in ingestion order, converted as search hits
// are. The caller holds db.mu.
func (db *database) rows(st *stream) ([]map[string]any, error) {
	if len(st.fields) == 0 || !st.hasTable {
		return nil, nil
	}
	cols := make([]string, len(st.fields))
	for i, f := range st.fields {
		cols[i] = quoteIdent(f.name)
	}
	rs, err := db.query(context.Background(), "SELECT "+strings.Join(cols, ",")+" FROM "+quoteIdent(st.table)+" ORDER BY "+rowidCol)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(rs.rows))
	for _, r := range rs.rows {
		m := map[string]any{}
		for i, v := range r {
			if v = hitValue(v, rs.decls[i]); v != nil {
				m[rs.cols[i]] = v
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// hitValue converts a SQLite value to what a search hit holds, using the
// declared column type for booleans and unsigned integers.
func hitValue(v driver.Value, decl string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		return string(x)
	case int64:
		switch decl {
		case "BOOLEAN":
			return x != 0
		case "UBIGINT":
			return uint64(x)
		}
		return x
	case float64:
		switch decl {
		case "BOOLEAN":
			return x != 0
		case "UBIGINT":
			return uint64(max(0, min(x, math.MaxUint64)))
		}
		return x
	}
	return v
}

// rowidCol is the table column that keeps ingestion order; it never shows in
// schemas or query results. Internal names hold '#', which neither stream
// names nor normalised keys can, so they never collide with user names.
const rowidCol = `"o2#rowid"`
