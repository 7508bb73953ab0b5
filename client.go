package o2kit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"github.com/o2kit/o2kit/internal/norm"
	"github.com/o2kit/o2kit/internal/spool"
	"github.com/o2kit/o2kit/internal/transport"
	"github.com/o2kit/o2kit/internal/wire"
)

// Client ships records to OpenObserve through one batching exporter and
// answers searches. It is safe for concurrent use. Create it with [New] and
// end it with [Client.Shutdown].
type Client struct {
	cfg    *settings
	tr     *transport.Transport
	errs   ErrorHandler
	ids    *wire.IDs
	budget *budget
	track  *tracker

	// logHead is the processors a log record goes through when static
	// holds the fields of the static tail of the processors, nil otherwise.
	logHead []Processor
	static  *wire.Static

	encoders sync.Pool   // *encState
	queue    recordQueue // slog records waiting to be encoded
	batches  sync.Pool   // *batch, with its body's memory
	spare    chan []byte // bodies detached from their batches, for new ones

	streamsMu sync.Mutex                // serialises additions to streams
	streams   atomic.Pointer[streamSet] // copy on write; read on every Emit

	spool   *spool.Spool // nil without WithSpool
	spoolQ  *queue       // sealed batches waiting to be written to the spool
	sendQ   *queue       // batches waiting for a sender
	dead    deadLetters
	breaker breaker

	closed      atomic.Bool
	flushWake   chan struct{}
	stopFlusher chan struct{}
	runCtx      context.Context // ends when Shutdown's deadline passes
	cancelRun   context.CancelFunc
	flusherDone sync.WaitGroup
	spoolerDone sync.WaitGroup
	sendersDone sync.WaitGroup

	leftKept     atomic.Int64 // records left in the spool at Shutdown
	leftLost     atomic.Int64 // records lost at Shutdown
	shutdownOnce sync.Once
	shutdownErr  error
}

type streamKey struct {
	typ  StreamType
	name string
}

// streamSet finds a stream by the name a record gave (raw or normalised),
// and lists each stream once.
type streamSet struct {
	byKey map[streamKey]*stream
	list  []*stream
}

type encState struct {
	enc     wire.Encoder
	buf     []byte
	id      [wire.IDLen]byte
	attrs   []slog.Attr // a slog record's attributes, for processors or the record queue
	subs    subs        // where the record queue's settled attrs go
	settled []slog.Attr // a processed slog record's attributes, settled for the record queue

	// the stream last written to, by the name and type it was asked for
	st     *stream
	stTyp  StreamType
	stName string
}

// New returns a client configured by the defaults, then the environment
// (OPENOBSERVE_URL, OPENOBSERVE_ORG, OPENOBSERVE_USER, OPENOBSERVE_TOKEN,
// OPENOBSERVE_PASSWORD), then the config file of [WithConfigFile], then
// opts. An invalid setting is a *ConfigError naming it. With [WithSpool],
// batches left in the spool by an earlier run are queued to be sent first.
func New(opts ...Option) (*Client, error) {
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:         cfg,
		errs:        cfg.errorHandler,
		ids:         wire.NewIDs(),
		budget:      newBudget(cfg.maxBuffered),
		track:       newTracker(),
		spoolQ:      newQueue(),
		sendQ:       newQueue(),
		flushWake:   make(chan struct{}, 1),
		spare:       make(chan []byte, 64),
		stopFlusher: make(chan struct{}),
	}
	if c.errs == nil {
		c.errs = newStderrHandler(cfg.now)
	}
	c.logHead, c.static = splitStatic(cfg.processors, cfg.idKey)
	c.encoders.New = func() any { return &encState{enc: wire.Encoder{IDKey: cfg.idKey}} }
	c.batches.New = func() any { return new(batch) }
	c.streams.Store(&streamSet{byKey: map[streamKey]*stream{}})
	if c.tr, err = newTransport(cfg); err != nil {
		return nil, err
	}
	if cfg.spoolDir != "" {
		if err := c.openSpool(); err != nil {
			c.tr.Close()
			return nil, err
		}
	}
	c.runCtx, c.cancelRun = context.WithCancel(context.Background())
	c.queue.init(cfg.idKey, cfg.batchSize)
	c.flusherDone.Go(c.runFlusher)
	c.flusherDone.Go(c.runQueue)
	if c.spool != nil {
		c.spoolerDone.Go(c.runSpooler)
	}
	for range cfg.concurrency {
		c.sendersDone.Go(c.runSender)
	}
	return c, nil
}

func buildConfig(opts []Option) (*settings, error) {
	var probe config
	for _, o := range opts {
		if o != nil {
			o.apply(&probe)
		}
	}
	cfg := defaults()
	cfg.applyEnv(os.Getenv)
	if probe.configFile != "" {
		if err := cfg.applyFile(probe.configFile, os.Getenv); err != nil {
			return nil, err
		}
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	return cfg.validate()
}

func newTransport(cfg *settings) (*transport.Transport, error) {
	hc := cfg.httpClient
	if cfg.tls != nil {
		hc = withTLS(hc, cfg.tls)
	}
	tr, err := transport.New(transport.Config{
		Endpoints:     cfg.endpointURLs,
		Authorization: cfg.authHeader,
		Client:        hc,
		MaxRetries:    cfg.maxRetries,
		Timeout:       cfg.timeout,
		Encoding:      transport.Encoding(cfg.compression),
		UserAgent:     "o2kit",
		Now:           cfg.now,
	})
	if err != nil {
		return nil, fmt.Errorf("o2kit: %w", err)
	}
	return tr, nil
}

// withTLS returns a copy of hc (or of a default client) whose transport
// uses tc. validate has checked that a given transport is an *http.Transport.
func withTLS(hc *http.Client, tc *tls.Config) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	tr, ok := c.Transport.(*http.Transport)
	if ok && tr != nil {
		tr = tr.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
	}
	tr.TLSClientConfig = tc.Clone()
	c.Transport = tr
	return &c
}

// Org returns the organization the client writes to.
func (c *Client) Org() string { return c.cfg.org }

// Streams returns the stream names in use (defaults, renamed by the config).
func (c *Client) Streams() Streams { return c.cfg.streams }

// Emit queues a record for its stream. It never blocks by default and
// ignores ctx's cancellation (ctx is passed to processors, and bounds the
// wait of a [Block] overflow). It returns nil when the record was taken;
// ErrOverflow, ErrRecordTooLarge, ErrTooManyFields, ErrNoStream or
// ErrClosed when it was dropped (and counted); or a processor's error.
func (c *Client) Emit(ctx context.Context, r Record) error {
	return c.emit(ctx, Logs, r)
}

// EmitAs is [Client.Emit] for a record of another stream type, such as a
// metrics sample. A metrics sample the server would refuse is dropped
// with [ErrInvalidSample].
func (c *Client) EmitAs(ctx context.Context, typ StreamType, r Record) error {
	if typ == Traces {
		return errors.New("o2kit: traces take OTLP bodies: use EmitOTLP")
	}
	if typ > Traces {
		return fmt.Errorf("o2kit: unknown stream type %d", typ)
	}
	return c.emit(ctx, typ, r)
}

// stream returns the state of the named stream, creating it on first use,
// or nil for a name that normalises to nothing.
func (c *Client) stream(typ StreamType, name string) *stream {
	if st, ok := c.streams.Load().byKey[streamKey{typ, name}]; ok {
		return st
	}
	normal := norm.StreamName(name)
	if normal == "" {
		return nil
	}
	c.streamsMu.Lock()
	defer c.streamsMu.Unlock()
	old := c.streams.Load()
	if st, ok := old.byKey[streamKey{typ, name}]; ok {
		return st
	}
	next := &streamSet{byKey: make(map[streamKey]*stream, len(old.byKey)+2), list: old.list}
	for k, v := range old.byKey {
		next.byKey[k] = v
	}
	st := old.byKey[streamKey{typ, normal}]
	if st == nil {
		st = &stream{name: normal, typ: typ, path: c.ingestPath(typ, normal)}
		if typ == Traces {
			st.head = http.Header{"Stream-Name": {normal}}
		}
		next.list = append(old.list[:len(old.list):len(old.list)], st)
	}
	next.byKey[streamKey{typ, name}] = st
	next.byKey[streamKey{typ, normal}] = st
	c.streams.Store(next)
	return st
}

func (c *Client) ingestPath(typ StreamType, name string) string {
	switch typ {
	case Metrics:
		return "/api/" + c.cfg.org + "/ingest/metrics/_json"
	case Traces:
		return "/api/" + c.cfg.org + "/v1/traces"
	}
	return "/api/" + c.cfg.org + "/" + name + "/_multi"
}

// streamList returns each stream once. The slice is shared: do not modify.
func (c *Client) streamList() []*stream { return c.streams.Load().list }

// enqueue hands a sealed batch to the spool writer, or straight to the
// senders when there is no spool.
func (c *Client) enqueue(b *batch) {
	b.epoch = c.track.add()
	if c.spool != nil {
		c.spoolQ.push(b)
		return
	}
	c.sendQ.push(b)
}

// Stats returns a snapshot of the counters.
func (c *Client) Stats() Stats {
	s := Stats{Streams: map[string]Counters{}}
	for _, st := range c.streamList() {
		sc := st.c.snapshot()
		key := st.name
		switch st.typ {
		case Metrics:
			key = "metrics:" + st.name
		case Traces:
			key = "traces:" + st.name
		}
		s.Streams[key] = sc
		s.Counters.add(sc)
	}
	s.BufferedBytes = c.budget.used.Load()
	s.MaxBufferedBytes = c.budget.high.Load()
	if c.spool != nil {
		s.SpoolBytes = c.spool.Size()
	}
	s.Processors = processorStats(c.cfg.processors)
	return s
}

// Flush encodes the queued slog records (see [Client.EmitSlog]), seals
// every open batch and waits until the batches sealed before
// the call are settled (sent, or failed for good), or until ctx ends. With
// a spool and the server down, batches wait in the spool and Flush returns
// ctx's error.
func (c *Client) Flush(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	c.drainQueue()
	c.sealAll()
	return c.waitEpoch(ctx, c.track.advance())
}

func (c *Client) waitEpoch(ctx context.Context, e uint64) error {
	for {
		n, settled := c.track.pending(e)
		if n == 0 {
			return nil
		}
		select {
		case <-settled:
		case <-ctx.Done():
			return fmt.Errorf("o2kit: flush: %d batch(es) not yet settled: %w", n, ctx.Err())
		}
	}
}
