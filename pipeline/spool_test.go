package pipeline

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// Personal data is masked before the client spools a batch to disk: with
// the server down, the spool holds the masked record and none of the data.
func TestMaskedBeforeTheSpool(t *testing.T) {
	srv := o2server.New()
	hs := httptest.NewServer(srv)
	url := hs.URL
	hs.Close() // the server is down
	user, pass := srv.RootUser()
	dir := t.TempDir()
	c, err := o2kit.New(o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, pass), o2kit.WithSpool(dir, 0),
		o2kit.WithProcessors(Default("checkout")), o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(error) {})))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, c.Emit(ctx, o2kit.Record{Stream: "orders", Attrs: []slog.Attr{
		slog.String("msg", "order for jane.doe@example.com, mobile 13812345678"), slog.String("password", "hunter2"),
	}}))
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = c.Shutdown(short) // cannot deliver: the batch stays in the spool

	var spooled strings.Builder
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		spooled.Write(data)
		return err
	}))
	got := spooled.String()
	require.Contains(t, got, "[email]", "the record was spooled")
	assert.Contains(t, got, "[phone]")
	assert.Contains(t, got, "[secret]")
	for _, secret := range []string{"jane.doe@example.com", "13812345678", "hunter2"} {
		assert.NotContains(t, got, secret)
	}
}
