package behavior

import "strings"

// iso4217 lists the active codes of ISO 4217 List One (maintenance agency
// SIX, amendments through 2025: XCG from ANG, ZWG from ZWL, SLE beside
// SLL), less XTS (reserved for testing) and XXX (no currency). Sorted, so
// a binary search finds a code.
const iso4217 = "" +
	"AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV " +
	"BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE " +
	"CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD " +
	"HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD " +
	"KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV " +
	"MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB " +
	"RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT " +
	"TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF " +
	"XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL"

// IsCurrency reports whether code is an active ISO 4217 currency code, in
// upper case as the standard writes it ("EUR", not "eur").
func IsCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	lo, hi := 0, (len(iso4217)+1)/4
	for lo < hi {
		m := (lo + hi) / 2
		switch c := strings.Compare(iso4217[4*m:4*m+3], code); {
		case c == 0:
			return true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
}
