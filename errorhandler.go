package o2kit

import (
	"log"
	"os"
	"sync"
	"time"
)

// stderrHandler is the default ErrorHandler: one line per error on stderr
// through the log package (not slog.Default, which may be a handler of this
// client), at most one line per second, with a count of those held back.
type stderrHandler struct {
	logger *log.Logger
	now    func() time.Time

	mu         sync.Mutex // guards last and suppressed
	last       time.Time
	suppressed int
}

func newStderrHandler(now func() time.Time) *stderrHandler {
	return &stderrHandler{logger: log.New(os.Stderr, "", log.LstdFlags), now: now}
}

func (h *stderrHandler) Handle(err error) {
	h.mu.Lock()
	t := h.now()
	if !h.last.IsZero() && t.Sub(h.last) < time.Second {
		h.suppressed++
		h.mu.Unlock()
		return
	}
	n := h.suppressed
	h.last, h.suppressed = t, 0
	h.mu.Unlock()
	if n > 0 {
		h.logger.Printf("%v (%d similar errors held back)", err, n)
		return
	}
	h.logger.Print(err)
}
