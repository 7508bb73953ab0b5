package pipeline

// The checks that tell personal data from look-alikes: an order number of
// eleven digits is not a phone number unless it has a mobile prefix, and an
// 18-digit or card-length number is masked only when its check digit holds.

// luhn reports whether the digits of s (other bytes skipped) pass the Luhn
// check that every payment card number passes.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if !isDigit(c) {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardPrefix reports whether a card number may start with d: 2 and 5
// (Mastercard), 3 (Amex, JCB, Diners), 4 (Visa), 6 (UnionPay, Discover).
// Numbers starting with 1, 7, 8, 9 or 0, such as Unix times in
// milliseconds, are not taken for cards.
func cardPrefix(d byte) bool { return '2' <= d && d <= '6' }

// idWeights are the GB 11643-1999 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the check character.
const idCheck = "10X98765432"

// cnID reports whether s, 18 bytes, is a mainland-China resident ID number:
// a region code whose first digit is 1 to 8, a valid birth date from 1900
// to 2099, and the right check character (a digit or X).
func cnID(s string) bool {
	if len(s) != 18 || s[0] < '1' || s[0] > '8' {
		return false
	}
	sum := 0
	for i := range 17 {
		if !isDigit(s[i]) {
			return false
		}
		sum += int(s[i]-'0') * idWeights[i]
	}
	c := s[17]
	if c == 'x' {
		c = 'X'
	}
	return c == idCheck[sum%11] && validDate(s[6:14])
}

// validDate reports whether the digits YYYYMMDD name a day from 1900 to
// 2099.
func validDate(s string) bool {
	y := atoi(s[0:4])
	m := atoi(s[4:6])
	d := atoi(s[6:8])
	if y < 1900 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoi reads the decimal digits of s, which holds only digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// cnMobile reports whether s, eleven digits, is a mainland-China mobile
// number: 1 followed by 3 to 9.
func cnMobile(s string) bool {
	return len(s) == 11 && s[0] == '1' && '3' <= s[1] && s[1] <= '9'
}

// nanp reports whether the three-digit area code or exchange s may start a
// North American number (its first digit is 2 to 9).
func nanp(s string) bool { return '2' <= s[0] && s[0] <= '9' }
