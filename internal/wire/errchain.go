package wire

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// ChainSuffix ends the key of the field [Encoder.ErrorChains] adds after
// an error that wraps others.
const ChainSuffix = "_chain"

// appendChain appends, after a, which holds a value of kind Any, the field
// [ChainAttr] gives for it, if any.
func (e *Encoder) appendChain(dst []byte, a *slog.Attr) []byte {
	c, ok := ChainAttr(a)
	if !ok {
		return dst
	}
	return e.attr(dst, &c, 0)
}

// ChainAttr returns the attr key_chain, [Chain] of a's error, when a has a
// key and holds a value of kind Any that is an error wrapping others.
func ChainAttr(a *slog.Attr) (slog.Attr, bool) {
	if a.Key == "" || a.Value.Kind() != slog.KindAny {
		return slog.Attr{}, false
	}
	err, ok := a.Value.Any().(error)
	if !ok || !Wraps(err) {
		return slog.Attr{}, false
	}
	return slog.String(a.Key+ChainSuffix, Chain(err)), true
}

// AppendSlogAttr appends a as a slog handler gives it on: left out when
// its key is empty (groups aside) or it is an empty group, and followed by
// [ChainAttr] when it holds an error that wraps others.
func AppendSlogAttr(dst []slog.Attr, a slog.Attr) []slog.Attr {
	if a.Value.Kind() == slog.KindGroup {
		if len(a.Value.Group()) == 0 {
			return dst
		}
	} else if a.Key == "" {
		return dst
	}
	dst = append(dst, a)
	if c, ok := ChainAttr(&a); ok {
		dst = append(dst, c)
	}
	return dst
}

// Wraps reports whether err wraps another error.
func Wraps(err error) bool {
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return u.Unwrap() != nil
	case interface{ Unwrap() []error }:
		return len(u.Unwrap()) > 0
	}
	return false
}

// Chain describes what err wraps, depth first: "*fs.PathError: open x: ...
// | syscall.Errno: no such file or directory". A panicking Error method
// gives the text [ErrorText] gives.
func Chain(err error) string {
	var b strings.Builder
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		if b.Len() > 0 {
			b.WriteString(" | ")
		}
		fmt.Fprintf(&b, "%T: %s", e, ErrorText(e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(errors.Unwrap(err), 0)
	if m, ok := err.(interface{ Unwrap() []error }); ok && errors.Unwrap(err) == nil {
		for _, x := range m.Unwrap() {
			walk(x, 0)
		}
	}
	return b.String()
}
