package alerting

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// ruleOverrides are the rule changes made through the API, kept in the
// state file and applied over the rule files and Go groups at start, so an
// edit survives a restart while the files stay the base.
type ruleOverrides struct {
	Upserts []ruleUpsert `json:"upserts,omitempty"` // in the order made; a later one for an ID wins
	Deleted []string     `json:"deleted,omitempty"`
}

type ruleUpsert struct {
	Group string `json:"group"`
	Rule  Rule   `json:"rule"`
}

// apply returns groups with the overrides applied: deleted IDs removed,
// upserts replacing the rule of the same ID or appended to their group
// (made if missing).
func (o ruleOverrides) apply(groups []Group) []Group {
	out := slices.Clone(groups)
	for i := range out {
		out[i].Rules = slices.DeleteFunc(slices.Clone(out[i].Rules), func(r Rule) bool {
			return slices.Contains(o.Deleted, r.ID)
		})
	}
	for _, u := range o.Upserts {
		out = upsert(out, u.Group, u.Rule)
	}
	return out
}

func upsert(groups []Group, group string, r Rule) []Group {
	for gi := range groups {
		if i := slices.IndexFunc(groups[gi].Rules, func(x Rule) bool { return x.ID == r.ID }); i >= 0 {
			groups[gi].Rules[i] = r
			return groups
		}
	}
	for gi := range groups {
		if groups[gi].Name == group {
			groups[gi].Rules = append(groups[gi].Rules, r)
			return groups
		}
	}
	return append(groups, Group{Name: group, Rules: []Rule{r}})
}

// Rules returns every rule, in group order.
func (e *Engine) Rules() []Rule {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Rule
	for _, g := range e.groups {
		out = append(out, g.def.Rules...)
	}
	return out
}

// AddRule adds a rule to the named group (made if missing; "" means
// "api"), checks it with the others, starts evaluating it and returns it
// with its defaults. An ID already in use is a *RuleError on field "id".
func (e *Engine) AddRule(ctx context.Context, group string, r Rule) (Rule, error) {
	if group == "" {
		group = "api"
	}
	if r.ID == "" {
		r.ID = group + "/" + cmp.Or(r.Name, r.Record)
	}
	return e.change(ctx, ruleEdit{add: true, group: group, rule: r})
}

// UpdateRule replaces the rule with this ID, keeping its group and the
// state of its alerts whose labels do not change. An unknown ID is
// ErrNotFound.
func (e *Engine) UpdateRule(ctx context.Context, id string, r Rule) (Rule, error) {
	r.ID = id
	return e.change(ctx, ruleEdit{rule: r})
}

// DeleteRule removes the rule with this ID; its firing alerts resolve. An
// unknown ID is ErrNotFound.
func (e *Engine) DeleteRule(ctx context.Context, id string) error {
	_, err := e.change(ctx, ruleEdit{del: true, rule: Rule{ID: id}})
	return err
}

// ruleEdit is one change through the API: an add, an update or a delete
// of rule.ID.
type ruleEdit struct {
	add, del bool
	group    string // of an add; an update keeps the rule's group
	rule     Rule
}

// change applies one edit to the live groups. Edits run one at a time
// (editMu): the groups are read and checked under mu, the groups that
// change wait for an evaluation in flight without mu held, so the engine
// stays responsive (and Shutdown can cancel that evaluation), and the
// recompiled groups are installed under mu with their alert state carried
// over. Lock order: editMu, group.run, mu.
func (e *Engine) change(ctx context.Context, ed ruleEdit) (Rule, error) {
	e.editMu.Lock()
	defer e.editMu.Unlock()
	e.mu.Lock()
	defs, next, err := e.plan(&ed)
	old := slices.Clone(e.groups)
	e.mu.Unlock()
	if err != nil {
		return Rule{}, err
	}
	gone, err := e.swap(old, defs, next)
	if err != nil {
		return Rule{}, err
	}
	e.resolveGone(ctx, gone)
	e.save()
	if ed.del {
		return Rule{}, nil
	}
	r, _ := e.rule(ed.rule.ID)
	return r, nil
}

// plan checks ed against the live groups and returns the groups and
// overrides it leads to; the caller holds mu.
func (e *Engine) plan(ed *ruleEdit) ([]Group, ruleOverrides, error) {
	id := ed.rule.ID
	if e.closed {
		return nil, ruleOverrides{}, ErrClosed
	}
	owner := ""
	for _, g := range e.groups {
		if slices.ContainsFunc(g.def.Rules, func(r Rule) bool { return r.ID == id }) {
			owner = g.def.Name
		}
	}
	switch {
	case ed.add && owner != "":
		return nil, ruleOverrides{}, &RuleError{Group: ed.group, Rule: id, Field: "id", Err: errors.New("a rule with this ID exists")}
	case !ed.add && owner == "":
		return nil, ruleOverrides{}, fmt.Errorf("rule %q: %w", id, ErrNotFound)
	case !ed.add:
		ed.group = owner
	}
	next := e.overrides
	upserts := slices.DeleteFunc(slices.Clone(next.Upserts), func(x ruleUpsert) bool { return x.Rule.ID == id })
	deleted := slices.DeleteFunc(slices.Clone(next.Deleted), func(d string) bool { return d == id })
	defs := make([]Group, len(e.groups))
	for i, g := range e.groups {
		defs[i] = cloneGroup(g.def)
	}
	if ed.del {
		next.Upserts, next.Deleted = upserts, append(deleted, id)
		defs = ruleOverrides{Deleted: []string{id}}.apply(defs)
	} else {
		next.Upserts, next.Deleted = append(upserts, ruleUpsert{Group: ed.group, Rule: ed.rule}), deleted
		defs = upsert(defs, ed.group, ed.rule)
	}
	defs, err := normalizeGroups(defs)
	if err == nil {
		err = e.checkReceivers(defs)
	}
	return defs, next, err
}

// swap recompiles the groups whose definition changed and installs defs
// and the overrides, carrying alert state over; it returns the alerts of
// rules that no longer exist. Groups that change or go are waited for
// and retired: their evaluations in flight finish first, later ones are
// dropped. The caller holds editMu, so old is still the live set.
func (e *Engine) swap(old []*group, defs []Group, overrides ruleOverrides) ([]Alert, error) {
	byName := map[string]*group{}
	for _, g := range old {
		byName[g.def.Name] = g
	}
	var retire []*group
	for _, g := range old {
		i := slices.IndexFunc(defs, func(d Group) bool { return d.Name == g.def.Name })
		if i < 0 || !groupsEqual(g.def, defs[i]) {
			retire = append(retire, g)
		}
	}
	for _, g := range retire { // wait out their evaluations; none starts after
		g.run.Lock()
		defer g.run.Unlock()
	}
	var before []Alert
	for _, g := range old {
		before = append(before, g.ev.alerts()...)
	}
	next := make([]*group, 0, len(defs))
	for _, d := range defs {
		if g := byName[d.Name]; g != nil && groupsEqual(g.def, d) {
			next = append(next, g)
			continue
		}
		ev, err := e.eval.compile(d)
		if err != nil {
			return nil, err
		}
		ev.restore(before)
		next = append(next, &group{def: d, ev: ev})
	}
	var gone []Alert
	for _, a := range before {
		if !slices.ContainsFunc(defs, func(g Group) bool {
			return slices.ContainsFunc(g.Rules, func(r Rule) bool { return r.ID == a.RuleID })
		}) {
			gone = append(gone, a)
		}
	}
	for _, g := range retire {
		g.retired = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.groups, e.overrides = next, overrides
	for _, d := range defs {
		e.startLoop(d.Name) // a no-op for groups whose loop runs
	}
	return gone, nil
}

// resolveGone resolves the firing alerts of deleted rules, so their
// receivers hear they ended.
func (e *Engine) resolveGone(ctx context.Context, gone []Alert) {
	now := e.cfg.now()
	var resolved []Alert
	for _, a := range gone {
		if a.State != StateFiring {
			continue
		}
		from := a.State
		a.State, a.ResolvedAt = StateResolved, now
		e.hist.stateChange(ctx, now, transition{Alert: a, From: from})
		resolved = append(resolved, a)
	}
	if len(resolved) > 0 {
		e.disp.put(resolved)
	}
}

// Alerts returns the pending, firing and recently resolved alerts that f
// selects, each with its acknowledgement, ordered by rule ID then alert ID.
func (e *Engine) Alerts(f AlertFilter) []Alert {
	e.mu.Lock()
	groups := slices.Clone(e.groups)
	e.mu.Unlock()
	acks := e.disp.acks()
	var out []Alert
	for _, g := range groups {
		for _, a := range g.ev.alerts() {
			if !f.match(a) {
				continue
			}
			if ack, ok := acks[a.ID]; ok && a.State == StateFiring {
				a.Ack = &ack
			}
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b Alert) int { return cmp.Or(cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.ID, b.ID)) })
	return out
}

func (f AlertFilter) match(a Alert) bool {
	return (len(f.States) == 0 || slices.Contains(f.States, a.State)) &&
		(len(f.Severities) == 0 || slices.Contains(f.Severities, a.Severity()))
}

// Ack acknowledges the firing alert with this ID: its repeats and
// escalation stop until it resolves. A zero a.At means now. An alert that
// is not firing is ErrNotFound.
func (e *Engine) Ack(ctx context.Context, id string, a Ack) error {
	if e.isClosed() {
		return ErrClosed
	}
	if a.At.IsZero() {
		a.At = e.cfg.now()
	}
	if err := e.disp.ack(id, a); err != nil {
		return err
	}
	e.hist.ack(ctx, e.ruleOf(id), id, a)
	e.save()
	return nil
}

// Silences returns the silences, active, pending and recently expired.
func (e *Engine) Silences() []Silence { return e.disp.silences() }

// AddSilence stores a silence and returns it with its ID; see [Silence].
func (e *Engine) AddSilence(ctx context.Context, s Silence) (Silence, error) {
	if e.isClosed() {
		return Silence{}, ErrClosed
	}
	s, err := e.disp.addSilence(s)
	if err != nil {
		return Silence{}, err
	}
	e.hist.silence(ctx, "silence_created", s)
	e.save()
	return s, nil
}

// ExpireSilence ends the silence with this ID now. An unknown or expired
// silence is ErrNotFound.
func (e *Engine) ExpireSilence(ctx context.Context, id string) error {
	if e.isClosed() {
		return ErrClosed
	}
	if err := e.disp.expireSilence(id); err != nil {
		return err
	}
	for _, s := range e.disp.silences() {
		if s.ID == id {
			e.hist.silence(ctx, "silence_expired", s)
		}
	}
	e.save()
	return nil
}

// checkReceivers rejects rules that name a receiver the engine does not
// have, in their receivers or an escalation tier: the dispatcher would
// otherwise fall back to the route's receiver when the alert fires.
func (e *Engine) checkReceivers(groups []Group) error {
	known := e.cfg.receiverMap()
	var errs []error
	bad := func(g Group, r Rule, field string, names []string) {
		for _, n := range names {
			if _, ok := known[n]; !ok {
				errs = append(errs, &RuleError{Group: g.Name, Rule: r.ID, Field: field, Err: fmt.Errorf("unknown receiver %q", n)})
			}
		}
	}
	for _, g := range groups {
		for _, r := range g.Rules {
			bad(g, r, "receivers", r.Receivers)
			for i, t := range r.Escalation {
				bad(g, r, fmt.Sprintf("escalation[%d].receivers", i), t.Receivers)
			}
		}
	}
	return errors.Join(errs...)
}

// isClosed reports whether Shutdown was called.
func (e *Engine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// ruleOf returns the rule ID of the alert with this ID, or "".
func (e *Engine) ruleOf(id string) string {
	for _, a := range e.Alerts(AlertFilter{}) {
		if a.ID == id {
			return a.RuleID
		}
	}
	return ""
}

// groupsEqual reports whether two definitions would evaluate the same.
func groupsEqual(a, b Group) bool { return reflect.DeepEqual(a, b) }
