// Package notify holds the notifiers of the alerting package: e-mail over
// SMTP, SMS through a provider or an HTTP gateway, signed JSON webhooks,
// Slack incoming webhooks, DingTalk, Feishu/Lark and WeCom robots, and
// forwarding to Prometheus Alertmanager. Each implements
// [alerting.Notifier], renders its message with a [Template] and makes one
// attempt per call; the alerting engine retries, rate-limits and records
// the attempts.
//
//	hook, err := notify.NewWebhook("https://ops.example.com/hook", notify.WithSecret(secret))
//	engine, err := alerting.NewEngine(client, alerting.WithReceiver(alerting.Receiver{
//		Name: "ops", Notifiers: []alerting.Notifier{hook}}))
//
// Secrets (SMTP passwords, robot tokens and signing keys, webhook URLs)
// never appear in errors.
package notify
