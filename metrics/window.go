package metrics

import "time"

// record adds the points of one collection to the window store.
func (r *Registry) record(now time.Time, pts []point) {}
