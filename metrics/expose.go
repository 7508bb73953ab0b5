package metrics

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
)

// ExpositionContentType is the content type of the /metrics answer: the
// Prometheus text format, version 0.0.4.
const ExpositionContentType = "text/plain; version=0.0.4; charset=utf-8"

var bufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Handler returns an http.Handler that serves every metric in the
// Prometheus text format, for teams that also scrape (mount it at
// /metrics). It collects on each request, without touching the window
// store or idle expiry.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		buf := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(buf)
		buf.Reset()
		r.WriteText(buf)
		w.Header().Set("Content-Type", ExpositionContentType)
		_, _ = w.Write(buf.Bytes())
	})
}

// WriteText writes every metric in the Prometheus text format to buf.
func (r *Registry) WriteText(buf *bytes.Buffer) {
	r.collectMu.Lock()
	defer r.collectMu.Unlock()
	pts := r.gather()
	var last *family
	var line []byte
	for i := range pts {
		p := &pts[i]
		if p.fam != last {
			last = p.fam
			writeHeader(buf, p.fam)
		}
		line = appendLine(line[:0], p)
		buf.Write(line)
	}
}

func writeHeader(buf *bytes.Buffer, f *family) {
	if f.desc.Help != "" {
		buf.WriteString("# HELP " + f.desc.Name + " ")
		buf.WriteString(helpEscaper.Replace(f.desc.Help))
		buf.WriteByte('\n')
	}
	buf.WriteString("# TYPE " + f.desc.Name + " " + f.kind.String() + "\n")
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// appendLine writes one sample line: name{labels} value.
func appendLine(dst []byte, p *point) []byte {
	dst = append(dst, p.name...)
	labels := p.fam.desc.Labels
	if len(labels) > 0 || p.extra != "" {
		dst = append(dst, '{')
		for i, l := range labels {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendLabel(dst, l, p.values[i])
		}
		if p.extra != "" {
			if len(labels) > 0 {
				dst = append(dst, ',')
			}
			dst = appendLabel(dst, p.extra, p.extraValue)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ' ')
	dst = appendFloat(dst, p.value)
	return append(dst, '\n')
}

func appendLabel(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, '=', '"')
	dst = append(dst, valueEscaper.Replace(value)...)
	return append(dst, '"')
}
