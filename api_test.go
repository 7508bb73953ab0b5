package o2kit

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

func TestAPI(t *testing.T) {
	srv, u := devServer(t)
	c, _ := newClient(t, srv, u, WithMaxRetries(2))

	resp, err := c.API(t.Context(), APIRequest{Path: "prometheus/api/v1/labels"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(resp.Body), `"status":"success"`)

	form := url.Values{"query": {"vector(1)"}, "time": {"1764400000"}}
	resp, err = c.API(t.Context(), APIRequest{
		Method: http.MethodPost, Path: "prometheus/api/v1/query",
		ContentType: "application/x-www-form-urlencoded", Body: []byte(form.Encode()),
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(resp.Body))

	resp, err = c.API(t.Context(), APIRequest{Path: "prometheus/api/v1/query", Query: url.Values{"query": {"sum("}}})
	require.NoError(t, err, "an error status is an answer, not an error")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(resp.Body), "bad_data")

	srv.Push(o2server.Fault{Status: http.StatusServiceUnavailable})
	resp, err = c.API(t.Context(), APIRequest{Path: "prometheus/api/v1/labels"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a 503 is retried")
}

func TestAPIRefusesPathsOutsideTheOrg(t *testing.T) {
	srv, u := devServer(t)
	c, _ := newClient(t, srv, u)
	for _, p := range []string{"", "/api/default/x", "../other/_search", "a/./b", "a/..", "x?y=1"} {
		_, err := c.API(t.Context(), APIRequest{Path: p})
		assert.Error(t, err, p)
	}
}

func TestAPIHidesCredentialsWhenUnanswered(t *testing.T) {
	c, err := New(WithEndpoint("http://127.0.0.1:1"), WithBasicAuth("root", "s3cret-pass"), WithMaxRetries(0), WithErrorHandler(&errLog{}))
	require.NoError(t, err)
	_, err = c.API(t.Context(), APIRequest{Path: "prometheus/api/v1/labels"})
	require.Error(t, err)
	assert.False(t, strings.Contains(err.Error(), "s3cret-pass"))
	require.NoError(t, c.Shutdown(t.Context()))
	_, err = c.API(t.Context(), APIRequest{Path: "x"})
	assert.ErrorIs(t, err, ErrClosed)
}
