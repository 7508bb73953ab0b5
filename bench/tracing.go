package bench

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/tracing"
)

// SpanName and SpanAttrs make the typical span of the tracing benchmarks:
// an HTTP route with four attributes.
const SpanName = "GET /cart/{id}"

// SpanAttrs returns the typical span's attributes.
func SpanAttrs() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("http.request.method", "GET"),
		attribute.String("http.route", "/cart/{id}"),
		attribute.String("user.id", "u-123456"),
		attribute.Int64("cart.items", 3),
	}
}

// Tracing is a TracerProvider with a batch span processor at the SDK's
// defaults and an exporter to a server, for the span benchmarks.
type Tracing struct {
	Tracer   trace.Tracer
	exported func() int64
	close    func(context.Context) error
}

// Exported returns the spans the server acknowledged.
func (t *Tracing) Exported() int64 { return t.exported() }

// Close hands what the processor holds to the exporter and waits for it
// to be sent, then stops everything.
func (t *Tracing) Close(ctx context.Context) error { return t.close(ctx) }

// O2kitTracing is tracing.Setup on an o2kit client of s at its defaults,
// writing to stream. Exported is the client's Sent for the stream.
func (s *Server) O2kitTracing(stream string, errs *Errors) (*Tracing, error) {
	c, err := s.Client(errs)
	if err != nil {
		return nil, err
	}
	tp, stop, err := tracing.Setup(context.Background(), c, tracing.WithStream(stream), tracing.WithSampler(tracing.Always()))
	if err != nil {
		return nil, errors.Join(err, c.Shutdown(context.Background()))
	}
	return &Tracing{
		Tracer:   tp.Tracer("o2kit/bench"),
		exported: func() int64 { return int64(c.Stats().Streams["traces:"+o2kit.StreamName(stream)].Sent) },
		close: func(ctx context.Context) error {
			return errors.Join(stop(ctx), c.Flush(ctx), c.Shutdown(ctx))
		},
	}, nil
}

// OTelTracing is the stock path: otlptracehttp to s's OTLP traces
// endpoint with the stream-name header, at its defaults but the endpoint
// and headers, the exporter wrapped only to count what it delivered.
func (s *Server) OTelTracing(stream string) (*Tracing, error) {
	basic := base64.StdEncoding.EncodeToString([]byte(s.User + ":" + s.Password))
	exp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(s.URL+"/api/"+Org+"/v1/traces"),
		otlptracehttp.WithHeaders(map[string]string{"Authorization": "Basic " + basic, "stream-name": stream}),
	)
	if err != nil {
		return nil, err
	}
	ce := &countingSpanExporter{SpanExporter: exp}
	res, err := resource.New(context.Background(), resource.WithHost(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(ce), sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.AlwaysSample()))
	return &Tracing{
		Tracer:   tp.Tracer("o2kit/bench"),
		exported: ce.n.Load,
		close: func(ctx context.Context) error {
			return errors.Join(tp.ForceFlush(ctx), tp.Shutdown(ctx))
		},
	}, nil
}

// countingSpanExporter counts the spans of successful exports.
type countingSpanExporter struct {
	sdktrace.SpanExporter
	n atomic.Int64
}

func (e *countingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	if err == nil {
		e.n.Add(int64(len(spans)))
	}
	return err
}

// StartSpanSink starts, in this process, the least server an OTLP/HTTP
// traces exporter can talk to: it reads and discards each request body
// (gunzipping it when it is compressed, as any server must) and answers
// 200 with an empty body, a full success in OTLP/HTTP protobuf. It checks
// no credentials and counts nothing; delivered spans are what the
// exporters report. Count always answers -1.
func StartSpanSink() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(discardSpans)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	return &Server{
		URL: "http://" + ln.Addr().String(), User: "bench@example.com", Password: "bench-password",
		count: func(string, string) (int64, error) { return -1, errors.New("bench: the span sink counts nothing") },
		stop: func() error {
			err := hs.Close()
			<-done
			return err
		},
	}, nil
}

func discardSpans(w http.ResponseWriter, r *http.Request) {
	body, ok := requestBody(w, r)
	if !ok {
		return
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}
