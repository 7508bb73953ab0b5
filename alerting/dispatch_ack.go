package alerting

import (
	"fmt"
	"maps"
	"time"
)

// ack acknowledges the firing alert id until it resolves or a new
// episode of it fires. Alerts restored from a snapshot count as firing,
// so an ack right after a restart works before the first evaluation has
// put them again.
func (d *dispatcher) ack(id string, a Ack) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.firing[id] == nil {
		return fmt.Errorf("%w: no firing alert %q", ErrNotFound, id)
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	d.acked[id] = a
	d.signal()
	return nil
}

// acks returns a copy of the acknowledgements, by alert ID.
func (d *dispatcher) acks() map[string]Ack {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.acked)
}
