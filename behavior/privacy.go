package behavior

import (
	"context"
	"strings"
	"sync"
)

// Consent decides whether events of a user (or, before login, an
// anonymous visitor) may be recorded. It is asked once per event, from the
// goroutine recording it, so it must be safe for concurrent use and fast.
// userID or anonymousID may be "".
type Consent interface {
	Allowed(ctx context.Context, userID, anonymousID string) bool
}

// ConsentFunc adapts a function to [Consent].
type ConsentFunc func(ctx context.Context, userID, anonymousID string) bool

// Allowed calls f.
func (f ConsentFunc) Allowed(ctx context.Context, userID, anonymousID string) bool {
	return f(ctx, userID, anonymousID)
}

// OptOuts is a [Consent] that refuses the ids added to it: the per-user
// opt-out for a service that keeps the list in memory. The zero value is
// ready to use and safe for concurrent use.
type OptOuts struct {
	mu  sync.RWMutex
	ids map[string]struct{} // guarded by mu
}

var _ Consent = (*OptOuts)(nil)

// Add opts the user or anonymous id out.
func (o *OptOuts) Add(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ids == nil {
		o.ids = map[string]struct{}{}
	}
	o.ids[id] = struct{}{}
}

// Remove opts the id back in.
func (o *OptOuts) Remove(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.ids, id)
}

// Allowed reports whether neither id has opted out. A nil *OptOuts allows
// everyone.
func (o *OptOuts) Allowed(_ context.Context, userID, anonymousID string) bool {
	if o == nil {
		return true
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	_, u := o.ids[userID]
	_, a := o.ids[anonymousID]
	return !(u && userID != "") && !(a && anonymousID != "")
}

// RedactedEmail replaces each e-mail address in a string property unless
// [WithEmails] allows them.
const RedactedEmail = "[email]"

// RedactEmails returns s with every e-mail address in it, plain or
// URL-encoded ("a%40b.example"), replaced by [RedactedEmail]. A string
// with no '@' and no "%40" is returned as it is, without allocating.
func RedactEmails(s string) string {
	if !mayHoldEmail(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		at := markerLen(s, i)
		if at == 0 {
			i++
			continue
		}
		start := localStart(s, i)
		end := domainEnd(s, i+at)
		if start == i || end == 0 {
			i += at
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(RedactedEmail)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// mayHoldEmail reports whether s has an '@' or a "%40"; it runs on every
// string of every event, so it only looks for single bytes.
func mayHoldEmail(s string) bool {
	if strings.IndexByte(s, '@') >= 0 {
		return true
	}
	for i := strings.IndexByte(s, '%'); i >= 0 && i+2 < len(s); {
		if s[i+1] == '4' && s[i+2] == '0' {
			return true
		}
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// markerLen returns the length of an '@' or "%40" at i, or 0.
func markerLen(s string, i int) int {
	switch {
	case s[i] == '@':
		return 1
	case s[i] == '%' && i+2 < len(s) && s[i+1] == '4' && s[i+2] == '0':
		return 3
	}
	return 0
}

// localStart returns where the local part ending before at starts (at
// itself when there is none).
func localStart(s string, at int) int {
	i := at
	for i > 0 && isLocalByte(s[i-1]) {
		i--
	}
	return i
}

// domainEnd returns where a domain starting at from ends, or 0 when the
// text there is not a domain with a dot and a top-level label of two or
// more letters.
func domainEnd(s string, from int) int {
	i, lastDot := from, -1
	for i < len(s) && (isAlnum(s[i]) || s[i] == '-' || s[i] == '.') {
		if s[i] == '.' {
			lastDot = i
		}
		i++
	}
	for i > from && s[i-1] == '.' { // a sentence's full stop
		i--
		lastDot = strings.LastIndexByte(s[from:i], '.')
		if lastDot >= 0 {
			lastDot += from
		}
	}
	if lastDot <= from || i-lastDot-1 < 2 {
		return 0
	}
	for j := lastDot + 1; j < i; j++ {
		if !isLetter(s[j]) {
			return 0
		}
	}
	return i
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isLetter(c) || c >= '0' && c <= '9' }
func isLocalByte(c byte) bool {
	return isAlnum(c) || strings.IndexByte("._%+-", c) >= 0
}
