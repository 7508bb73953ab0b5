package o2kit

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/o2kit/o2kit/internal/transport"
)

// Sentinel errors. Classify errors with errors.Is and errors.As.
var (
	// ErrClosed is returned by Emit and Flush after Shutdown.
	ErrClosed = errors.New("o2kit: client is shut down")
	// ErrOverflow is returned by Emit when the buffer is full and the record
	// was dropped (or, with Block, when the wait timed out).
	ErrOverflow = errors.New("o2kit: buffer full, record dropped")
	// ErrRecordTooLarge is returned by Emit for a record whose encoding is
	// larger than the batch byte limit.
	ErrRecordTooLarge = errors.New("o2kit: record larger than the batch byte limit")
	// ErrNoStream is returned by Emit for a record without a stream name.
	ErrNoStream = errors.New("o2kit: record has no stream")
	// ErrTooManyFields is returned by Emit for a record with more fields,
	// after flattening, than OpenObserve takes in one batch (999 with a
	// value other than null); the server would drop the whole batch
	// holding it. The record is dropped (and counted).
	ErrTooManyFields = errors.New("o2kit: record has more fields than the server takes")
	// ErrInvalidSample is returned by EmitAs for a [Metrics] record the
	// metrics endpoint would refuse, and with it the whole batch: one
	// without a string __name__ or a finite numeric value, or with an
	// unknown __type__. The record is dropped (and counted).
	ErrInvalidSample = errors.New("o2kit: invalid metrics sample")
	// ErrStreamNotFound matches a *SearchError for a stream the server does
	// not have (code 20002).
	ErrStreamNotFound = errors.New("o2kit: stream not found")
)

// ConfigError is an invalid setting, returned by New. Credentials are
// never part of Value.
type ConfigError struct {
	Setting string // the option, file key or environment variable
	Value   string
	Reason  string
	Err     error // underlying cause, if any
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("o2kit: invalid %s %q: %s", e.Setting, e.Value, e.Reason)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// HTTPError is an answer from the server that reports a failure.
type HTTPError struct {
	Method     string
	Path       string // below the endpoint's base URL
	StatusCode int
	Body       string // at most a few KiB of the response body
	RetryAfter string // the Retry-After header, if any

	retryDelay time.Duration
}

// RetryDelay is the wait RetryAfter asks for, read when the answer came
// (seconds, or an HTTP date counted from then), at most five minutes; zero
// when there was none or it could not be read.
func (e *HTTPError) RetryDelay() time.Duration { return e.retryDelay }

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("o2kit: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// maxErrorBody bounds the response text carried in errors.
const maxErrorBody = 2048

func newHTTPError(method, path string, status int, body []byte, retryAfter string) *HTTPError {
	delay, _ := transport.RetryAfter(retryAfter, time.Now())
	return &HTTPError{Method: method, Path: path, StatusCode: status, Body: clip(body), RetryAfter: retryAfter,
		retryDelay: delay}
}

func clip(b []byte) string {
	if len(b) > maxErrorBody {
		return string(b[:maxErrorBody]) + "…"
	}
	return string(b)
}

// DeliveryError reports records that did not reach the server: a request
// the server rejected, or that got no answer after every retry. It goes to
// the ErrorHandler.
type DeliveryError struct {
	Stream  string
	Records int
	Err     error // *HTTPError, or the transport's failure
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("o2kit: %d record(s) for stream %q not delivered: %v", e.Records, e.Stream, e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// PartialError reports a 2xx answer in which the server stored only some
// records of a request (or, for [Traces], rejected some spans), with the
// server's message for the failures.
type PartialError struct {
	Stream     string
	Successful int
	Failed     int
	Message    string
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("o2kit: stream %q: server stored %d record(s) and rejected %d: %s", e.Stream, e.Successful, e.Failed, e.Message)
}

// DeadLetterError reports a single record the server refused as too large
// (413). The record is not retried; with a spool it is also appended to the
// spool directory's dead-letter.ndjson.
type DeadLetterError struct {
	Stream string
	Record []byte // the record's JSON line, clipped to a few KiB
	Size   int    // the record's full size in bytes
}

func (e *DeadLetterError) Error() string {
	return fmt.Sprintf("o2kit: stream %q: a %d-byte record is larger than the server accepts; dead-lettered", e.Stream, e.Size)
}

// SearchError is an error answer to a search. Code is OpenObserve's error
// code (20001 invalid SQL, 20002 stream not found, 20004 unknown field,
// 20008 execution error, ...) or the HTTP status when the body had none.
type SearchError struct {
	StatusCode int
	Code       int
	Message    string
	Detail     string
	TraceID    string
}

func (e *SearchError) Error() string {
	s := "o2kit: search failed: " + strconv.Itoa(e.Code) + " " + e.Message
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is makes errors.Is(err, ErrStreamNotFound) true for code 20002.
func (e *SearchError) Is(target error) bool {
	return target == ErrStreamNotFound && e.Code == 20002
}
