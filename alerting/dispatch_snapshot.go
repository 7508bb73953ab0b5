package alerting

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// escalationStaleAfter is how long the escalation record of an alert no
// longer firing is kept in snapshots.
const escalationStaleAfter = 7 * 24 * time.Hour

// dispatchSnapshot is the dispatcher state that survives a restart. It
// marshals to JSON.
type dispatchSnapshot struct {
	Silences []Silence        `json:"silences,omitempty"`
	Acks     map[string]Ack   `json:"acks,omitempty"`
	Log      []notifyLogEntry `json:"log,omitempty"`
	// Escalations holds, by alert ID, the tiers already sent in the
	// alert's current firing episode.
	Escalations map[string]escalationRecord `json:"escalations,omitempty"`
	// Firing holds the firing alerts, sorted by ID, so a restarted
	// dispatcher knows them before the first evaluation puts them again:
	// they can be acknowledged and inhibit others at once, and those
	// never put again resolve after the resolve timeout.
	Firing []Alert `json:"firing,omitempty"`
	// FiringSince holds, by alert ID, when the dispatcher first saw each
	// firing alert's episode, on its own clock; a restart keeps counting
	// group wait and escalation from there.
	FiringSince map[string]time.Time `json:"firing_since,omitempty"`
	// Notices holds the resolved notices owed to escalation tier
	// receivers and not sent yet, as when the dispatcher stopped while
	// one waited for its receiver's rate limit.
	Notices []escalationNotice `json:"escalation_notices,omitempty"`
}

// escalationRecord is the saved form of an escalation: the episode's
// start as the alert gives it (its identity), when the dispatcher first
// saw it (tiers count from that), and the tiers sent.
type escalationRecord struct {
	FiredAt time.Time        `json:"fired_at"`
	Since   time.Time        `json:"since,omitzero"`
	Sent    []escalationMark `json:"sent"`
}

// snapshot returns the state to save: silences, acks, the notification
// log and the escalation tiers sent.
func (d *dispatcher) snapshot() dispatchSnapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	s := dispatchSnapshot{
		Silences:    d.sil.all(now),
		Acks:        maps.Clone(d.acked),
		Log:         d.nlog.entries(now, d.liveGroup),
		Escalations: map[string]escalationRecord{},
		Notices:     slices.Clone(d.notices),
	}
	s.FiringSince = make(map[string]time.Time, len(d.firing))
	for id, fa := range d.firing {
		s.Firing = append(s.Firing, fa.alert)
		s.FiringSince[id] = fa.since
	}
	slices.SortFunc(s.Firing, func(a, b Alert) int { return strings.Compare(a.ID, b.ID) })
	for id, e := range d.esc {
		if d.firing[id] == nil && now.Sub(e.since) > escalationStaleAfter {
			delete(d.esc, id)
			continue
		}
		r := escalationRecord{FiredAt: e.firedAt, Since: e.since, Sent: []escalationMark{}}
		for m, sent := range e.marks {
			if sent {
				r.Sent = append(r.Sent, m)
			}
		}
		slices.SortFunc(r.Sent, func(a, b escalationMark) int {
			if a.Tier != b.Tier {
				return a.Tier - b.Tier
			}
			return strings.Compare(a.Receiver, b.Receiver)
		})
		s.Escalations[id] = r
	}
	return s
}

// liveGroup reports whether the group a log entry is about is held. The
// caller holds mu.
func (d *dispatcher) liveGroup(k notifyLogKey) bool {
	return d.groups[k.groupKey+"\xff"+k.receiver] != nil
}

// restore loads a snapshot; call it before start. Silences that no longer
// parse are dropped and reported.
func (d *dispatcher) restore(s dispatchSnapshot) {
	d.mu.Lock()
	err := d.sil.restore(s.Silences, time.Now())
	d.restoreLocked(s)
	d.mu.Unlock()
	if err != nil {
		d.report(fmt.Errorf("alerting: restoring silences: %w", err))
	}
}

// restoreLocked loads the acks, the log, the escalations, the resolved
// notices owed and the firing alerts of s. The caller holds mu.
func (d *dispatcher) restoreLocked(s dispatchSnapshot) {
	d.acked = maps.Clone(s.Acks)
	if d.acked == nil {
		d.acked = map[string]Ack{}
	}
	d.nlog.restore(s.Log)
	d.esc = make(map[string]*escalation, len(s.Escalations))
	for id, r := range s.Escalations {
		e := &escalation{firedAt: r.FiredAt, since: r.Since, marks: map[escalationMark]bool{}}
		for _, m := range r.Sent {
			e.marks[m] = true
		}
		d.esc[id] = e
	}
	d.notices = slices.Clone(s.Notices)
	for _, a := range s.Firing {
		if a.State != StateFiring {
			continue
		}
		a = dispatchClone(a)
		d.record(&a)
		if at, ok := s.FiringSince[a.ID]; ok && !at.IsZero() {
			d.firing[a.ID].since = at
		}
	}
	d.restoreSince()
}

// restoreSince gives restored escalations saved without the time the
// dispatcher first saw their episode the firing alert's, else now: the
// alert's FiredAt comes from another clock and is never used for it. The
// caller holds mu.
func (d *dispatcher) restoreSince() {
	now := time.Now()
	for id, e := range d.esc {
		switch fa := d.firing[id]; {
		case !e.since.IsZero():
		case fa != nil && episodeStart(fa.alert).Equal(e.firedAt):
			e.since = fa.since
		default:
			e.since = now
		}
	}
}

// addSilence stores s with a new ID; see silenceStore.add. Silences are
// held against the dispatcher's clock, time.Now: a zero StartsAt is
// time.Now, and callers must give times on that clock, not the engine's.
func (d *dispatcher) addSilence(s Silence) (Silence, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s.Matchers = append([]string(nil), s.Matchers...)
	out, err := d.sil.add(s, time.Now())
	if err == nil {
		d.signal()
	}
	return out, err
}

// expireSilence ends the silence id now.
func (d *dispatcher) expireSilence(id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.sil.expire(id, time.Now())
	if err == nil {
		d.signal()
	}
	return err
}

// silences lists the silences, expired ones for a day after their end.
func (d *dispatcher) silences() []Silence {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sil.all(time.Now())
}

// muted tells which active silences select a and whether an inhibition
// rule or a suppression of its rule mutes it now.
func (d *dispatcher) muted(a Alert) (silencedBy []string, inhibited bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if a.ID == "" {
		a.ID = routeLabelsText(a.Labels)
	}
	silencedBy, _ = d.sil.mutes(a.Labels, time.Now())
	return silencedBy, d.inhibitedLocked(&a)
}
