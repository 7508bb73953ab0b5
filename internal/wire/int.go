package wire

import "math/bits"

// appendInt appends n in decimal, as strconv.AppendInt(dst, n, 10) does.
func appendInt(dst []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		dst = append(dst, '-')
		u = -u
	}
	return appendUint(dst, u)
}

// appendUint appends u in decimal, as strconv.AppendUint(dst, u, 10) does,
// but writes the digits in place, two at a time, where strconv writes them
// into a buffer of its own and copies that: a record holds a handful of
// integers (its timestamp, counts, durations), and the copy cost as much
// as the digits.
func appendUint(dst []byte, u uint64) []byte {
	if u < 10 {
		return append(dst, byte('0'+u))
	}
	w := decimalLen(u)
	n := len(dst)
	if cap(dst)-n < w {
		dst = append(dst, make([]byte, w)...)[:n]
	}
	b := dst[n : n+w]
	i := w
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		b[i], b[i+1] = digitPairs[r], digitPairs[r+1]
		u = q
	}
	if u >= 10 {
		b[0], b[1] = digitPairs[2*u], digitPairs[2*u+1]
	} else {
		b[0] = byte('0' + u)
	}
	return dst[:n+w]
}

// decimalLen returns the number of decimal digits of u (at least 1).
func decimalLen(u uint64) int {
	// 1233/4096 is just above log10(2): a first guess that is right or
	// one too small.
	g := (bits.Len64(u) * 1233) >> 12
	if g < len(pow10) && u >= pow10[g] {
		g++
	}
	return max(g, 1)
}

// pow10[i] is 10^i.
var pow10 = [...]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"
