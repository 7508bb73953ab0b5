package alerting

import "maps"

// escalationNotice is a resolved notice owed to a tier receiver that was
// sent the alert firing: the alert resolved, and the notification goes
// to the receiver at the tier, in the group the firing one went to.
type escalationNotice struct {
	Mark        escalationMark    `json:"mark"`
	GroupKey    string            `json:"group_key"`
	GroupLabels map[string]string `json:"group_labels"`
	Alert       Alert             `json:"alert"`
}

// escalationEnded queues the resolved notices of a's escalation e: one
// for every tier receiver that was sent a firing notice, none for tiers
// that never sent. Tiers in flight owe one once they succeed, so e is
// kept in escEnding until they land. The notices go out even when the
// alert was acknowledged or is silenced now: whoever was paged hears the
// end. The caller holds mu.
func (d *dispatcher) escalationEnded(e *escalation, a Alert) {
	for m, sent := range e.marks {
		if sent {
			d.queueNotice(m, a)
			delete(e.marks, m)
		}
	}
	if len(e.marks) > 0 {
		e.resolved = &a
		d.escEnding[a.ID] = e
	}
}

// queueNotice queues the resolved notice of a for mark m, in the group of
// a's first route match, where its escalations went. The caller holds mu.
func (d *dispatcher) queueNotice(m escalationMark, a Alert) {
	n := d.tree.match(a.Labels)[0]
	d.notices = append(d.notices, escalationNotice{
		Mark: m, GroupKey: n.groupKey(a.Labels), GroupLabels: n.groupLabels(a.Labels), Alert: a,
	})
}

// escalationLanded settles the tier m of an alert that resolved while
// its firing notice was in flight: a notice that went out owes a
// resolved one. The caller holds mu.
func (d *dispatcher) escalationLanded(a Alert, m escalationMark, ok bool) {
	e := d.escEnding[a.ID]
	if e == nil || !e.firedAt.Equal(episodeStart(a)) {
		return
	}
	if _, inFlight := e.marks[m]; !inFlight {
		return
	}
	delete(e.marks, m)
	if ok {
		d.queueNotice(m, *e.resolved)
	}
	if len(e.marks) == 0 {
		delete(d.escEnding, a.ID)
	}
}

// addNotices moves the queued resolved notices into batches: one
// notification per group, tier and receiver. The caller holds mu.
func (d *dispatcher) addNotices(batches map[escalationBatchKey]*escalationBatch) {
	for _, no := range d.notices {
		k := escalationBatchKey{no.GroupKey, no.Mark, true}
		b := batches[k]
		if b == nil {
			b = &escalationBatch{mark: no.Mark, key: no.GroupKey, labels: no.GroupLabels, resolved: true}
			batches[k] = b
		}
		a := no.Alert
		a.Labels, a.Annotations = maps.Clone(a.Labels), maps.Clone(a.Annotations)
		b.alerts = append(b.alerts, a)
	}
	d.notices = nil
}

// noticeFailed takes back the notices of a resolved batch that did not
// go out because the dispatcher stopped, so the snapshot keeps them and
// a restart sends them; one that failed while running was tried as the
// retry policy allows and is dropped (the failure was reported).
func (d *dispatcher) noticeFailed(b *escalationBatch) {
	if d.state != dispatchStopped {
		return
	}
	for _, a := range b.alerts {
		d.notices = append(d.notices, escalationNotice{Mark: b.mark, GroupKey: b.key, GroupLabels: b.labels, Alert: a})
	}
}

// escalationCompareBool orders false before true.
func escalationCompareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
