package alerting

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"text/template"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// evalRule is one compiled rule and the state of its alert series.
type evalRule struct {
	rule        Rule
	expr        string      // the expression, as the engine is given it
	parsed      *evalParsed // its tree, kept cached while the rule lives
	labels      []evalTemplate
	annotations []evalTemplate
	severity    string // set after the labels; "" when a severity label decides
	sql         *evalSQL

	active   map[uint64]*evalAlert // alert series by label hash; guarded by groupEval.mu
	recorded map[uint64]struct{}   // series a recording rule wrote last time
}

// evalSample is one element of a rule's result.
type evalSample struct {
	lset  labels.Labels
	value float64
}

// evalCompileError is a compile failure and the rule field at fault.
type evalCompileError struct {
	field string
	err   error
}

func (e *evaluator) compileRule(r Rule, funcs template.FuncMap) (*evalRule, *evalCompileError) {
	er := &evalRule{rule: r, active: map[uint64]*evalAlert{}}
	switch {
	case r.SQL != nil:
		sql, err := e.compileSQL(r.SQL)
		if err != nil {
			return nil, &evalCompileError{"sql", err}
		}
		er.sql = sql
	default:
		parsed, err := e.parser.compile(r.Expr)
		if err != nil {
			return nil, &evalCompileError{"expr", err}
		}
		er.expr, er.parsed = r.Expr, parsed
	}
	if r.Record != "" {
		// Recording rules' labels are plain values, as in Prometheus.
		for name, v := range r.Labels {
			er.labels = append(er.labels, evalTemplate{name: name, text: v})
		}
		er.recorded = map[uint64]struct{}{}
		return er, nil
	}
	var err error
	if er.labels, err = evalParseTemplates("label", r.Name, r.Labels, funcs); err != nil {
		return nil, &evalCompileError{"labels", err}
	}
	if er.annotations, err = evalParseTemplates("annotation", r.Name, r.Annotations, funcs); err != nil {
		return nil, &evalCompileError{"annotations", err}
	}
	er.severity = evalSeverity(r)
	return er, nil
}

// evalSeverity is the severity label a rule sets after its own labels:
// its Severity, else none when its labels carry one, else medium.
func evalSeverity(r Rule) string {
	if r.Severity != "" {
		return string(r.Severity)
	}
	if _, ok := r.Labels[LabelSeverity]; ok {
		return ""
	}
	return string(Medium)
}

// run evaluates the rule's condition at ts.
func (r *evalRule) run(ctx context.Context, e *evaluator, ts time.Time) ([]evalSample, error) {
	if r.sql != nil {
		return r.sql.run(ctx, e.cfg, ts)
	}
	vec, err := e.query(ctx, r.expr, ts)
	if err != nil {
		return nil, err
	}
	out := make([]evalSample, 0, len(vec))
	for _, s := range vec {
		if s.H != nil {
			continue // no native histograms in the sources
		}
		out = append(out, evalSample{lset: s.Metric, value: s.F})
	}
	return out, nil
}

// errEvalDuplicate is Prometheus' error for a result with two elements
// that give one label set.
var errEvalDuplicate = errors.New("vector contains metrics with the same labelset after applying rule labels")

// record stores a recording rule's result in the overlay at ts, and ends
// with a staleness marker every series it no longer returns. A result
// with a repeated label set or over limit (when above 0) records nothing.
func (r *evalRule) record(o *evalOverlay, found []evalSample, ts time.Time, limit int) error {
	t := ts.UnixMilli()
	lb := labels.NewBuilder(labels.EmptyLabels())
	seen := make(map[uint64]struct{}, len(found))
	lsets := make([]labels.Labels, len(found))
	for i, s := range found {
		lb.Reset(s.lset)
		lb.Set(labels.MetricName, r.rule.Record)
		for _, l := range r.labels {
			lb.Set(l.name, l.text)
		}
		lsets[i] = lb.Labels()
		h := lsets[i].Hash()
		if _, dup := seen[h]; dup {
			return errEvalDuplicate
		}
		seen[h] = struct{}{}
	}
	if limit > 0 && len(found) > limit {
		return fmt.Errorf("exceeded limit of %d with %d series", limit, len(found))
	}
	for i, s := range found {
		o.add(lsets[i].Hash(), lsets[i], t, s.value)
	}
	for h := range r.recorded {
		if _, ok := seen[h]; !ok {
			o.markStale(h, t)
		}
	}
	r.recorded = seen
	return nil
}

// evalActiveSeries is one alert series of the current result, its labels
// final and its annotations rendered.
type evalActiveSeries struct {
	hash        uint64
	lset        labels.Labels
	value       float64
	annotations map[string]string
}

// activeSeries turns a result into alert series: the element's labels
// without __name__, the rule's labels rendered, alertname and severity.
func (r *evalRule) activeSeries(found []evalSample, external map[string]string) ([]evalActiveSeries, error) {
	out := make([]evalActiveSeries, 0, len(found))
	seen := make(map[uint64]struct{}, len(found))
	lb := labels.NewBuilder(labels.EmptyLabels())
	for _, s := range found {
		data := &evalTemplateData{Labels: s.lset.Map(), ExternalLabels: external, Value: s.value}
		lb.Reset(s.lset)
		lb.Del(labels.MetricName)
		for i := range r.labels {
			lb.Set(r.labels[i].name, r.labels[i].expand(data))
		}
		lb.Set(LabelAlertName, r.rule.Name)
		if r.severity != "" {
			lb.Set(LabelSeverity, r.severity)
		}
		lset := lb.Labels()
		h := lset.Hash()
		if _, dup := seen[h]; dup {
			return nil, errEvalDuplicate
		}
		seen[h] = struct{}{}
		out = append(out, evalActiveSeries{hash: h, lset: lset, value: s.value, annotations: r.render(data)})
	}
	return out, nil
}

// render expands the annotations for one alert.
func (r *evalRule) render(data *evalTemplateData) map[string]string {
	if len(r.annotations) == 0 {
		return nil
	}
	m := make(map[string]string, len(r.annotations))
	for i := range r.annotations {
		m[r.annotations[i].name] = r.annotations[i].expand(data)
	}
	return m
}

// evalAlertID is an alert's ID: a hash of its rule's ID and its label set,
// in hex. Two rules whose alerts carry the same labels (a rule repeated
// under another ID) keep apart, so an ack reaches the one it names.
func evalAlertID(ruleID string, labelsHash uint64) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(ruleID))
	_, _ = h.Write(binary.LittleEndian.AppendUint64([]byte{0}, labelsHash))
	return fmt.Sprintf("%016x", h.Sum64())
}

// evalCopy returns a copy of a that shares nothing with it.
func evalCopy(a *Alert) Alert {
	c := *a
	c.Labels = maps.Clone(a.Labels)
	c.Annotations = maps.Clone(a.Annotations)
	if a.Ack != nil {
		ack := *a.Ack
		c.Ack = &ack
	}
	return c
}
