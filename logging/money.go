package logging

import (
	"log/slog"
	"strings"
)

// Money is an amount in the currency's minor unit (cents for EUR, yen for
// JPY) and its ISO 4217 code. Money is never a float.
type Money struct {
	Minor    int64
	Currency string
}

// EUR returns minor cents of euro, for brevity in tests and examples.
func EUR(minor int64) Money { return Money{Minor: minor, Currency: "EUR"} }

// check reports what is wrong with m, or "".
func (m Money) check() string {
	if !isCurrency(m.Currency) {
		return "must have an ISO 4217 currency code, such as EUR"
	}
	if m.Minor < 0 {
		return "must not be negative"
	}
	return ""
}

func (m Money) attrs(prefix string) []slog.Attr {
	return []slog.Attr{slog.Int64(prefix+"_minor", m.Minor), slog.String("currency", m.Currency)}
}

// isCurrency reports whether code is one of the ISO 4217 codes, current or
// withdrawn (an old order may name a withdrawn one), in upper case.
func isCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range 3 {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	// Three upper-case letters can only match a whole code of the
	// space-separated list.
	return strings.Contains(iso4217, code)
}

// iso4217 lists the ISO 4217 currency codes, current and withdrawn, as
// CLDR knows them (golang.org/x/text/currency), plus those added since
// (MRU, SLE, VED, VES, UYW, XCG, ZWG); XXX, "no currency", is left out.
const iso4217 = "ADP AED AFA AFN ALK ALL AMD ANG AOA AOK AON AOR ARA ARL ARM ARP ARS ATS AUD AWG AZM " +
	"AZN BAD BAM BAN BBD BDT BEC BEF BEL BGL BGM BGN BGO BHD BIF BMD BND BOB BOL BOP BOV " +
	"BRB BRC BRE BRL BRN BRR BRZ BSD BTN BUK BWP BYB BYN BYR BZD CAD CDF CHE CHF CHW CLE " +
	"CLF CLP CNH CNX CNY COP COU CRC CSD CSK CUC CUP CVE CYP CZK DDM DEM DJF DKK DOP DZD " +
	"ECS ECV EEK EGP ERN ESA ESB ESP ETB EUR FIM FJD FKP FRF GBP GEK GEL GHC GHS GIP GMD " +
	"GNF GNS GQE GRD GTQ GWE GWP GYD HKD HNL HRD HRK HTG HUF IDR IEP ILP ILR ILS INR IQD " +
	"IRR ISJ ISK ITL JMD JOD JPY KES KGS KHR KMF KPW KRH KRO KRW KWD KYD KZT LAK LBP LKR " +
	"LRD LSL LTL LTT LUC LUF LUL LVL LVR LYD MAD MAF MCF MDC MDL MGA MGF MKD MKN MLF MMK " +
	"MNT MOP MRO MRU MTL MTP MUR MVP MVR MWK MXN MXP MXV MYR MZE MZM MZN NAD NGN NIC NIO " +
	"NLG NOK NPR NZD OMR PAB PEI PEN PES PGK PHP PKR PLN PLZ PTE PYG QAR RHD ROL RON RSD " +
	"RUB RUR RWF SAR SBD SCR SDD SDG SDP SEK SGD SHP SIT SKK SLE SLL SOS SRD SRG SSP STD " +
	"STN SUR SVC SYP SZL THB TJR TJS TMM TMT TND TOP TPE TRL TRY TTD TWD TZS UAH UAK UGS " +
	"UGX USD USN USS UYI UYP UYU UYW UZS VEB VED VEF VES VND VNN VUV WST XAF XAG XAU XBA " +
	"XBB XBC XBD XCD XCG XDR XEU XFO XFU XOF XPD XPF XPT XRE XSU XTS XUA YDD YER YUD YUM " +
	"YUN YUR ZAL ZAR ZMK ZMW ZRN ZRZ ZWD ZWG ZWL ZWR "
