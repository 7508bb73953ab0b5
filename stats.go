package o2kit

import (
	"sort"
	"sync/atomic"
)

// Counters count records (and bytes and requests) through the exporter.
// After a Flush that returned nil, and for records accepted before it:
//
//	Accepted + Replayed = Sent + PartialFailures + Failed + DeadLettered + Lost + (Dropped after acceptance) + QueueDepth
//
// where records Emit refused are in Dropped but not in Accepted.
type Counters struct {
	Accepted        uint64 // records Emit took
	Sent            uint64 // records the server stored
	Retried         uint64 // request attempts repeated after a retryable failure
	Dropped         uint64 // records Emit refused: a full buffer or spool, Emit after Shutdown, too large, too many fields, an invalid sample; and queued slog records the encoder goroutine refused (after acceptance)
	Filtered        uint64 // records a Processor dropped on purpose (ErrDrop)
	Spooled         uint64 // records written to the spool
	Replayed        uint64 // records found in the spool at start and queued again
	Failed          uint64 // records in requests the server refused, or that got no answer after every retry (without a spool)
	PartialFailures uint64 // records the server reported as failed inside a 200 answer
	DeadLettered    uint64 // records the server refused as too large on their own
	Lost            uint64 // records still unsent when Shutdown's deadline passed, with no spool to keep them
	Requests        uint64 // ingestion requests answered
	BytesIn         uint64 // encoded bytes of sent batches, before compression
	BytesOut        uint64 // bytes of request bodies on the wire, after compression
	QueueDepth      int64  // records accepted or replayed and not yet settled: open, queued, in flight or on disk
}

// Stats is a snapshot of a client's counters, in total and per stream,
// keyed by the normalised stream name; batches of [Metrics] samples are
// keyed "metrics:" and their stream name, and [Traces] bodies "traces:" and
// theirs, counting spans as records.
type Stats struct {
	Counters
	Streams          map[string]Counters
	BufferedBytes    int64 // bytes of records held in memory now
	MaxBufferedBytes int64 // the most BufferedBytes has been
	SpoolBytes       int64 // bytes in the spool directory's segments

	// Processors holds the counters of the processors that implement
	// [StatsReporter], summed by key; nil when none does.
	Processors map[string]int64
}

// A StatsReporter is a [Processor] that keeps counters of its own, such as
// records a data contract sent to the dead-letter stream, by reason.
// [Client.Stats] calls ProcessorStats for each configured processor that
// implements it and sums the answers by key into [Stats.Processors], so
// keys should name the processor ("contract:orders:missing_field").
// ProcessorStats may be called concurrently with Process and must return a
// map the caller may keep.
type StatsReporter interface {
	ProcessorStats() map[string]int64
}

// processorStats sums the counters of the processors that report them.
func processorStats(ps []Processor) map[string]int64 {
	var out map[string]int64
	for _, p := range ps {
		r, ok := p.(StatsReporter)
		if !ok {
			continue
		}
		for k, v := range r.ProcessorStats() {
			if out == nil {
				out = map[string]int64{}
			}
			out[k] += v
		}
	}
	return out
}

// StreamNames returns the stream names in s, sorted.
func (s Stats) StreamNames() []string {
	names := make([]string, 0, len(s.Streams))
	for n := range s.Streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// counters is the live, atomic form of Counters for one stream.
type counters struct {
	accepted, sent, retried, dropped, filtered, spooled, replayed    atomic.Uint64
	failed, partial, deadLettered, lost, requests, bytesIn, bytesOut atomic.Uint64
	queued                                                           atomic.Int64
}

func (c *counters) snapshot() Counters {
	return Counters{
		Accepted: c.accepted.Load(), Sent: c.sent.Load(), Retried: c.retried.Load(),
		Dropped: c.dropped.Load(), Filtered: c.filtered.Load(), Spooled: c.spooled.Load(),
		Replayed: c.replayed.Load(), Failed: c.failed.Load(), PartialFailures: c.partial.Load(),
		DeadLettered: c.deadLettered.Load(), Lost: c.lost.Load(), Requests: c.requests.Load(),
		BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(), QueueDepth: c.queued.Load(),
	}
}

func (t *Counters) add(c Counters) {
	t.Accepted += c.Accepted
	t.Sent += c.Sent
	t.Retried += c.Retried
	t.Dropped += c.Dropped
	t.Filtered += c.Filtered
	t.Spooled += c.Spooled
	t.Replayed += c.Replayed
	t.Failed += c.Failed
	t.PartialFailures += c.PartialFailures
	t.DeadLettered += c.DeadLettered
	t.Lost += c.Lost
	t.Requests += c.Requests
	t.BytesIn += c.BytesIn
	t.BytesOut += c.BytesOut
	t.QueueDepth += c.QueueDepth
}
