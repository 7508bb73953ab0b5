package o2kit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/o2kit/o2kit/internal/transport"
)

// APIRequest is a request to one of the org's OpenObserve endpoints that
// the client has no method for, such as the PromQL API.
type APIRequest struct {
	// Method is the HTTP method; empty means GET.
	Method string
	// Path is below /api/{org}/, such as "prometheus/api/v1/query". It may
	// not start with a slash or hold "." or ".." segments.
	Path string
	// Query is sent as the URL's query string.
	Query url.Values
	// ContentType names Body's format, such as
	// "application/x-www-form-urlencoded".
	ContentType string
	// Body is sent as it is, uncompressed; nil sends none.
	Body []byte
}

// APIResponse is the server's answer to an [APIRequest], whatever its
// status.
type APIResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte // at most the first MiBs, as for searches
}

// API sends req to the org's API with the client's endpoints, credentials,
// TLS, retries and failover, and returns the answer whatever its status,
// so the caller can read the endpoint's own error shape. Only a request
// that got no answer, after every retry, returns an error; it never holds
// credentials. API is safe for concurrent use and works until Shutdown.
func (c *Client) API(ctx context.Context, req APIRequest) (*APIResponse, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	if err := checkAPIPath(req.Path); err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	path := "/api/" + c.cfg.org + "/" + req.Path
	resp, err := c.tr.Do(ctx, transport.Request{
		Method: method, Path: path, Query: req.Query,
		ContentType: req.ContentType, Body: req.Body,
	})
	if err != nil {
		return nil, fmt.Errorf("o2kit: %s %s: %w", method, path, err)
	}
	return &APIResponse{StatusCode: resp.Status, Header: resp.Header, Body: resp.Body}, nil
}

// checkAPIPath refuses paths that would leave the org's API.
func checkAPIPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#") {
		return fmt.Errorf("o2kit: API path %q: want a path below /api/{org}/ without a leading slash or query", p)
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("o2kit: API path %q: dot segments are not allowed", p)
		}
	}
	return nil
}
