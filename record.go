package o2kit

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Record is the unit every signal is shipped as: a stream, a time and
// ordered attributes. Attribute keys are normalised the way OpenObserve
// stores them and groups are flattened with '_': slog.Group("order",
// slog.Int("amount", 5)) arrives as the field order_amount.
//
// The caller owns Attrs; the client does not keep or modify the slice, so it
// can be built once and reused. A [Processor] that changes attributes must
// give the record a new slice instead of writing into this one.
type Record struct {
	Stream string    // stream name, normalised when sent
	Time   time.Time // event time; zero means now
	Attrs  []slog.Attr
}

// Processor sees every record before it is encoded, on the goroutine that
// called Emit, so a processor that masks data never lets the raw value reach
// a buffer or the spool. Processors run in the order given to
// [WithProcessors] and must be safe for concurrent use.
//
// Process returns the record to send, changed or not (its stream too); the
// record is passed by value so that a processor that changes nothing costs
// no allocation. Returning [ErrDrop] drops the record quietly (counted as
// Filtered); any other error drops it, counts it as Failed and is returned
// by Emit.
type Processor interface {
	Process(ctx context.Context, r Record) (Record, error)
}

// ProcessorFunc adapts a function to [Processor].
type ProcessorFunc func(ctx context.Context, r Record) (Record, error)

// Process calls f.
func (f ProcessorFunc) Process(ctx context.Context, r Record) (Record, error) { return f(ctx, r) }

// ErrDrop is returned by a Processor to drop a record on purpose, such as
// a sampled-out one.
var ErrDrop = errors.New("o2kit: record dropped by processor")

// ErrorHandler receives failures that happen in the background: a rejected
// batch, a partial failure, a corrupt spool. It may be called from several
// goroutines at once and must not block for long. It must not write to the
// same client it reports on, or a failing server would feed it forever.
type ErrorHandler interface {
	Handle(err error)
}

// ErrorHandlerFunc adapts a function to [ErrorHandler].
type ErrorHandlerFunc func(err error)

// Handle calls f.
func (f ErrorHandlerFunc) Handle(err error) { f(err) }
