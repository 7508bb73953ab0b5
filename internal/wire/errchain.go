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
// key_chain with [Chain] of its error, when it holds one that wraps others
// and has a key.
func (e *Encoder) appendChain(dst []byte, a *slog.Attr) []byte {
	err, ok := a.Value.Any().(error)
	if !ok || a.Key == "" || !Wraps(err) {
		return dst
	}
	c := slog.String(a.Key+ChainSuffix, Chain(err))
	return e.attr(dst, &c, 0)
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
