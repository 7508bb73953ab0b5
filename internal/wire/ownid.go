package wire

import (
	"log/slog"
)

// MaxOwnID is the longest own id a record may bring.
const MaxOwnID = 128

// maxInlineOwn bounds how deep in inline groups (empty key) an own id is
// looked for.
const maxInlineOwn = 8

// noteOwn notes a, a string attr whose key is reserved, when it is the
// first that names the record's own id: named exactly IDKey, at the top
// level or in inline groups (empty key), which stand at the top level.
// The first such attr decides, but an empty one inside an inline group
// does not. An empty id, one longer than MaxOwnID, or one JSON would need
// escaped is not one to keep ([SafeID]): ids are written as they are, and
// a quote in one would break its line and with it the whole batch.
func (e *Encoder) noteOwn(a *slog.Attr, depth int) {
	if e.own.decided || len(e.pfx) != 0 || depth > maxInlineOwn || e.IDKey == "" || a.Key != e.IDKey {
		return
	}
	s := a.Value.String()
	if depth > 0 && s == "" {
		return
	}
	e.own = ownState{id: s, ok: s != "" && len(s) <= MaxOwnID && SafeID(s), decided: true}
}

// OwnID returns the own id of the record last written, and whether it
// has one to keep.
func (e *Encoder) OwnID() (string, bool) { return e.own.id, e.own.ok }

// ReplaceID replaces the id Begin (or AppendRecord) wrote into dst, the
// buffer holding the record, with id, which must need no escaping in JSON
// ([SafeID]). It reports false, with dst unchanged, when no id was
// written.
func (e *Encoder) ReplaceID(dst []byte, id string) ([]byte, bool) {
	if e.idEnd == 0 || e.idEnd > len(dst) {
		return dst, false
	}
	tail := dst[e.idEnd:]
	if grow := len(id) - (e.idEnd - e.idAt); grow > 0 {
		dst = append(dst, make([]byte, grow)...)
	}
	end := e.idAt + len(id)
	copy(dst[end:], tail) // memmove: the regions may overlap
	dst = dst[:end+len(tail)]
	copy(dst[e.idAt:], id)
	e.idEnd = 0
	return dst, true
}

// SafeID reports whether id may be written into a record as it is, as
// the id given to AppendRecord or Begin is: it needs no escaping in JSON.
func SafeID(id string) bool { return safePrefix(id) == len(id) }
