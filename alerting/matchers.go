package alerting

import (
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// matcherParser parses label matchers; a Parser is safe for concurrent use.
var matcherParser = parser.NewParser(parser.Options{})

// parseMatchers parses label matchers in Alertmanager syntax (name="v",
// name!="v", name=~"re", name!~"re"; each string may hold several joined
// by commas, with or without the braces).
func parseMatchers(ms []string) ([]*labels.Matcher, error) {
	var out []*labels.Matcher
	for _, m := range ms {
		s := strings.TrimSpace(m)
		if !strings.HasPrefix(s, "{") {
			s = "{" + s + "}"
		}
		parsed, err := matcherParser.ParseMetricSelector(s)
		if err != nil {
			return nil, fmt.Errorf("alerting: matcher %q: %w", m, err)
		}
		out = append(out, parsed...)
	}
	return out, nil
}

// matchAll reports whether the label map satisfies every matcher; a missing
// label reads as "", as in Prometheus.
func matchAll(ms []*labels.Matcher, ls map[string]string) bool {
	for _, m := range ms {
		if !m.Matches(ls[m.Name]) {
			return false
		}
	}
	return true
}
