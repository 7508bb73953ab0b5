package pipeline

import (
	"log/slog"
	"sync"
	"time"
)

// lru is a cache of lookup answers bounded in entries and age. The least
// recently used entry is evicted first.
type lru struct {
	size int
	ttl  time.Duration

	mu    sync.Mutex // guards the fields below
	items map[string]*lruEntry
	head  lruEntry // sentinel: head.next is the most recent, head.prev the least
}

type lruEntry struct {
	key        string
	attrs      []slog.Attr
	expires    time.Time // zero: never
	prev, next *lruEntry
}

func newLRU(size int, ttl time.Duration) *lru {
	c := &lru{size: size, ttl: ttl, items: make(map[string]*lruEntry)}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// get returns the answer cached for key, if it is there and fresh.
func (c *lru) get(key string, now time.Time) ([]slog.Attr, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		c.remove(e)
		return nil, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.attrs, true
}

// put caches attrs for key, evicting the least recently used entry when
// the cache is full.
func (c *lru) put(key string, attrs []slog.Attr, now time.Time) {
	if c.size < 1 {
		return
	}
	var expires time.Time
	if c.ttl > 0 {
		expires = now.Add(c.ttl)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.attrs, e.expires = attrs, expires
		c.unlink(e)
		c.pushFront(e)
		return
	}
	if len(c.items) >= c.size {
		c.remove(c.head.prev)
	}
	e := &lruEntry{key: key, attrs: attrs, expires: expires}
	c.items[key] = e
	c.pushFront(e)
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *lru) remove(e *lruEntry) {
	c.unlink(e)
	delete(c.items, e.key)
}

func (c *lru) unlink(e *lruEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (c *lru) pushFront(e *lruEntry) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}
