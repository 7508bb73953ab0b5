package tracing

import (
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// ErrInvalidEvent is matched by the error of a business-event helper
// ([OrderPlaced], [PaymentAuthorised], [StockReserved]) given input that
// cannot describe a real event, such as an empty order id or a negative
// amount: errors.Is(err, tracing.ErrInvalidEvent). Nothing is recorded
// for such an event, so a bug in the caller shows up as an error rather
// than as a misleading trace.
var ErrInvalidEvent = errors.New("tracing: invalid event")

// check returns the first problem of an event, wrapped with its name, or
// nil. Each problem is "" when the field is fine.
func check(event string, problems ...string) error {
	for _, p := range problems {
		if p != "" {
			return fmt.Errorf("%w: %s: %s", ErrInvalidEvent, event, p)
		}
	}
	return nil
}

func required(key attribute.Key, v string) string {
	if v == "" {
		return string(key) + " is required"
	}
	return ""
}

func notNegative(key attribute.Key, v int64) string {
	if v < 0 {
		return fmt.Sprintf("%s must not be negative, got %d", key, v)
	}
	return ""
}

func positive(key attribute.Key, v int64) string {
	if v < 1 {
		return fmt.Sprintf("%s must be at least 1, got %d", key, v)
	}
	return ""
}

// problem says what is wrong with m, or "": a negative amount, or a
// currency that is not three upper-case ASCII letters. Whether the code is
// one ISO 4217 assigns is not checked here.
func (m Money) problem() string {
	if p := notNegative(KeyAmount, m.Minor); p != "" {
		return p
	}
	if len(m.Currency) != 3 || strings.ContainsFunc(m.Currency, notUpper) {
		return fmt.Sprintf("%s %q is not a 3-letter ISO 4217 code", KeyCurrency, m.Currency)
	}
	return ""
}

func notUpper(r rune) bool { return r < 'A' || r > 'Z' }
