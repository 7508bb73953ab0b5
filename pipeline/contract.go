package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
)

// Fields a [Contract] adds to the records it sends to the dead-letter
// stream.
const (
	FieldDeadLetterReason   = "dead_letter_reason"   // the failed checks, "missing:order_id; range:amount_minor"
	FieldDeadLetterStream   = "dead_letter_stream"   // the stream the record was for
	FieldDeadLetterContract = "dead_letter_contract" // the contract's name
)

type contractAction uint8

const (
	deadLetterAction contractAction = iota
	dropAction
	flagAction
)

// Contract checks the records of a stream against rules. Create it with
// [NewContract]. It is safe for concurrent use.
type Contract struct {
	name    string
	streams map[string]bool // the stream, raw and normalised; nil: every stream
	rules   []compiledRule
	// deadLetter is the normalised name of the dead-letter stream.
	deadLetter string
	cfg        *procConfig

	checked, failed atomic.Int64
	counts          map[string]*atomic.Int64 // by "<check>:<field>"; fixed after NewContract
	normal          streamNames
}

type compiledRule struct {
	Rule
	path fieldPath
}

var (
	_ o2kit.Processor     = (*Contract)(nil)
	_ o2kit.StatsReporter = (*Contract)(nil)
)

// NewContract returns a contract named name for the records of stream
// (matched as given or normalised; "" means every stream). A record that
// fails a rule goes, by default, to the dead-letter stream with the
// reason; [DropInvalid] and [FlagInvalid] choose otherwise, [DeadLetterTo]
// names the stream. Records already on their way to the dead-letter stream
// are not checked. NewContract returns an error for an empty name, no
// rules, two rules for one field, or a rule that can never pass.
func NewContract(name, stream string, rules []Rule, opts ...Option) (*Contract, error) {
	if name == "" {
		return nil, errors.New("pipeline: contract without a name")
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("pipeline: contract %q has no rules", name)
	}
	c := &Contract{name: name, cfg: newConfig(opts), counts: map[string]*atomic.Int64{}}
	if c.cfg.action == deadLetterAction && norm.StreamName(c.cfg.deadLetter) == "" {
		return nil, fmt.Errorf("pipeline: contract %q: empty dead-letter stream", name)
	}
	c.deadLetter = norm.StreamName(c.cfg.deadLetter)
	if stream != "" {
		c.streams = map[string]bool{stream: true, norm.StreamName(stream): true}
	}
	for _, r := range rules {
		if err := c.add(r); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Contract) add(r Rule) error {
	if err := r.validate(); err != nil {
		return err
	}
	for _, check := range []string{checkMissing, checkType, checkEnum, checkRange, checkLength} {
		reason := check + ":" + r.name
		if c.counts[reason] != nil {
			return fmt.Errorf("pipeline: contract %q: two rules for %q", c.name, r.name)
		}
		c.counts[reason] = new(atomic.Int64)
	}
	c.rules = append(c.rules, compiledRule{Rule: r, path: parsePath(r.name)})
	return nil
}

// Name returns the contract's name.
func (c *Contract) Name() string { return c.name }

// Process checks r and sends it on, to the dead-letter stream, or nowhere.
func (c *Contract) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	if !c.applies(r.Stream) {
		return r, nil
	}
	c.checked.Add(1)
	reasons := c.check(r.Attrs, nil) // nil until a check fails: no allocation for a valid record
	if len(reasons) == 0 {
		return r, nil
	}
	c.failed.Add(1)
	for _, reason := range reasons {
		c.counts[reason].Add(1)
	}
	return c.fail(r, strings.Join(reasons, "; "))
}

func (c *Contract) applies(stream string) bool {
	if c.cfg.action == deadLetterAction && (stream == c.cfg.deadLetter || c.normal.of(stream) == c.deadLetter) {
		return false
	}
	return c.streams == nil || c.streams[stream] || c.streams[c.normal.of(stream)]
}

// check appends the reasons r's attributes fail, "<check>:<field>".
func (c *Contract) check(attrs []slog.Attr, reasons []string) []string {
	for i := range c.rules {
		rule := &c.rules[i]
		v, ok := findAttr(attrs, rule.path)
		var failed string
		switch {
		case !ok && rule.required:
			failed = checkMissing
		case ok:
			failed = rule.check(v)
		}
		if failed != "" {
			reasons = append(reasons, failed+":"+rule.name)
		}
	}
	return reasons
}

func (c *Contract) fail(r o2kit.Record, reason string) (o2kit.Record, error) {
	switch c.cfg.action {
	case dropAction:
		return r, o2kit.ErrDrop
	case flagAction:
		r.Attrs = withAttrs(r.Attrs, slog.String(c.cfg.flagKey, reason))
		return r, nil
	}
	r.Attrs = withAttrs(r.Attrs,
		slog.String(FieldDeadLetterReason, reason),
		slog.String(FieldDeadLetterStream, r.Stream),
		slog.String(FieldDeadLetterContract, c.name))
	r.Stream = c.cfg.deadLetter
	return r, nil
}

// ProcessorStats returns the contract's counters: "contract:<name>:checked"
// and ":failed" records, and the failures by reason,
// "contract:<name>:missing:order_id". Every key is present from the start.
func (c *Contract) ProcessorStats() map[string]int64 {
	p := "contract:" + c.name + ":"
	out := make(map[string]int64, len(c.counts)+2)
	out[p+"checked"] = c.checked.Load()
	out[p+"failed"] = c.failed.Load()
	for reason, n := range c.counts {
		out[p+reason] = n.Load()
	}
	return out
}
