package o2server

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
)

// Texts of axum's Json extractor rejections.
const (
	msgNeedJSON   = "Expected request with `Content-Type: application/json`"
	msgJSONSyntax = "Failed to parse the request body as JSON: "
	msgJSONData   = "Failed to deserialize the JSON body into the target type: "
)

// jsonBody reads a body the way axum's Json extractor does: the content
// type must be JSON (415), the body must parse (400). It reports false when
// it has answered.
func (c *call) jsonBody() (jvalue, bool) {
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || !(mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		c.typedText(http.StatusUnsupportedMediaType, msgNeedJSON)
		return jvalue{}, false
	}
	if !c.readBody() {
		return jvalue{}, false
	}
	v, jerr := parseJSON(c.body)
	if jerr != nil {
		c.typedText(http.StatusBadRequest, msgJSONSyntax+jerr.Error())
		return jvalue{}, false
	}
	return v, true
}

// readJSON decodes a JSON body into v, answering 415, 400 or 422 as axum
// does.
func (c *call) readJSON(v any) bool {
	if _, ok := c.jsonBody(); !ok {
		return false
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		c.typedText(http.StatusUnprocessableEntity, msgJSONData+serdeTypeError(err))
		return false
	}
	return true
}

// serdeTypeError words an encoding/json decoding error as serde would.
func serdeTypeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := map[string]string{
			"string": "a string", "bool": "a boolean", "int64": "i64", "int": "i64", "uint32": "u32",
			"float64": "f64",
		}[te.Type.String()]
		if want == "" {
			want = "struct " + te.Type.String()
		}
		msg := "invalid type: " + te.Value + ", expected " + want
		if te.Field != "" {
			return te.Field + ": " + msg
		}
		return msg
	}
	return err.Error()
}

// fieldReader reads typed members of a parsed JSON object, keeping the
// first error in serde's words.
type fieldReader struct {
	path string
	obj  *jvalue
	err  string
}

func (r *fieldReader) fail(name, msg string) {
	if r.err != "" {
		return
	}
	p := name
	if r.path != "" {
		p = r.path + "." + name
	}
	r.err = p + ": " + msg
}

func (r *fieldReader) missing(name string) {
	if r.err != "" {
		return
	}
	r.err = "missing field `" + name + "`"
	if r.path != "" {
		r.err = r.path + ": " + r.err
	}
}

func describe(v *jvalue) string {
	switch v.kind {
	case jString:
		return "string " + rustQuote(v.s)
	case jNumber:
		if _, ok := v.isInt(); ok {
			return "integer `" + v.s + "`"
		}
		return "floating point `" + v.s + "`"
	case jBool:
		if v.b {
			return "boolean `true`"
		}
		return "boolean `false`"
	case jArray:
		return "sequence"
	case jObject:
		return "map"
	}
	return "null"
}

func (r *fieldReader) str(name string, required bool) string {
	v, ok := r.obj.get(name)
	if !ok || v.kind == jNull && !required {
		if required {
			r.missing(name)
		}
		return ""
	}
	if v.kind != jString {
		r.fail(name, "invalid type: "+describe(v)+", expected a string")
		return ""
	}
	return v.s
}

func (r *fieldReader) int(name string, required bool, def int64) int64 {
	v, ok := r.obj.get(name)
	if !ok || v.kind == jNull && !required {
		if required {
			r.missing(name)
		}
		return def
	}
	n, isInt := v.isInt()
	if !isInt {
		r.fail(name, "invalid type: "+describe(v)+", expected i64")
		return def
	}
	return n
}

func (r *fieldReader) bool(name string) bool {
	v, ok := r.obj.get(name)
	if !ok || v.kind == jNull {
		return false
	}
	if v.kind != jBool {
		r.fail(name, "invalid type: "+describe(v)+", expected a boolean")
		return false
	}
	return v.b
}
