package transport

import (
	"bytes"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Encoding is a request body's Content-Encoding.
type Encoding uint8

// The encodings OpenObserve decodes (tower-http's decompression layer).
const (
	Gzip Encoding = iota
	Zstd
	Identity
)

// String returns the Content-Encoding token, empty for Identity.
func (e Encoding) String() string {
	switch e {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return ""
}

// compressor compresses request bodies, reusing encoders and buffers.
// Safe for concurrent use.
type compressor struct {
	enc  Encoding
	gz   sync.Pool // *gzip.Writer
	zstd *zstd.Encoder
	bufs sync.Pool // *bytes.Buffer
}

func newCompressor(enc Encoding) (*compressor, error) {
	c := &compressor{enc: enc}
	c.gz.New = func() any {
		// Level 1: JSON logs still shrink several-fold, at a fraction of the
		// CPU the default level costs the calling service.
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}
	c.bufs.New = func() any { return new(bytes.Buffer) }
	if enc == Zstd {
		z, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		c.zstd = z
	}
	return c, nil
}

// compress returns body encoded, in a buffer the caller gives back with
// release. For Identity it returns body itself and a nil buffer.
func (c *compressor) compress(body []byte) ([]byte, *bytes.Buffer) {
	switch c.enc {
	case Gzip:
		buf := c.bufs.Get().(*bytes.Buffer)
		buf.Reset()
		w := c.gz.Get().(*gzip.Writer)
		w.Reset(buf)
		_, _ = w.Write(body) // writes to a bytes.Buffer cannot fail
		_ = w.Close()
		c.gz.Put(w)
		return buf.Bytes(), buf
	case Zstd:
		buf := c.bufs.Get().(*bytes.Buffer)
		buf.Reset()
		out := c.zstd.EncodeAll(body, buf.AvailableBuffer())
		buf.Write(out)
		return buf.Bytes(), buf
	}
	return body, nil
}

func (c *compressor) release(buf *bytes.Buffer) {
	if buf != nil && buf.Cap() <= 8<<20 {
		c.bufs.Put(buf)
	}
}

func (c *compressor) close() {
	if c.zstd != nil {
		_ = c.zstd.Close()
	}
}
