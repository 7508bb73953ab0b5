package behavior

import (
	"slices"
	"sync"
	"time"
)

// timesPerStep is how many event times a run keeps for each step: the
// earliest ones, which are the ones the matching rule can use.
const timesPerStep = 4

// funnelState tracks one funnel in-process: a run per session, in a map
// for lookup and a list in order of creation, which is also the order of
// their deadlines, so expiry only looks at the front.
type funnelState struct {
	f     Funnel
	max   int
	index map[string]int // step name → position

	mu         sync.Mutex
	runs       map[string]*run // guarded by mu
	head, tail *run            // guarded by mu; oldest first
	reached    []int64         // guarded by mu; sessions per step
	evicted    int64           // guarded by mu
}

// run is one session's progress through a funnel.
type run struct {
	key        string
	deadline   time.Time // clock time after which nothing more can count
	times      []int64   // timesPerStep slots per step, unix nanoseconds, sorted
	n          []uint8   // times used per step
	counted    int       // steps counted in reached
	prev, next *run
}

func newFunnelState(f Funnel, max int) *funnelState {
	fs := &funnelState{f: f, max: max, index: make(map[string]int, len(f.Steps)),
		runs: map[string]*run{}, reached: make([]int64, len(f.Steps))}
	for i, s := range f.Steps {
		fs.index[s] = i
	}
	return fs
}

// add notes an event of the named step for the session key, at event time
// at, the clock reading now.
func (fs *funnelState) add(key, step string, at, now time.Time) {
	i, ok := fs.index[step]
	if !ok || key == "" {
		return
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.expire(now)
	r := fs.runs[key]
	if r == nil {
		r = fs.start(key, now)
	}
	if !r.insert(i, at.UnixNano()) {
		return // a duplicate, or later than every kept time
	}
	for d := r.depth(fs.f.Window.Nanoseconds()); r.counted < d; r.counted++ {
		fs.reached[r.counted]++
	}
}

// start opens a run, evicting the oldest when at the cap.
func (fs *funnelState) start(key string, now time.Time) *run {
	if len(fs.runs) >= fs.max {
		fs.remove(fs.head)
		fs.evicted++
	}
	steps := len(fs.f.Steps)
	r := &run{key: key, deadline: now.Add(fs.f.Window),
		times: make([]int64, steps*timesPerStep), n: make([]uint8, steps)}
	fs.runs[key] = r
	r.prev = fs.tail
	if fs.tail != nil {
		fs.tail.next = r
	} else {
		fs.head = r
	}
	fs.tail = r
	return r
}

// expire drops the runs whose window has passed.
func (fs *funnelState) expire(now time.Time) {
	for fs.head != nil && now.After(fs.head.deadline) {
		fs.remove(fs.head)
	}
}

func (fs *funnelState) remove(r *run) {
	delete(fs.runs, r.key)
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		fs.head = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		fs.tail = r.prev
	}
	r.prev, r.next = nil, nil
}

// report returns the funnel's counts as of now.
func (fs *funnelState) report(now time.Time) FunnelReport {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.expire(now)
	r := newReport(&fs.f, fs.reached)
	r.InProgress, r.Evicted = len(fs.runs), fs.evicted
	return r
}

// insert keeps t among the step's earliest times; false when it was
// already there or is later than all of a full set.
func (r *run) insert(step int, t int64) bool {
	ts := r.times[step*timesPerStep : step*timesPerStep+int(r.n[step])]
	at, found := slices.BinarySearch(ts, t)
	if found || at == timesPerStep {
		return false
	}
	if int(r.n[step]) < timesPerStep {
		r.n[step]++
		ts = ts[:len(ts)+1]
	}
	copy(ts[at+1:], ts[at:])
	ts[at] = t
	return true
}

// depth returns how many steps the run has reached: from the earliest
// step-1 time, the earliest time of each next step that is not before the
// previous step's and not past the window.
func (r *run) depth(window int64) int {
	if r.n[0] == 0 {
		return 0
	}
	anchor := r.times[0]
	prev, d := anchor, 1
	for s := 1; s < len(r.n); s++ {
		ts := r.times[s*timesPerStep : s*timesPerStep+int(r.n[s])]
		i, _ := slices.BinarySearch(ts, prev)
		if i == len(ts) || ts[i]-anchor > window {
			break
		}
		prev = ts[i]
		d++
	}
	return d
}
