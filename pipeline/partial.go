package pipeline

import "strings"

// appendPartial appends the partly masked form of v, a match of kind.
func appendPartial(dst []byte, kind Kind, v string) []byte {
	switch kind {
	case KindEmail:
		at := strings.LastIndexByte(v, '@')
		dst = append(dst, v[0])
		dst = append(dst, "***"...)
		return append(dst, v[at:]...)
	case KindPhone:
		return maskDigits(dst, v, mobilePrefix(v), 4)
	case KindCNID:
		dst = append(dst, v[:3]...)
		dst = append(dst, "***********"...)
		return append(dst, v[14:]...)
	case KindBankCard:
		return maskDigits(dst, v, 0, 4)
	case KindIP:
		return appendPartialIP(dst, v)
	case KindToken, KindJWT:
		dst = append(dst, v[:4]...)
		return append(dst, "****"...)
	}
	return append(dst, "[secret]"...)
}

// mobilePrefix returns how many leading digits of a phone number to keep:
// three for a mainland-China mobile written without its country code, as
// is the custom there ("138****5678"), else none.
func mobilePrefix(v string) int {
	if v[0] == '1' {
		return 3
	}
	return 0
}

// maskDigits appends v with its digits replaced by '*', except the first
// keepHead and the last keepTail; other bytes are kept.
func maskDigits(dst []byte, v string, keepHead, keepTail int) []byte {
	total := 0
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			total++
		}
	}
	d := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isDigit(c) {
			if d >= keepHead && d < total-keepTail {
				c = '*'
			}
			d++
		}
		dst = append(dst, c)
	}
	return dst
}

// appendPartialIP keeps the first two octets of an IPv4 address
// ("192.168.*.*") and the first group of an IPv6 one ("2001:*").
func appendPartialIP(dst []byte, v string) []byte {
	if strings.IndexByte(v, ':') < 0 {
		second := strings.IndexByte(v, '.')
		second += 1 + strings.IndexByte(v[second+1:], '.')
		dst = append(dst, v[:second]...)
		return append(dst, ".*.*"...)
	}
	first := strings.IndexByte(v, ':')
	dst = append(dst, v[:first]...)
	return append(dst, ":*"...)
}

// appendCanonical appends the form of v that [Hash] hashes: e-mail and IP
// addresses lowered, numbers with only their digits (and an ID's X).
func appendCanonical(dst []byte, kind Kind, v string) []byte {
	switch kind {
	case KindEmail, KindIP:
		for i := 0; i < len(v); i++ {
			c := v[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst
	case KindPhone, KindBankCard, KindCNID:
		for i := 0; i < len(v); i++ {
			switch c := v[i]; {
			case isDigit(c):
				dst = append(dst, c)
			case c == 'X' || c == 'x':
				dst = append(dst, 'X')
			}
		}
		return dst
	}
	return append(dst, v...)
}
