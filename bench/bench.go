// Package bench measures o2kit's exporter against its peers: the standard
// library's slog.JSONHandler writing to io.Discard, and the OpenTelemetry
// log SDK (otelslog on an sdk/log BatchProcessor with the otlploghttp
// exporter). Every path ships to the embedded dev server
// (internal/o2server) in count-only mode on loopback, in this process or in
// a child process ([StartChild]); the OpenTelemetry path also goes to a bare
// OTLP sink for comparison. What a run reports as delivered is what the
// server counted.
//
// The benchmarks are in the package's test files; README.md says what each
// measures and run.sh runs them all with benchstat. This file holds the
// record and the clients; server.go and sink.go hold the servers.
package bench

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/o2kit/o2kit"
)

// Org is the organization every benchmark writes to.
const Org = "default"

// Message is the message of the typical record.
const Message = "order placed"

// Attrs returns the attributes of a typical e-commerce record: eight
// fields of the kinds a service logs most.
func Attrs() []slog.Attr {
	return []slog.Attr{
		slog.String("user_id", "u-4f1c2a9e"),
		slog.String("order_id", "ord-20261125-000731"),
		slog.Int64("amount_minor", 129900),
		slog.String("currency", "EUR"),
		slog.Float64("latency_ms", 12.75),
		slog.Bool("first_order", true),
		slog.Duration("elapsed", 1530*time.Millisecond),
		slog.Int("seq", 42),
	}
}

// Record returns the typical record as o2kit takes it: the message as a
// "message" field, then [Attrs]. Its attribute slice is built here once and
// may be emitted any number of times.
func Record(stream string) o2kit.Record {
	return o2kit.Record{
		Stream: stream,
		Attrs:  append([]slog.Attr{slog.String("message", Message)}, Attrs()...),
	}
}

// Errors counts the background failures a client reports, keeping the
// first, so benchmarks stay quiet and tests can look.
type Errors struct {
	n     atomic.Int64
	first atomic.Pointer[error]
}

// Handle counts err.
func (e *Errors) Handle(err error) {
	e.n.Add(1)
	e.first.CompareAndSwap(nil, &err)
}

// Count returns how many failures were reported.
func (e *Errors) Count() int64 { return e.n.Load() }

// First returns the first failure reported, or nil.
func (e *Errors) First() error {
	if p := e.first.Load(); p != nil {
		return *p
	}
	return nil
}

// NewClient returns an o2kit client of the server at base with the given
// credentials, reporting failures to errs, with opts after those.
func NewClient(base, user, pass string, errs *Errors, opts ...o2kit.Option) (*o2kit.Client, error) {
	all := append([]o2kit.Option{
		o2kit.WithEndpoint(base),
		o2kit.WithOrg(Org),
		o2kit.WithBasicAuth(user, pass),
		o2kit.WithErrorHandler(errs),
	}, opts...)
	return o2kit.New(all...)
}

// Client returns an o2kit client of s; see [NewClient].
func (s *Server) Client(errs *Errors, opts ...o2kit.Option) (*o2kit.Client, error) {
	return NewClient(s.URL, s.User, s.Password, errs, opts...)
}

// OTel is the OpenTelemetry path: slog through otelslog into an sdk/log
// LoggerProvider whose default BatchProcessor exports with otlploghttp.
type OTel struct {
	Provider *sdklog.LoggerProvider
	Logger   *slog.Logger
	exp      *countingExporter
}

// Exported returns how many records the exporter reported as delivered:
// those in Export calls that returned nil.
func (o *OTel) Exported() int64 { return o.exp.n.Load() }

// countingExporter counts the records of successful exports, once per
// batch, so the benchmarks can check the SDK against the server.
type countingExporter struct {
	sdklog.Exporter
	n atomic.Int64
}

func (e *countingExporter) Export(ctx context.Context, records []sdklog.Record) error {
	err := e.Exporter.Export(ctx, records)
	if err == nil {
		e.n.Add(int64(len(records)))
	}
	return err
}

// OTel returns the OpenTelemetry path to s's OTLP logs endpoint, counting
// into stream (the stream-name header). Everything is at its defaults but
// the endpoint and the headers; the exporter is wrapped only to count what
// it delivered.
func (s *Server) OTel(stream string) (*OTel, error) {
	basic := base64.StdEncoding.EncodeToString([]byte(s.User + ":" + s.Password))
	exp, err := otlploghttp.New(context.Background(),
		otlploghttp.WithEndpointURL(s.URL+"/api/"+Org+"/v1/logs"),
		otlploghttp.WithInsecure(),
		otlploghttp.WithHeaders(map[string]string{
			"Authorization": "Basic " + basic,
			"stream-name":   stream,
		}),
	)
	if err != nil {
		return nil, err
	}
	ce := &countingExporter{Exporter: exp}
	p := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(ce)))
	return &OTel{
		Provider: p,
		Logger:   otelslog.NewLogger("o2kit/bench", otelslog.WithLoggerProvider(p)),
		exp:      ce,
	}, nil
}

// Close flushes what the BatchProcessor holds, then shuts it down.
func (o *OTel) Close(ctx context.Context) error {
	return errors.Join(o.Provider.ForceFlush(ctx), o.Provider.Shutdown(ctx))
}

// Percentile returns the q-quantile (0 < q ≤ 1) of sorted by the
// nearest-rank method.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Sorted returns a sorted copy of ds.
func Sorted(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}
