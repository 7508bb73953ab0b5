package o2kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/o2kit/o2kit/internal/norm"
	"github.com/o2kit/o2kit/internal/transport"
)

// Health checks that the server answers GET /healthz with status ok.
func (c *Client) Health(ctx context.Context) error {
	resp, err := c.tr.Do(ctx, transport.Request{Method: http.MethodGet, Path: "/healthz"})
	if err != nil {
		return fmt.Errorf("o2kit: health: %w", err)
	}
	var body struct {
		Status string `json:"status"`
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &body) != nil || body.Status != "ok" {
		return fmt.Errorf("o2kit: health: %w", newHTTPError(http.MethodGet, "/healthz", resp.Status, resp.Body, ""))
	}
	return nil
}

// Provision applies the retention of every stream the client knows (the
// defaults in the package documentation, changed by [WithRetention] and
// the config file) to the server, creating streams that do not exist yet.
// The retention of the metrics stream applies to every metrics stream the
// server has.
func (c *Client) Provision(ctx context.Context) error {
	days := c.cfg.streams.defaultRetention()
	for s, d := range c.cfg.retention {
		days[s] = d
	}
	names := make([]string, 0, len(days))
	for s := range days {
		names = append(names, s)
	}
	sort.Strings(names)
	var errs []error
	for _, s := range names {
		switch s {
		case c.cfg.streams.Metrics:
			errs = append(errs, c.retainMetrics(ctx, days[s]))
		case c.cfg.streams.Traces:
			errs = append(errs, c.retain(ctx, "traces", norm.StreamName(s), days[s]))
		default:
			errs = append(errs, c.retain(ctx, "logs", norm.StreamName(s), days[s]))
		}
	}
	return errors.Join(errs...)
}

// retain sets a stream's data_retention, creating the stream if needed.
func (c *Client) retain(ctx context.Context, typ, stream string, days int) error {
	q := url.Values{"type": {typ}}
	base := "/api/" + c.cfg.org + "/streams/" + url.PathEscape(stream)
	body := []byte(`{"data_retention":` + strconv.Itoa(days) + `}`)
	resp, err := c.tr.Do(ctx, transport.Request{Method: http.MethodPut, Path: base + "/settings", Query: q, ContentType: "application/json", Body: body})
	if err != nil {
		return fmt.Errorf("o2kit: provision %s: %w", stream, err)
	}
	if resp.Status == http.StatusNotFound {
		create := []byte(`{"fields":[],"settings":{"data_retention":` + strconv.Itoa(days) + `}}`)
		resp, err = c.tr.Do(ctx, transport.Request{Method: http.MethodPost, Path: base, Query: q, ContentType: "application/json", Body: create})
		if err != nil {
			return fmt.Errorf("o2kit: provision %s: %w", stream, err)
		}
	}
	if resp.Status != http.StatusOK {
		return fmt.Errorf("o2kit: provision %s: %w", stream, newHTTPError(http.MethodPut, base+"/settings", resp.Status, resp.Body, ""))
	}
	return nil
}

func (c *Client) retainMetrics(ctx context.Context, days int) error {
	path := "/api/" + c.cfg.org + "/streams"
	resp, err := c.tr.Do(ctx, transport.Request{Method: http.MethodGet, Path: path, Query: url.Values{"type": {"metrics"}}})
	if err != nil {
		return fmt.Errorf("o2kit: provision metrics: %w", err)
	}
	if resp.Status != http.StatusOK {
		return fmt.Errorf("o2kit: provision metrics: %w", newHTTPError(http.MethodGet, path, resp.Status, resp.Body, ""))
	}
	var list struct {
		List []struct {
			Name string `json:"name"`
		} `json:"list"`
	}
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		return fmt.Errorf("o2kit: provision metrics: unreadable stream list: %w", err)
	}
	var errs []error
	for _, s := range list.List {
		errs = append(errs, c.retain(ctx, "metrics", s.Name, days))
	}
	return errors.Join(errs...)
}
