package behavior

import (
	"errors"
	"fmt"
)

// ErrInvalidEvent is matched by every [*EventError], so callers can tell a
// rejected event from a failure to ship it: errors.Is(err, ErrInvalidEvent).
var ErrInvalidEvent = errors.New("behavior: invalid event")

// EventError says which event and field were rejected, and why. Nothing
// is recorded for a rejected event.
type EventError struct {
	Event  string // the event name, such as "cart_add"
	Field  string // the field at fault, such as "quantity"; "" for the name itself
	Reason string // what is wrong, such as "must be greater than 0, got -1"
}

// Error returns "behavior: cart_add: quantity must be greater than 0, got
// -1". Since errors end up in logs, e-mail addresses in it are replaced
// with [RedactedEmail] whatever [WithEmails] says; the fields keep the
// values as they were.
func (e *EventError) Error() string {
	switch {
	case e.Event == "":
		return RedactEmails(fmt.Sprintf("behavior: event name %s", e.Reason))
	case e.Field == "":
		return RedactEmails(fmt.Sprintf("behavior: %s: %s", e.Event, e.Reason))
	}
	return RedactEmails(fmt.Sprintf("behavior: %s: %s %s", e.Event, e.Field, e.Reason))
}

// Unwrap returns [ErrInvalidEvent].
func (e *EventError) Unwrap() error { return ErrInvalidEvent }

func invalid(event, field, format string, args ...any) error {
	return &EventError{Event: event, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// maxName is the longest event or step name taken.
const maxName = 128

// checkName rejects an event name that is empty, too long, or holds
// control characters.
func checkName(name string) error {
	switch {
	case name == "":
		return &EventError{Reason: "is empty"}
	case len(name) > maxName:
		return &EventError{Reason: fmt.Sprintf("is %d bytes long, limit %d", len(name), maxName)}
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f {
			return &EventError{Reason: fmt.Sprintf("%q holds a control character", name)}
		}
	}
	return nil
}

func checkRequired(event, field, v string) error {
	if v == "" {
		return invalid(event, field, "is required")
	}
	return nil
}

func checkQuantity(event string, q int) error {
	if q <= 0 {
		return invalid(event, "quantity", "must be greater than 0, got %d", q)
	}
	return nil
}

func checkAmount(event, field string, v int64) error {
	if v < 0 {
		return invalid(event, field, "must not be negative, got %d", v)
	}
	return nil
}

// checkMoney checks an amount and its currency; a zero amount may leave
// the currency out.
func checkMoney(event, field string, v int64, cur string) error {
	if err := checkAmount(event, field, v); err != nil {
		return err
	}
	if cur == "" && v == 0 {
		return nil
	}
	if !IsCurrency(cur) {
		return invalid(event, "currency", "%q is not an ISO 4217 currency code", cur)
	}
	return nil
}
