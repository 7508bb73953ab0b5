package alerting

import "time"

// Group is a set of rules evaluated together, at one timestamp, every
// Interval, as a Prometheus rule group is. Rules run in order, so an alert
// rule may use a recording rule above it.
type Group struct {
	Name     string
	Interval time.Duration // zero means the engine's default (WithInterval)
	// Limit, when above zero, bounds the series a rule of the group may
	// produce, as the rule file's "limit" does in Prometheus: an alerting
	// rule whose pending and firing alerts would exceed it fails with the
	// error "exceeded limit of N with M alerts" and all its alerts end
	// (pending ones are dropped, firing ones resolve); a recording rule
	// whose result has more series fails and records nothing.
	Limit int
	// QueryOffset delays the data the group's rules read, as the rule
	// file's "query_offset" does in Prometheus: every rule's condition is
	// evaluated at the evaluation time minus QueryOffset, so that samples
	// arriving late are in; alert timing (For, KeepFiringFor, ActiveAt,
	// FiredAt) still follows the evaluation time. Recorded samples are
	// stamped with the offset time.
	QueryOffset time.Duration
	Rules       []Rule
}

// Rule is an alerting rule, or a recording rule when Record is set.
//
// The condition is either Expr, a PromQL expression evaluated in the
// process over the metrics window store, or SQL, a query run on the
// OpenObserve server through client.Search. Every element of the result is
// one alert series; its labels are the element's labels merged with
// Labels, plus alertname (Name) and severity.
type Rule struct {
	// ID identifies the rule in the HTTP API and the alerts stream. Empty
	// means the group name and the rule name joined by "/".
	ID string
	// Name is the alertname label (the rule file's "alert" key).
	Name        string
	Description string
	// Record, when set, makes this a recording rule: Expr's result is kept
	// under this metric name for later rules, and nothing alerts. Only
	// Expr and Labels may be set with it.
	Record string
	// Expr is the PromQL condition.
	Expr string
	// SQL is the server-side condition, used instead of Expr.
	SQL *SQLCondition
	// For is how long the condition must hold before the alert fires; until
	// then it is pending. Zero fires at once.
	For time.Duration
	// KeepFiringFor keeps a firing alert firing this long after its
	// condition clears.
	KeepFiringFor time.Duration
	// Severity is the severity label; empty means Medium. A severity label
	// in Labels must agree with it.
	Severity Severity
	// Disabled rules are loaded, listed and kept, but not evaluated.
	Disabled bool
	// Labels are added to every alert of the rule. Values may use the
	// templates Annotations use.
	Labels map[string]string
	// Annotations are text/template strings rendered per alert with
	// Prometheus' variables: {{ $labels.name }}, {{ $value }},
	// {{ $externalLabels }}, and the functions humanize, humanizeDuration,
	// humanizePercentage, printf and the like.
	Annotations map[string]string
	// Receivers, when set, send this rule's alerts to these receivers
	// instead of the route tree's choice; the tree's timing still applies.
	Receivers []string
	// Suppress inhibits this rule's alerts while a matching alert fires.
	Suppress []Suppression
	// Escalation lists later tiers for alerts left unacknowledged.
	Escalation []Tier
}

// SQLCondition is a rule condition evaluated on the server: Query runs over
// the last Range (default 5 minutes) at every evaluation. Each row returned
// is one active alert series: its "value" column (a number) is the alert's
// value and every other column a label. Put the threshold in the query, as
// in "SELECT service, count(*) AS value FROM \"application-logs\" WHERE
// level = 'ERROR' GROUP BY service HAVING count(*) > 10".
type SQLCondition struct {
	Query      string
	Range      time.Duration
	StreamType string // "logs" (default), "metrics" or "traces"
}

// Suppression inhibits a rule's alerts while an alert matching Source
// fires and agrees with it on the Equal labels, as an Alertmanager
// inhibition rule with this rule's alerts as the target.
type Suppression struct {
	Source []string // matchers, Alertmanager syntax: name="v", name=~"re", name!="v"
	Equal  []string
}

// Tier is one escalation step: once an alert has fired for After without an
// acknowledgement, its notifications also go to Receivers. Tiers run in
// order of After, which must be above zero: the first, immediate
// notification is the route's (or the rule's Receivers).
type Tier struct {
	After     time.Duration
	Receivers []string
}
