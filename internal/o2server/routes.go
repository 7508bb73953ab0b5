package o2server

import (
	"net/http"
	"slices"
	"strings"
)

// route is a path pattern with the handlers of its methods.
type route struct {
	segs    []string // "{name}" segments are parameters
	methods map[string]func(*call)
	api     bool            // under /api: authenticated, x-api-node, decompression
	ingest  map[string]bool // methods on the server's ingestion route table
	handler func(*call)     // set per request by match
}

type routeDef struct {
	method  string
	pattern string
	ingest  bool
	fn      func(*call)
}

// routeDefs is the part of the server's router this server implements.
var routeDefs = []routeDef{
	{"GET", "/healthz", false, handleHealth},
	{"HEAD", "/healthz", false, handleHealth},
	{"GET", "/schedulez", false, handleHealth},
	{"GET", "/config", false, handleConfig},
	{"POST", "/api/{org}/{stream}/_json", true, handleJSON},
	{"POST", "/api/{org}/{stream}/_multi", true, handleMulti},
	{"POST", "/api/{org}/_bulk", true, handleBulk},
	{"POST", "/api/{org}/ingest/metrics/_json", true, handleMetricsJSON},
	{"POST", "/api/{org}/v1/logs", true, handleOTLPLogs},
	{"POST", "/api/{org}/v1/metrics", true, handleOTLPMetrics},
	{"POST", "/api/{org}/v1/traces", true, handleOTLPTraces},
	{"POST", "/api/{org}/traces", true, handleOTLPTraces},
	{"POST", "/api/{org}/otel/v1/traces", true, handleOTLPTraces},
	{"POST", "/api/{org}/_search", false, handleSearch},
	{"GET", "/api/{org}/streams", false, handleStreamList},
	{"GET", "/api/{org}/streams/{stream}/schema", false, handleStreamSchema},
	{"POST", "/api/{org}/streams/{stream}", false, handleStreamCreate},
	{"DELETE", "/api/{org}/streams/{stream}", false, handleStreamDelete},
	{"PUT", "/api/{org}/streams/{stream}/settings", false, handleStreamSettings},
	{"GET", "/api/{org}/ingestion-tokens", false, handleTokenList},
	{"POST", "/api/{org}/ingestion-tokens", false, handleTokenCreate},
	{"PATCH", "/api/{org}/ingestion-tokens/{name}", false, handleTokenPatch},
	{"GET", "/api/{org}/passcode", false, handlePasscodeGet},
	{"PUT", "/api/{org}/passcode", false, handlePasscodeRotate},
	{"GET", "/api/{org}/prometheus/api/v1/query", false, handlePromQuery},
	{"POST", "/api/{org}/prometheus/api/v1/query", false, handlePromQuery},
	{"GET", "/api/{org}/prometheus/api/v1/query_range", false, handlePromQueryRange},
	{"POST", "/api/{org}/prometheus/api/v1/query_range", false, handlePromQueryRange},
	{"GET", "/api/{org}/prometheus/api/v1/series", false, handlePromSeries},
	{"POST", "/api/{org}/prometheus/api/v1/series", false, handlePromSeries},
	{"GET", "/api/{org}/prometheus/api/v1/labels", false, handlePromLabels},
	{"POST", "/api/{org}/prometheus/api/v1/labels", false, handlePromLabels},
	{"GET", "/api/{org}/prometheus/api/v1/label/{name}/values", false, handlePromLabelValues},
}

var routes = buildRoutes()

func buildRoutes() []*route {
	var out []*route
	byPattern := map[string]*route{}
	for _, d := range routeDefs {
		rt, ok := byPattern[d.pattern]
		if !ok {
			rt = &route{
				segs:    strings.Split(strings.Trim(d.pattern, "/"), "/"),
				methods: map[string]func(*call){},
				ingest:  map[string]bool{},
				api:     strings.HasPrefix(d.pattern, "/api/"),
			}
			byPattern[d.pattern] = rt
			out = append(out, rt)
		}
		rt.methods[d.method] = d.fn
		rt.ingest[d.method] = d.ingest
	}
	return out
}

// match finds the route for a path, preferring static segments over
// parameters from the left as axum's router does. With no handler for the
// method it returns the allowed methods instead.
func match(method, path string) (*route, map[string]string, []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var best *route
	var bestScore []bool
	for _, rt := range routes {
		score, ok := rt.fit(segs)
		if ok && (best == nil || better(score, bestScore)) {
			best, bestScore = rt, score
		}
	}
	if best == nil {
		return nil, nil, nil
	}
	fn, ok := best.methods[method]
	if !ok {
		var allowed []string
		for m := range best.methods {
			allowed = append(allowed, m)
		}
		slices.Sort(allowed)
		return nil, nil, allowed
	}
	params := map[string]string{}
	for i, s := range best.segs {
		if strings.HasPrefix(s, "{") {
			params[s[1:len(s)-1]] = segs[i]
		}
	}
	rt := *best
	rt.handler = fn
	return &rt, params, nil
}

// fit reports whether the path segments match and which are static.
func (rt *route) fit(segs []string) ([]bool, bool) {
	if len(segs) != len(rt.segs) {
		return nil, false
	}
	score := make([]bool, len(segs))
	for i, s := range rt.segs {
		if strings.HasPrefix(s, "{") {
			if segs[i] == "" && s != "{stream}" {
				return nil, false
			}
			continue
		}
		if s != segs[i] {
			return nil, false
		}
		score[i] = true
	}
	return score, true
}

func better(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i]
		}
	}
	return false
}

// isIngestion reports whether the request is on the ingestion route table,
// where org tokens and passcodes are accepted.
func (c *call) isIngestion() bool {
	return c.route != nil && c.route.ingest[c.r.Method]
}

func handleHealth(c *call) {
	if c.r.Method == http.MethodHead {
		c.status(http.StatusOK)
		return
	}
	c.json(http.StatusOK, orderedObject{{"status", "ok"}})
}
