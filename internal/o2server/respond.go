package o2server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
)

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	code    int
	dropped bool
}

// WriteHeader records the status.
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (r *recorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

// Hijack lets faults drop the connection.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

// Unwrap gives http.ResponseController the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// countingReader counts the bytes read from the wire.
type countingReader struct {
	r io.ReadCloser
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// status answers with an empty body.
func (c *call) status(code int) {
	c.rw.WriteHeader(code)
}

// text answers with a plain-text body and no content type, as axum's
// string rejections and the auth layer do.
func (c *call) text(code int, msg string) {
	h := c.rw.Header()
	h["Content-Type"] = nil // no content type, and no sniffing either
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	c.rw.WriteHeader(code)
	_, _ = io.WriteString(c.rw, msg)
}

// typedText answers with a plain-text body labelled text/plain, as axum
// does for its own rejections.
func (c *call) typedText(code int, msg string) {
	c.rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.rw.WriteHeader(code)
	_, _ = io.WriteString(c.rw, msg)
}

// json answers with v encoded as serde_json would (no HTML escaping).
func (c *call) json(code int, v any) {
	b, err := marshalNoEscape(v)
	if err != nil {
		c.envelope(http.StatusInternalServerError, err.Error())
		return
	}
	c.raw(code, "application/json", b)
}

// raw answers with a body of the given content type.
func (c *call) raw(code int, contentType string, b []byte) {
	c.rw.Header().Set("Content-Type", contentType)
	c.rw.Header().Set("Content-Length", strconv.Itoa(len(b)))
	c.rw.WriteHeader(code)
	_, _ = c.rw.Write(b)
}

// envelope answers with the standard {"code","message"} body.
func (c *call) envelope(code int, msg string) {
	c.json(code, orderedObject{{"code", code}, {"message", msg}})
}

// processTime adds the o2_process_time header that ingestion handlers set.
func (c *call) processTime() {
	c.rw.Header()["o2_process_time"] = []string{strconv.FormatInt(c.started, 10)}
}

// rfloat is a float written as Rust's serde_json writes f64: "0.0", "1.5".
type rfloat float64

// MarshalJSON writes the float in ryu's form.
func (f rfloat) MarshalJSON() ([]byte, error) {
	return []byte(formatRyu(float64(f))), nil
}
