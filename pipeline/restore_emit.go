package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/o2kit/o2kit"
)

// maxOverflows bounds how often one record is emitted again after the
// client's buffer was full and a flush should have emptied it.
const maxOverflows = 5

// restorer emits the records of a backup and keeps the counts.
type restorer struct {
	c        *o2kit.Client
	target   string // stream name given to Emit
	every    int64
	total    int64
	file     string
	inFile   int64 // records of file read so far
	bytes    int64
	sinceFlu int64
	report   func(Progress)
	rep      *RestoreReport
}

func newRestorer(c *o2kit.Client, chain []*Manifest, opts RestoreOptions) *restorer {
	r := &restorer{c: c, target: opts.Stream, report: opts.Progress, rep: &RestoreReport{}}
	if r.target == "" {
		r.target = chain[0].Stream
	}
	r.rep.Stream = o2kit.StreamName(r.target)
	if r.rep.Stream == "" {
		r.target = ""
	}
	switch {
	case opts.FlushEvery == 0:
		r.every = DefaultFlushEvery
	case opts.FlushEvery > 0:
		r.every = int64(opts.FlushEvery)
	}
	for _, m := range chain {
		r.total += m.Records
	}
	return r
}

// emit hands one record to the client, flushing and trying again while
// the client's buffer is full.
func (r *restorer) emit(ctx context.Context, rec record) error {
	out := o2kit.Record{Stream: r.target, Time: fromMicros(rec.ts), Attrs: rec.attrs}
	for try := 0; ; try++ {
		err := r.c.Emit(ctx, out)
		if err == nil {
			break
		}
		if errors.Is(err, o2kit.ErrTooManyFields) || errors.Is(err, o2kit.ErrRecordTooLarge) {
			// This record only: the others still go.
			if r.rep.Refused++; r.rep.Refused == 1 {
				r.rep.FirstRefused = fmt.Sprintf("(record %d of %s, at %s): %v",
					r.inFile+1, r.file, out.Time.UTC().Format(time.RFC3339Nano), err)
			}
			r.inFile++
			return nil
		}
		if !errors.Is(err, o2kit.ErrOverflow) || try == maxOverflows {
			return fmt.Errorf("emit: %w", err)
		}
		r.rep.Overflows++
		if err := r.c.Flush(ctx); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	}
	r.rep.Records++
	r.inFile++
	r.sinceFlu++
	if r.every > 0 && r.sinceFlu >= r.every {
		r.sinceFlu = 0
		if err := r.c.Flush(ctx); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
		r.progress()
	} else if r.rep.Records%progressEvery == 0 {
		r.progress()
	}
	return nil
}

// progressEvery is how many records Restore emits between progress
// reports when no flush comes first.
const progressEvery = 1000

func (r *restorer) progress() {
	if r.report != nil {
		r.report(Progress{File: r.file, Records: r.rep.Records, Total: r.total, Bytes: r.bytes})
	}
}
