package behavior

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/wire"
)

// Tracker records user-behaviour events to the client's user-behavior
// stream and keeps in-process funnels and activity counts over them. It is
// safe for concurrent use. Recording methods never block and ignore ctx's
// cancellation: ctx carries who the event is about (see [Visitor] and the
// o2kit context helpers) and the OpenTelemetry span whose trace id the
// event is stamped with. After the client is shut down, recording returns
// o2kit.ErrClosed and is counted as failed.
type Tracker struct {
	client *o2kit.Client
	stream string
	cfg    config
	scrub  scrubber
	ids    *wire.IDs
	bufs   sync.Pool // *event

	funnels  []*funnelState
	byStep   map[string][]*funnelState // event name → funnels with it as a step
	carts    *funnelState              // cart_add → purchase
	searches *funnelState              // search → purchase
	active   *activity

	recorded, optedOut, bots, invalid, failed atomic.Int64
}

// Stats counts what a [Tracker] did with the events it was given.
type Stats struct {
	Recorded int64 // handed to the client
	OptedOut int64 // dropped for consent, an opt-out or Do-Not-Track
	Bots     int64 // dropped as bot traffic under [BotSkip]
	Invalid  int64 // rejected with an [*EventError]
	Failed   int64 // refused by the client (overflow, closed, processor error)
}

// NewTracker returns a tracker writing to client's user-behavior stream
// (client.Streams().UserBehavior). It fails on a nil client or an invalid
// option.
func NewTracker(client *o2kit.Client, opts ...Option) (*Tracker, error) {
	if client == nil {
		return nil, errors.New("behavior: nil client")
	}
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	t := &Tracker{
		client: client,
		stream: client.Streams().UserBehavior,
		cfg:    cfg,
		scrub:  scrubber{emails: !cfg.allowEmails, ip: cfg.ipMode},
		ids:    wire.NewIDs(),
		byStep: map[string][]*funnelState{},
		active: newActivity(cfg.activeWindow, cfg.now()),
	}
	t.bufs.New = func() any { return &event{attrs: make([]slog.Attr, 0, 32)} }
	for _, f := range cfg.funnels {
		t.funnels = append(t.funnels, t.watch(f))
	}
	t.carts = newFunnelState(CartToPurchase(cfg.conversionWindow), cfg.maxSessions)
	t.searches = newFunnelState(SearchToPurchase(cfg.conversionWindow), cfg.maxSessions)
	t.index(t.carts)
	t.index(t.searches)
	return t, nil
}

func (t *Tracker) watch(f Funnel) *funnelState {
	fs := newFunnelState(f, t.cfg.maxSessions)
	t.index(fs)
	return fs
}

func (t *Tracker) index(fs *funnelState) {
	for _, s := range fs.f.Steps {
		t.byStep[s] = append(t.byStep[s], fs)
	}
}

// Stats returns the tracker's counters.
func (t *Tracker) Stats() Stats {
	return Stats{
		Recorded: t.recorded.Load(), OptedOut: t.optedOut.Load(), Bots: t.bots.Load(),
		Invalid: t.invalid.Load(), Failed: t.failed.Load(),
	}
}

// event is an event being built: its attributes and what the in-process
// counts need.
type event struct {
	attrs   []slog.Attr
	name    string
	at      time.Time // when the event happened
	now     time.Time // when it was recorded
	session string    // funnel key: session, else anonymous, else user id
	actor   string    // active-user key: user, else anonymous, else session id
	bot     bool
	id      [wire.IDLen]byte
}

// reject counts an invalid event and returns its error.
func (t *Tracker) reject(err error) error {
	t.invalid.Add(1)
	return err
}
