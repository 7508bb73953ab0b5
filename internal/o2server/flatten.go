package o2server

import (
	"errors"

	"github.com/o2kit/o2kit/internal/norm"
)

// errNotObject is the record failure for a value that is not an object.
var errNotObject = errors.New("flatten value must be an object")

// flattener turns nested records into the flat rows the server stores
// (src/config/src/utils/flatten.rs): keys are normalised and joined with
// '_', objects at the depth limit and all arrays become JSON strings, empty
// objects and arrays and nested nulls are dropped.
type flattener struct {
	level  int  // depth limit; 0 means unlimited
	sorted bool // key order inside stringified objects
}

// flatten returns the flat object for v, or errNotObject.
func (f flattener) flatten(v jvalue) (jvalue, error) {
	if v.kind != jObject {
		return jvalue{}, errNotObject
	}
	if isFlat(&v) {
		// The server's fast path: keys are normalised and nulls kept.
		out := jvalue{kind: jObject, obj: make([]jmember, 0, len(v.obj))}
		for _, m := range v.obj {
			out.set(norm.Key(m.key), m.val)
		}
		return out, nil
	}
	out := jvalue{kind: jObject, obj: make([]jmember, 0, len(v.obj)+4)}
	f.object(&out, v.obj, "", 0)
	return out, nil
}

func isFlat(v *jvalue) bool {
	for i := range v.obj {
		if k := v.obj[i].val.kind; k == jObject || k == jArray {
			return false
		}
	}
	return true
}

func (f flattener) value(out *jvalue, v jvalue, key string, depth int) {
	switch v.kind {
	case jObject:
		f.object(out, v.obj, key, depth)
	case jArray:
		if len(v.arr) == 0 {
			return
		}
		out.set(key, jstr(string(appendJSON(nil, &v, f.sorted))))
	case jNull:
		// nested nulls are not stored
	default:
		out.set(key, v)
	}
}

func (f flattener) object(out *jvalue, members []jmember, parent string, depth int) {
	if len(members) == 0 {
		return
	}
	if f.level > 0 && depth >= f.level {
		obj := jvalue{kind: jObject, obj: members}
		out.set(parent, jstr(string(appendJSON(nil, &obj, f.sorted))))
		return
	}
	for _, m := range members {
		key := norm.Key(m.key)
		if depth > 0 {
			key = parent + "_" + key
		}
		f.value(out, m.val, key, depth+1)
	}
}
