package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed [Webhook] request. HeaderTimestamp holds the
// sending time in Unix seconds; HeaderSignature holds "sha256=" and the
// lower-case hex HMAC-SHA256, keyed by the secret, of the timestamp, a dot
// and the raw request body:
//
//	X-O2kit-Timestamp: 1767225600
//	X-O2kit-Signature: sha256=hex(HMAC-SHA256(secret, "1767225600" + "." + body))
//
// Receivers check both with [VerifyWebhook], or in any language by
// recomputing the HMAC over the same bytes and comparing in constant time;
// rejecting old timestamps stops replays.
const (
	HeaderSignature = "X-O2kit-Signature"
	HeaderTimestamp = "X-O2kit-Timestamp"
)

// DefaultMaxSkew is how far a webhook timestamp may be from the receiver's
// clock when [VerifyWebhook] is given no maximum.
const DefaultMaxSkew = 5 * time.Minute

// Errors of [VerifyWebhook].
var (
	ErrSignatureMissing  = errors.New("notify: webhook signature or timestamp missing")
	ErrSignatureMismatch = errors.New("notify: webhook signature does not match")
	ErrSignatureExpired  = errors.New("notify: webhook timestamp too far from now")
)

// signWebhook returns the timestamp and signature headers for body.
func signWebhook(secret []byte, now time.Time, body []byte) (ts, sig string) {
	ts = strconv.FormatInt(now.Unix(), 10)
	return ts, "sha256=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

func webhookMAC(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks the signature of a request sent by a [Webhook] with
// [WithSecret]: header holds the request's headers and body its raw body,
// read before decoding. It returns nil if the signature matches and the
// timestamp is within maxSkew of now (zero means [DefaultMaxSkew]), else
// [ErrSignatureMissing], [ErrSignatureMismatch] or [ErrSignatureExpired].
// The comparison takes constant time.
func VerifyWebhook(secret string, header http.Header, body []byte, maxSkew time.Duration) error {
	return verifyWebhookAt(secret, header, body, maxSkew, time.Now())
}

func verifyWebhookAt(secret string, header http.Header, body []byte, maxSkew time.Duration, now time.Time) error {
	ts, sig := header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if ts == "" || !ok {
		return ErrSignatureMissing
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || !hmac.Equal(got, webhookMAC([]byte(secret), ts, body)) {
		return ErrSignatureMismatch
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrSignatureMismatch
	}
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	if skew := now.Sub(time.Unix(sec, 0)).Abs(); skew > maxSkew {
		return fmt.Errorf("%w: %s", ErrSignatureExpired, skew.Truncate(time.Second))
	}
	return nil
}
