// Package sqlq quotes values and names for the SQL o2kit sends to
// OpenObserve's _search (DataFusion, PostgreSQL dialect) and that the dev
// server runs on SQLite, so no caller ever splices user input unescaped.
package sqlq

import "strings"

// String returns s as a SQL string literal: single quotes doubled. Both
// DataFusion and SQLite read backslashes in standard strings literally. A
// NUL byte, which some drivers cut strings at, is dropped.
func String(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Ident returns name as a quoted SQL identifier: double quotes doubled,
// NUL bytes dropped.
func Ident(name string) string {
	name = strings.ReplaceAll(name, "\x00", "")
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
