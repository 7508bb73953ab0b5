package alerting

import "time"

// Route is a node of the routing tree, in the Alertmanager model: an alert
// goes down the tree to the deepest matching node (and on to its next
// sibling when Continue is set); that node's receiver gets it, grouped by
// GroupBy. Unset fields are inherited from the parent; the root's unset
// timings are Alertmanager's defaults.
type Route struct {
	Receiver string
	// Matchers select the alerts of this node, in Alertmanager syntax:
	// severity="critical", service=~"pay.*", env!="dev". The root matches
	// every alert whatever its matchers.
	Matchers []string
	// GroupBy lists the labels alerts are grouped by; "..." groups by every
	// label, so each alert is its own group. Empty inherits the parent's;
	// the root default is by alertname. Unlike Alertmanager's group_by: [],
	// empty never means one group for all: group by a label the alerts
	// share (a team label on the rules) for that.
	GroupBy []string
	// GroupWait is how long a new group waits for more alerts before its
	// first notification. Default 30 s; zero inherits, so a route that
	// must not wait sets a tiny duration such as time.Millisecond.
	GroupWait time.Duration
	// GroupInterval is how long a group waits before notifying about
	// alerts added to it or resolved. Default 5 minutes.
	GroupInterval time.Duration
	// RepeatInterval is how long before an unchanged, unacknowledged firing
	// group is notified again. Default 4 hours.
	RepeatInterval time.Duration
	// Continue lets an alert matched here go on to the next sibling.
	Continue bool
	Routes   []Route
}

// Route timing defaults, Alertmanager's.
const (
	DefaultGroupWait      = 30 * time.Second
	DefaultGroupInterval  = 5 * time.Minute
	DefaultRepeatInterval = 4 * time.Hour
)

// InhibitRule mutes alerts matching Target while an alert matching Source
// fires with the same values of the Equal labels, as Alertmanager's
// inhibit_rules do. An alert matching both never inhibits itself.
type InhibitRule struct {
	Source []string
	Target []string
	Equal  []string
}

// Silence mutes the alerts its matchers select between StartsAt and
// EndsAt. Notifications of silenced alerts are not sent; their state
// changes are still recorded.
type Silence struct {
	ID        string    `json:"id"`
	Matchers  []string  `json:"matchers"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment"`
}

// Active reports whether the silence mutes alerts at t.
func (s *Silence) Active(t time.Time) bool { return !t.Before(s.StartsAt) && t.Before(s.EndsAt) }
