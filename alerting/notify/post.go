package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/internal/retryafter"
)

// maxBody is the most of a response body read, for errors and for the
// vendor answers that report failure in a 200 body.
const maxBody = 64 << 10

// HTTPError is a non-2xx answer from a notification endpoint. The body is
// cut to 512 bytes. 4xx answers other than 408 and 429 are wrapped in an
// [alerting.PermanentError] as well, since retrying cannot fix them.
type HTTPError struct {
	Status int
	Body   string
	// RetryAfter is the wait the Retry-After header asked for, in either
	// of its forms (seconds or an HTTP date), at most [MaxRetryAfter];
	// zero when the header is absent, malformed, negative or in the past.
	RetryAfter time.Duration
}

// MaxRetryAfter caps [HTTPError.RetryAfter], so that a server answering
// with a far-off date or a huge number cannot hold an alert back for
// longer than an hour.
const MaxRetryAfter = time.Hour

// RetryDelay returns RetryAfter, the wait the server asked for; the
// alerting engine waits at least that long before the next attempt.
func (e *HTTPError) RetryDelay() time.Duration { return e.RetryAfter }

// Error describes the status and the start of the body.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("notify: server answered %d: %s", e.Status, e.Body)
}

// post sends body to url with the given content type and headers and
// returns the response body (at most maxBody bytes). A nil client means
// http.DefaultClient. The URL never appears in errors: webhook URLs carry
// their tokens in the path or query.
func post(ctx context.Context, hc *http.Client, url, contentType string, body []byte, hdr http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, alerting.Permanent(errors.New("notify: invalid endpoint URL"))
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("notify: %s", redactURL(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode/100 != 2 {
		return data, statusError(resp, data)
	}
	if err != nil {
		return nil, fmt.Errorf("notify: reading answer: %w", err)
	}
	return data, nil
}

// postJSON marshals v and posts it as application/json.
func postJSON(ctx context.Context, hc *http.Client, url string, v any, hdr http.Header) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, alerting.Permanent(fmt.Errorf("notify: encoding payload: %w", err))
	}
	return post(ctx, hc, url, "application/json", body, hdr)
}

func statusError(resp *http.Response, body []byte) error {
	text := strings.TrimSpace(string(body))
	if len(text) > 512 {
		text = text[:512]
	}
	e := &HTTPError{Status: resp.StatusCode, Body: text,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return alerting.Permanent(e)
	}
	return e
}

// parseRetryAfter reads a Retry-After value (RFC 9110, section 10.2.3):
// delta-seconds, or an HTTP-date in any of the three formats
// [http.ParseTime] takes, counted from now. Values that are empty,
// malformed, negative or past give zero; longer ones are cut to
// [MaxRetryAfter].
func parseRetryAfter(v string, now time.Time) time.Duration {
	d, _ := retryafter.Parse(v, now, MaxRetryAfter)
	return d
}

// redactURL returns the text of a transport error without the request URL,
// which may hold a robot's access token.
func redactURL(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return "request failed: " + inner.Error()
		}
	}
	return "request failed"
}
