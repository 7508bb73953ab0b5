package transport

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/o2kit/o2kit/internal/retryafter"
)

// Backoff returns how long to wait before retry number attempt (0 for the
// first retry): the server's Retry-After on 429 and 503 when it gives one,
// capped at maxRetryAfter, otherwise exponential backoff with full jitter,
// a random duration in [0, min(max, base·2^attempt)).
func Backoff(base, max time.Duration, attempt int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), now); ok {
			return min(d, maxRetryAfter)
		}
	}
	ceiling := max
	if attempt < 62 {
		if d := base << attempt; d > 0 && d < max {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// maxRetryAfter bounds how long a server can make one retry wait.
const maxRetryAfter = 5 * time.Minute

// RetryAfter parses a Retry-After value, in seconds or as an HTTP date,
// as [retryafter.Parse] does, at most maxRetryAfter.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	return retryafter.Parse(v, now, maxRetryAfter)
}

// Retryable reports whether a request that got resp (or err) should be
// tried again: connection failures, timeouts, 408, 429 and 5xx other than
// 501. A 4xx answer is the server's final word, as is a TLS certificate
// error, which no retry can mend. Cancellation of ctx stops retries.
func Retryable(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var cert *x509.UnknownAuthorityError
		var host x509.HostnameError
		var invalid x509.CertificateInvalidError
		if errors.As(err, &cert) || errors.As(err, &host) || errors.As(err, &invalid) {
			return false, err
		}
		return true, nil
	}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case resp.StatusCode == http.StatusNotImplemented:
		return false, nil
	case resp.StatusCode >= 500:
		return true, nil
	}
	return false, nil
}
