package behavior

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
)

// PageView is a page seen.
type PageView struct {
	URL      string // required; absolute, or a path with its query ("/shoes?utm_source=news")
	Path     string // empty: the URL's path
	Title    string
	Referrer string
	Meta
}

// utmParams are the campaign parameters copied from a page's URL into
// fields of the same name.
var utmParams = [...]string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id"}

// PageView records a page view, with the utm_* campaign parameters of its
// URL as fields of their own.
func (t *Tracker) PageView(ctx context.Context, e PageView) error {
	if err := checkRequired(EventPageView, "url", e.URL); err != nil {
		return t.reject(err)
	}
	u, err := url.Parse(e.URL)
	if err != nil {
		return t.reject(invalid(EventPageView, "url", "%q does not parse", e.URL))
	}
	ev, err := t.begin(ctx, EventPageView, e.Meta)
	if ev == nil {
		return err
	}
	path := e.Path
	if path == "" {
		path = u.EscapedPath()
	}
	ev.attrs = append(ev.attrs, slog.String("page_url", e.URL))
	ev.attrs = appendNonEmpty(ev.attrs, "page_path", path)
	ev.attrs = appendNonEmpty(ev.attrs, "page_title", e.Title)
	ev.attrs = appendNonEmpty(ev.attrs, "page_referrer", e.Referrer)
	if u.RawQuery != "" {
		q := u.Query()
		for _, k := range utmParams {
			ev.attrs = appendNonEmpty(ev.attrs, k, q.Get(k))
		}
	}
	return t.finish(ctx, ev)
}

// Search is a search run on the site.
type Search struct {
	Query   string
	Results int               // results found, not negative
	Filters map[string]string // such as {"brand": "acme"}; recorded as a JSON object in a string
	Page    int               // 1-based results page; 0 leaves it out
	Meta
}

// Search records a search.
func (t *Tracker) Search(ctx context.Context, e Search) error {
	if e.Results < 0 {
		return t.reject(invalid(EventSearch, "results", "must not be negative, got %d", e.Results))
	}
	if e.Page < 0 {
		return t.reject(invalid(EventSearch, "page", "must not be negative, got %d", e.Page))
	}
	ev, err := t.begin(ctx, EventSearch, e.Meta)
	if ev == nil {
		return err
	}
	ev.attrs = append(ev.attrs, slog.String("search_query", e.Query), slog.Int("search_results", e.Results))
	if len(e.Filters) > 0 {
		b, _ := json.Marshal(e.Filters) // sorted keys; cannot fail
		ev.attrs = append(ev.attrs, slog.String("search_filters", string(b)))
	}
	if e.Page > 0 {
		ev.attrs = append(ev.attrs, slog.Int("search_page", e.Page))
	}
	return t.finish(ctx, ev)
}
