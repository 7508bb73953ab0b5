package tracing

import (
	"context"
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/o2kit/o2kit"
)

// NewExporter returns an OTLP span exporter (otlptrace.New with a client of
// this package's) that hands each batch of spans, encoded as one
// OTLP/protobuf export request, to client.EmitOTLP for the traces stream
// ([WithStream]; default client.Streams().Traces). From there the shared
// exporter does the rest: auth, TLS, compression, retries, failover, the
// byte budget and the spool, and Stats under "traces:"+stream. Use it to
// add o2kit export to a TracerProvider built elsewhere; [Setup] uses it
// for its own. Only WithStream concerns it.
//
// Export does not wait for the server: it returns once the client has
// taken the batch, or with the client's error (o2kit.ErrOverflow,
// o2kit.ErrClosed) when it did not, the spans counted as Dropped. Shutting
// the exporter down does not stop the client; client.Flush or
// client.Shutdown sends what it holds.
func NewExporter(ctx context.Context, client *o2kit.Client, opts ...Option) (*otlptrace.Exporter, error) {
	if client == nil {
		return nil, errors.New("tracing: nil client")
	}
	cfg := newConfig(opts)
	stream := cfg.stream
	if stream == "" {
		stream = client.Streams().Traces
	}
	return otlptrace.New(ctx, &uploader{client: client, stream: stream})
}

// errStopped is returned by an upload after the exporter was shut down.
var errStopped = errors.New("tracing: exporter is shut down")

// uploader is the otlptrace.Client that moves encoded spans to the o2kit
// client. UploadTraces may run concurrently; Start and Stop run once.
type uploader struct {
	client  *o2kit.Client
	stream  string
	stopped atomic.Bool
}

var _ otlptrace.Client = (*uploader)(nil)

// Start does nothing: the o2kit client is already running.
func (u *uploader) Start(context.Context) error { return nil }

// Stop makes later uploads fail; it leaves the shared client running.
func (u *uploader) Stop(context.Context) error {
	u.stopped.Store(true)
	return nil
}

// UploadTraces encodes rss as one export request and queues it.
func (u *uploader) UploadTraces(ctx context.Context, rss []*tracepb.ResourceSpans) error {
	if u.stopped.Load() {
		return errStopped
	}
	if len(rss) == 0 {
		return nil
	}
	body, spans, err := AppendRequest(nil, rss)
	if err != nil {
		return err
	}
	return u.client.EmitOTLP(ctx, o2kit.Traces, u.stream, body, spans)
}
