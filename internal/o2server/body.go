package o2server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// acceptEncoding applies the server's request decompression layer to the
// Content-Encoding header: snappy is set aside for remote write, gzip,
// deflate and zstd are decoded when the body is read, anything else is
// refused with 415, an Accept-Encoding header and no body.
func acceptEncoding(c *call) bool {
	enc := strings.ToLower(strings.TrimSpace(c.r.Header.Get("Content-Encoding")))
	switch enc {
	case "", "identity", "gzip", "x-gzip", "deflate", "zstd":
		return true
	case "snappy":
		c.r.Header.Del("Content-Encoding")
		c.r.Header.Set("x-original-content-encoding", "snappy")
		return true
	}
	c.rw.Header().Set("Accept-Encoding", "gzip,deflate,zstd")
	c.status(http.StatusUnsupportedMediaType)
	return false
}

// errTooLarge is the body limit failure.
var errTooLarge = errors.New("length limit exceeded")

// readBody reads and decompresses the request body, answering 413 past the
// payload limit (counted after decompression) and 400 for a corrupt
// compressed body. It reports false when it has answered.
func (c *call) readBody() bool {
	b, err := c.decodeBody()
	if err == nil {
		c.body = b
		c.s.totals.decoded.Add(int64(len(b)))
		return true
	}
	if errors.Is(err, errTooLarge) {
		c.typedText(http.StatusRequestEntityTooLarge, "Failed to buffer the request body: length limit exceeded")
		return false
	}
	c.typedText(http.StatusBadRequest, "Failed to buffer the request body: "+err.Error())
	return false
}

func (c *call) decodeBody() ([]byte, error) {
	var r io.Reader = c.r.Body
	switch strings.ToLower(strings.TrimSpace(c.r.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, err
		}
		defer zr.Close()
		r = zr
	case "deflate":
		raw, err := io.ReadAll(io.LimitReader(r, c.s.cfg.payloadLimit*2+1024))
		if err != nil {
			return nil, err
		}
		r = deflateReader(raw)
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(c.s.cfg.payloadLimit)+1<<20))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	limit := c.s.cfg.payloadLimit
	b, err := c.readAll(r, limit+1)
	if err != nil {
		if strings.Contains(err.Error(), "exceeds") || strings.Contains(err.Error(), "memory") {
			return nil, errTooLarge
		}
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// deflateReader reads "deflate" bodies, which HTTP defines as zlib but some
// clients send as raw deflate; tower-http accepts the zlib form.
func deflateReader(raw []byte) io.Reader {
	if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
		return zr
	}
	return flate.NewReader(bytes.NewReader(raw))
}

// readAll reads up to limit bytes, sized up front from the declared length
// so that large bodies are not copied while the buffer grows. Count-only
// servers keep nothing of a body after the request, so they reuse buffers.
func (c *call) readAll(r io.Reader, limit int64) ([]byte, error) {
	size := int64(512)
	if c.r.ContentLength > 0 {
		size = min(c.r.ContentLength, limit) + bytes.MinRead
	}
	var buf *bytes.Buffer
	if c.s.cfg.countOnly {
		buf = c.s.bufs.Get().(*bytes.Buffer)
		buf.Reset()
		c.pooled = buf
	} else {
		buf = new(bytes.Buffer)
	}
	buf.Grow(int(size))
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}

// maxPooled is the largest body buffer kept for reuse.
const maxPooled = 64 << 20

// release returns a pooled body buffer once the request is answered.
func (c *call) release() {
	if c.pooled != nil && c.pooled.Cap() <= maxPooled {
		c.body = nil
		c.s.bufs.Put(c.pooled)
	}
	c.pooled = nil
}
