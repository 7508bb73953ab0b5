package logging

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// epoch is the pinned clock of the tests.
var epoch = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

func pinned() time.Time { return epoch }

// dev is a dev server and a client of it, both closed when the test ends.
type dev struct {
	srv    *o2server.Server
	client *o2kit.Client
	url    string
}

// newDev starts the dev server and a client with a pinned clock and no
// record ids, so stored records are stable.
func newDev(t *testing.T, opts ...o2kit.Option) *dev {
	t.Helper()
	srv := o2server.New(o2server.WithClock(pinned))
	hs := httptest.NewServer(srv)
	user, pass := srv.RootUser()
	base := []o2kit.Option{
		o2kit.WithEndpoint(hs.URL), o2kit.WithBasicAuth(user, pass), o2kit.WithClock(pinned),
		o2kit.WithIDField(""), o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) })),
	}
	c, err := o2kit.New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
		hs.CloseClientConnections()
		hs.Close()
		_ = srv.Close()
	})
	return &dev{srv: srv, client: c, url: hs.URL}
}

// records flushes the client and returns what the server stored in stream.
func (d *dev) records(t *testing.T, stream string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, d.client.Flush(ctx))
	return d.srv.Records("default", o2kit.StreamName(stream))
}

// getJSON sends an authenticated GET to the dev server and decodes the
// answer.
func (d *dev) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, d.url+path, nil)
	require.NoError(t, err)
	req.SetBasicAuth(d.srv.RootUser())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}
