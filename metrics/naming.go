package metrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/o2kit/o2kit"
)

// Desc describes a metric: its name, help text, unit and label names.
//
// Name follows the Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*) and must
// already be the name OpenObserve stores: lower case, since the server
// lowers stream names and a metric read back under another name would
// surprise its author. When Unit is set and Name does not end in it (or in
// it followed by "_total"), "_"+Unit is appended, so Desc{Name:
// "order_duration", Unit: "seconds"} is the metric order_duration_seconds.
//
// Labels are the label names of a vector, in the order With takes their
// values. They follow the Prometheus rules ([a-zA-Z_][a-zA-Z0-9_]*, no
// leading "__"), are lower case, and may not be one of the names the
// export uses itself: "value", "le", "quantile", "_timestamp".
type Desc struct {
	Name   string
	Help   string
	Unit   string
	Labels []string
}

// ErrInvalidName is wrapped by the errors about a metric or label name
// that breaks the naming rules of [Desc].
var ErrInvalidName = errors.New("metrics: invalid name")

// ErrConflict is wrapped by the error for a name already registered with
// another type, help text, unit, label set or bucket layout.
var ErrConflict = errors.New("metrics: name registered with another definition")

// reservedLabels are label names the export and exposition write
// themselves.
var reservedLabels = []string{"value", "le", "quantile", "_timestamp"}

// fullName returns the name d is registered under, with its unit suffix.
func (d Desc) fullName() string {
	if d.Unit == "" {
		return d.Name
	}
	u := "_" + d.Unit
	if strings.HasSuffix(d.Name, u) || strings.HasSuffix(d.Name, u+"_total") {
		return d.Name
	}
	return d.Name + u
}

// validate checks the name, the unit and the label names of d.
func (d Desc) validate() error {
	name := d.fullName()
	if !validMetricName(name) {
		return fmt.Errorf("%w: metric %q: want [a-zA-Z_:][a-zA-Z0-9_:]*", ErrInvalidName, name)
	}
	if o2kit.StreamName(name) != name {
		return fmt.Errorf("%w: metric %q: OpenObserve stores it as %q; use that name", ErrInvalidName, name, o2kit.StreamName(name))
	}
	for i, l := range d.Labels {
		if err := validLabel(l); err != nil {
			return err
		}
		if slices.Contains(d.Labels[:i], l) {
			return fmt.Errorf("%w: label %q given twice", ErrInvalidName, l)
		}
	}
	return nil
}

func validLabel(l string) error {
	switch {
	case !validLabelName(l):
		return fmt.Errorf("%w: label %q: want [a-zA-Z_][a-zA-Z0-9_]*", ErrInvalidName, l)
	case strings.HasPrefix(l, "__"):
		return fmt.Errorf("%w: label %q: names starting with __ are reserved", ErrInvalidName, l)
	case slices.Contains(reservedLabels, l):
		return fmt.Errorf("%w: label %q is reserved", ErrInvalidName, l)
	case o2kit.FieldName(l) != l:
		return fmt.Errorf("%w: label %q: OpenObserve stores it as %q; use that name", ErrInvalidName, l, o2kit.FieldName(l))
	}
	return nil
}

func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || c == '_' || c == ':' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return true
}

func validLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || c == '_' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
