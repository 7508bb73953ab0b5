package pipeline

// Kind is a kind of personal data that [MaskPII] finds.
type Kind uint8

// The kinds of personal data. KindSecret is a field whose key names a
// secret, whatever its value.
const (
	KindEmail    Kind = iota + 1 // e-mail address
	KindPhone                    // phone number: +international, mainland-China mobile, North American
	KindCNID                     // mainland-China resident ID number (GB 11643)
	KindBankCard                 // payment card number of 13 to 19 digits passing Luhn
	KindIP                       // IPv4 or IPv6 address
	KindToken                    // the credentials after "Bearer " or "Basic "
	KindJWT                      // JSON Web Token
	KindSecret                   // a field named as a secret (password, token...)
	kindEnd
)

var kindNames = [kindEnd]string{
	KindEmail: "email", KindPhone: "phone", KindCNID: "cn_id", KindBankCard: "bank_card",
	KindIP: "ip", KindToken: "token", KindJWT: "jwt", KindSecret: "secret",
}

// String returns the kind's name, as used in redactions ("[email]") and
// counter keys ("mask:email").
func (k Kind) String() string {
	if k == 0 || k >= kindEnd {
		return "unknown"
	}
	return kindNames[k]
}

// kindSet is a set of kinds.
type kindSet uint16

func (s kindSet) has(k Kind) bool { return s&(1<<k) != 0 }

func allKinds() kindSet {
	var s kindSet
	for k := KindEmail; k < kindEnd; k++ {
		s |= 1 << k
	}
	return s
}

func kindsOf(kinds []Kind) kindSet {
	if kinds == nil {
		return allKinds()
	}
	var s kindSet
	for _, k := range kinds {
		if k > 0 && k < kindEnd {
			s |= 1 << k
		}
	}
	return s
}
