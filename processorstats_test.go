package o2kit

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingProcessor counts the records it sees and reports them as stats.
type countingProcessor struct {
	key  string
	seen atomic.Int64
}

func (p *countingProcessor) Process(_ context.Context, r Record) (Record, error) {
	p.seen.Add(1)
	return r, nil
}

func (p *countingProcessor) ProcessorStats() map[string]int64 {
	return map[string]int64{p.key: p.seen.Load(), "shared": 1}
}

func TestProcessorStats(t *testing.T) {
	srv, url := devServer(t)
	a := &countingProcessor{key: "a:seen"}
	b := &countingProcessor{key: "b:seen"}
	plain := ProcessorFunc(func(_ context.Context, r Record) (Record, error) { return r, nil })
	c, _ := newClient(t, srv, url, WithProcessors(a, plain, b))
	for range 3 {
		require.NoError(t, c.Emit(t.Context(), typical(0)))
	}
	got := c.Stats().Processors
	assert.Equal(t, map[string]int64{"a:seen": 3, "b:seen": 3, "shared": 2}, got,
		"each reporter's counters, summed by key; processors without stats add nothing")

	none, _ := newClient(t, srv, url, WithProcessors(plain))
	assert.Nil(t, none.Stats().Processors)
}
