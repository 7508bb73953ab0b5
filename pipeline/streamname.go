package pipeline

import (
	"sync"
	"sync/atomic"

	"github.com/o2kit/o2kit/internal/norm"
)

// maxStreamNames bounds the names a streamNames remembers.
const maxStreamNames = 1024

// streamNames gives the normalised form of stream names without
// allocating on every record: a name already normal ("orders") is its own
// form, and the form of another ("application-logs") is computed once and
// remembered, for up to maxStreamNames names.
type streamNames struct {
	known atomic.Pointer[map[string]string] // copied on write
	mu    sync.Mutex                        // serialises writers
}

// of returns the normalised form of name.
func (s *streamNames) of(name string) string {
	if m := s.known.Load(); m != nil {
		if n, ok := (*m)[name]; ok {
			return n
		}
	}
	n := norm.StreamName(name)
	if n != name {
		s.remember(name, n)
	}
	return n
}

func (s *streamNames) remember(name, normal string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.known.Load()
	if old != nil && len(*old) >= maxStreamNames {
		return
	}
	next := make(map[string]string, 1)
	if old != nil {
		next = make(map[string]string, len(*old)+1)
		for k, v := range *old {
			next[k] = v
		}
	}
	next[name] = normal
	s.known.Store(&next)
}
