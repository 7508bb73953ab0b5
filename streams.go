package o2kit

import "github.com/o2kit/o2kit/internal/norm"

// Streams names the streams the feature packages write to by default.
// OpenObserve stores a name normalised ("application-logs" becomes
// "application_logs"); see [StreamName].
type Streams struct {
	ApplicationLogs string `yaml:"application_logs"` // logging.New
	BusinessEvents  string `yaml:"business_events"`  // logging.NewBusiness
	UserBehavior    string `yaml:"user_behavior"`    // behavior.NewTracker
	Metrics         string `yaml:"metrics"`          // the metrics registry
	Traces          string `yaml:"traces"`           // tracing
	Alerts          string `yaml:"alerts"`           // alerting history
	Audit           string `yaml:"audit"`            // logging audit records
	DeadLetter      string `yaml:"dead_letter"`      // records that fail quality checks
}

// DefaultStreams returns the stream names used unless [WithStreams] or the
// config file renames them.
func DefaultStreams() Streams {
	return Streams{
		ApplicationLogs: "application-logs",
		BusinessEvents:  "business-events",
		UserBehavior:    "user-behavior",
		Metrics:         "metrics",
		Traces:          "traces",
		Alerts:          "alerts",
		Audit:           "audit",
		DeadLetter:      "dead-letter",
	}
}

func (s Streams) merge(o Streams) Streams {
	pick := func(a, b string) string {
		if b != "" {
			return b
		}
		return a
	}
	return Streams{
		ApplicationLogs: pick(s.ApplicationLogs, o.ApplicationLogs),
		BusinessEvents:  pick(s.BusinessEvents, o.BusinessEvents),
		UserBehavior:    pick(s.UserBehavior, o.UserBehavior),
		Metrics:         pick(s.Metrics, o.Metrics),
		Traces:          pick(s.Traces, o.Traces),
		Alerts:          pick(s.Alerts, o.Alerts),
		Audit:           pick(s.Audit, o.Audit),
		DeadLetter:      pick(s.DeadLetter, o.DeadLetter),
	}
}

func (s Streams) validate() error {
	for _, n := range []struct{ key, name string }{
		{"application_logs", s.ApplicationLogs}, {"business_events", s.BusinessEvents},
		{"user_behavior", s.UserBehavior}, {"metrics", s.Metrics}, {"traces", s.Traces},
		{"alerts", s.Alerts}, {"audit", s.Audit}, {"dead_letter", s.DeadLetter},
	} {
		if norm.StreamName(n.name) == "" {
			return &ConfigError{Setting: "streams." + n.key, Value: n.name, Reason: "must not be empty"}
		}
	}
	return nil
}

// defaultRetention is the days each default stream keeps its data.
func (s Streams) defaultRetention() map[string]int {
	return map[string]int{
		s.ApplicationLogs: 30,
		s.BusinessEvents:  365,
		s.UserBehavior:    30,
		s.Metrics:         90,
		s.Traces:          7,
		s.Alerts:          90,
		s.Audit:           365,
		s.DeadLetter:      30,
	}
}

// StreamName returns the name OpenObserve stores a stream under: runs of
// characters outside [a-zA-Z0-9_:] become '_' and letters are lowered.
func StreamName(name string) string { return norm.StreamName(name) }

// FieldName returns the key OpenObserve stores a field under: lower case,
// with '_' for other characters. The client sends keys already in this form.
func FieldName(key string) string { return norm.Key(key) }
