package wire

// DocIDKey is the field OpenObserve takes a document id from. Its write
// path reads the field as a string and fails on any other value: the
// request fails with a server error and the whole batch with it.
const DocIDKey = "_id"

// docIDOpen is the opening of a top-level DocIDKey field.
const docIDOpen = `,"` + DocIDKey + `":`

// docID makes the field at dst[mark:] safe to send when it is a
// DocIDKey field whose value is not a string: a number or a boolean is
// written as a string of its text, and null (a NaN, a nil) leaves the
// field out, as the server leaves out nulls.
func docID(dst []byte, mark int) []byte {
	f := dst[mark:]
	if len(f) <= len(docIDOpen) || string(f[:len(docIDOpen)]) != docIDOpen {
		return dst
	}
	at := mark + len(docIDOpen)
	switch v := dst[at:]; {
	case v[0] == '"':
		return dst
	case string(v) == "null":
		return dst[:mark]
	}
	// A number or a boolean: nothing in it needs escaping.
	dst = append(dst, 0)
	copy(dst[at+1:], dst[at:len(dst)-1])
	dst[at] = '"'
	return append(dst, '"')
}
