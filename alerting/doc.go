// Package alerting evaluates alert rules inside the service and notifies
// people, in the Prometheus and Alertmanager model.
//
// # Lifecycle
//
// [NewEngine] takes the shared *o2kit.Client and options: the sample
// sources PromQL reads ([WithMetrics], a *metrics.Registry), the rules
// ([WithRulesFile], [WithGroups]), the receivers and routing tree
// ([WithReceivers], [WithRoute], [WithInhibitRules]) and a state directory
// ([WithStateDir]). [Engine.Run] evaluates every group on its interval and
// sends notifications until its context ends; [Engine.Shutdown] stops it
// and must come before the client's Shutdown, which sends the last history
// records.
//
//	engine, err := alerting.NewEngine(client,
//		alerting.WithMetrics(reg),
//		alerting.WithRulesFile("alerts.yaml"),
//		alerting.WithReceivers(alerting.Receiver{Name: "oncall", Notifiers: []alerting.Notifier{hook}}),
//		alerting.WithStateDir("/var/lib/shop/alerts"))
//	go engine.Run(ctx)
//	defer engine.Shutdown(ctx)
//
// # Rules
//
// A [Rule]'s condition is PromQL, run by the Prometheus engine in the
// process over the metrics window store (log-level counts from
// metrics.Registry.LogLevels are series there too), or SQL run on the
// server through client.Search ([SQLCondition]). Rule files have the
// Prometheus shape, which loads unchanged, plus the keys id, description,
// severity, enabled, receivers, suppress, escalation and sql ([LoadRules]).
// Invalid rules are a [*RuleError] naming the file position, rule and
// field. The rules of a group are evaluated at one timestamp (less the
// group's QueryOffset); expressions and templates are parsed once, when
// the group is loaded; a group's Limit caps the alerts of each rule;
// rules slower than [WithSlowRule] are reported.
//
// Each element of a condition's result is an alert series with a [State]:
// pending once seen, firing after the rule's For, resolved KeepFiringFor
// after the condition clears, as in Prometheus.
//
// # Notifications
//
// Firing and resolved alerts go down the [Route] tree to a [Receiver],
// grouped by labels, after GroupWait, then at most every GroupInterval,
// and again every RepeatInterval while unchanged and firing. Silences
// ([Engine.AddSilence]), inhibition rules and per-rule suppressions mute
// alerts; an acknowledgement ([Engine.Ack]) stops repeats and escalation
// [Tier]s until the alert resolves. Failed notifications are retried with
// backoff ([WithRetry]); a receiver's RateLimit spaces its messages. The
// notify package holds the notifiers: e-mail, SMS, webhooks, Slack,
// DingTalk, Feishu, WeCom and Alertmanager.
//
// # History and state
//
// Every state change, notification attempt, acknowledgement and silence
// is a record of the alerts stream (90-day retention by client.Provision),
// read back with [History]. With WithStateDir the pending and firing
// alerts, silences, acknowledgements, what was notified, and rule edits
// made through the API survive a restart.
//
// # HTTP API
//
// [Engine.Handler] serves the rules, alerts, acknowledgements and
// silences under /api/alerts, to mount behind the service's own
// authentication.
package alerting
