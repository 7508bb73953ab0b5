package alerting

import (
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
)

// inhibitRule is a compiled [InhibitRule], or a rule's [Suppression],
// whose targets are the alerts of that rule.
type inhibitRule struct {
	source []*labels.Matcher
	target []*labels.Matcher // unused when ruleID is set
	ruleID string            // a Suppression's rule
	equal  []string
	// sources indexes the firing alerts matching the source side by their
	// Equal label values, then by ID, so a target is checked by one
	// lookup. Suppressions, compiled afresh with their rules, have none
	// and scan the firing alerts.
	sources map[string]map[string]*dispatchAlert
}

// compileInhibitRules parses the matchers of rs; the error names the rule
// at fault by its index.
func compileInhibitRules(rs []InhibitRule) ([]*inhibitRule, error) {
	out := make([]*inhibitRule, 0, len(rs))
	for i, r := range rs {
		ir, err := compileInhibitRule(r)
		if err != nil {
			return nil, fmt.Errorf("alerting: inhibit rule %d: %w", i, err)
		}
		out = append(out, ir)
	}
	return out, nil
}

// compileInhibitRule parses one rule; both sides need matchers.
func compileInhibitRule(r InhibitRule) (*inhibitRule, error) {
	if len(r.Source) == 0 || len(r.Target) == 0 {
		return nil, errors.New("source and target need matchers")
	}
	src, err := parseMatchers(r.Source)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	tgt, err := parseMatchers(r.Target)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	return &inhibitRule{source: src, target: tgt, equal: r.Equal, sources: map[string]map[string]*dispatchAlert{}}, nil
}

// compileSuppressions turns a rule's suppressions into inhibition rules
// targeting the rule's alerts.
func compileSuppressions(ruleID string, ss []Suppression) ([]*inhibitRule, error) {
	var out []*inhibitRule
	for i, s := range ss {
		if len(s.Source) == 0 {
			return nil, fmt.Errorf("alerting: rule %q: suppression %d: source needs matchers", ruleID, i)
		}
		src, err := parseMatchers(s.Source)
		if err != nil {
			return nil, fmt.Errorf("alerting: rule %q: suppression %d: %w", ruleID, i, err)
		}
		out = append(out, &inhibitRule{source: src, ruleID: ruleID, equal: s.Equal})
	}
	return out, nil
}

// targets reports whether a is on the rule's target side.
func (r *inhibitRule) targets(a *Alert) bool {
	if r.ruleID != "" {
		return a.RuleID == r.ruleID
	}
	return matchAll(r.target, a.Labels)
}

// inhibits reports whether r mutes t while the alerts of firing fire. As in
// Alertmanager, a source inhibits whether or not it is silenced, must
// agree with t on every Equal label (absent reads as ""), and, when t
// matches the source side too, must not itself be a target, so two alerts
// matching both sides do not mute each other.
func (r *inhibitRule) inhibits(t *Alert, firing map[string]*dispatchAlert) bool {
	if !r.targets(t) {
		return false
	}
	twoSided := matchAll(r.source, t.Labels)
	mutes := func(id string, s *dispatchAlert) bool {
		return id != t.ID && !(twoSided && r.targets(&s.alert))
	}
	if r.sources != nil {
		for id, s := range r.sources[r.signature(t.Labels)] {
			if mutes(id, s) {
				return true
			}
		}
		return false
	}
	for id, s := range firing {
		if matchAll(r.source, s.alert.Labels) && r.agree(t, &s.alert) && mutes(id, s) {
			return true
		}
	}
	return false
}

// track adds a firing alert matching the source side to the index, or
// with gone set removes it.
func (r *inhibitRule) track(fa *dispatchAlert, gone bool) {
	if r.sources == nil || !matchAll(r.source, fa.alert.Labels) {
		return
	}
	sig := r.signature(fa.alert.Labels)
	ids := r.sources[sig]
	if gone {
		delete(ids, fa.alert.ID)
		if len(ids) == 0 {
			delete(r.sources, sig)
		}
		return
	}
	if ids == nil {
		ids = map[string]*dispatchAlert{}
		r.sources[sig] = ids
	}
	ids[fa.alert.ID] = fa
}

// signature joins the values of the Equal labels.
func (r *inhibitRule) signature(ls map[string]string) string {
	var b strings.Builder
	for _, n := range r.equal {
		b.WriteString(ls[n])
		b.WriteByte(0xff)
	}
	return b.String()
}

// agree reports whether a and b have the same values of the Equal labels.
func (r *inhibitRule) agree(a, b *Alert) bool {
	for _, name := range r.equal {
		if a.Labels[name] != b.Labels[name] {
			return false
		}
	}
	return true
}

// inhibitAny reports whether any of the rules mutes t.
func inhibitAny(t *Alert, firing map[string]*dispatchAlert, rules ...[]*inhibitRule) bool {
	for _, rs := range rules {
		for _, r := range rs {
			if r.inhibits(t, firing) {
				return true
			}
		}
	}
	return false
}
