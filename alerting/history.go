package alerting

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

// The event names of the alerts stream's records (field "event").
const (
	EventStateChange    = "state_change"
	EventNotification   = "notification"
	EventAck            = "ack"
	EventSilenceCreated = "silence_created"
	EventSilenceExpired = "silence_expired"
)

// history writes the engine's events to the alerts stream through the
// client, which batches them with everything else.
type history struct {
	client *o2kit.Client
	stream string
	errs   o2kit.ErrorHandler
	now    func() time.Time
}

func (h *history) emit(ctx context.Context, at time.Time, attrs []slog.Attr) {
	err := h.client.Emit(context.WithoutCancel(ctx), o2kit.Record{Stream: h.stream, Time: at, Attrs: attrs})
	if err != nil {
		h.errs.Handle(err)
	}
}

func (h *history) stateChange(ctx context.Context, at time.Time, t transition, extra ...slog.Attr) {
	a := t.Alert
	attrs := append(alertAttrs(EventStateChange, &a), extra...)
	attrs = append(attrs,
		slog.String("state", a.State.String()),
		slog.String("previous_state", t.From.String()),
		slog.Float64("value", a.Value),
		slog.Time("active_at", a.ActiveAt),
	)
	if !a.FiredAt.IsZero() {
		attrs = append(attrs, slog.Time("fired_at", a.FiredAt))
	}
	if !a.ResolvedAt.IsZero() {
		attrs = append(attrs, slog.Time("resolved_at", a.ResolvedAt))
	}
	for _, k := range []string{"summary", "description"} {
		if v := a.Annotations[k]; v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	h.emit(ctx, at, attrs)
}

// alertAttrs are the fields every record about one alert has; labels go
// in a group, which OpenObserve flattens to labels_<name>.
func alertAttrs(event string, a *Alert) []slog.Attr {
	labels := make([]any, 0, len(a.Labels))
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		labels = append(labels, slog.String(k, a.Labels[k]))
	}
	return []slog.Attr{
		slog.String("event", event),
		slog.String("rule_id", a.RuleID),
		slog.String("alert_id", a.ID),
		slog.String("alertname", a.Name()),
		slog.String("severity", string(a.Severity())),
		slog.Group("labels", labels...),
	}
}

func (h *history) attempt(a attempt) {
	outcome := "sent"
	switch {
	case a.Err != nil && a.Final:
		outcome = "gave_up"
	case a.Err != nil:
		outcome = "failed"
	}
	attrs := []slog.Attr{
		slog.String("event", EventNotification),
		slog.String("receiver", a.Receiver),
		slog.String("group_key", a.GroupKey),
		slog.Int("tier", a.Tier),
		slog.String("status", a.Status),
		slog.String("alert_ids", strings.Join(a.AlertIDs, ",")),
		slog.Int("attempt", a.Number),
		slog.String("outcome", outcome),
		slog.Int64("took_ms", a.Took.Milliseconds()),
		slog.Bool("resend", a.Resend), // a periodic resend to a Resender, such as Alertmanager
	}
	if a.Err != nil {
		attrs = append(attrs, slog.String("error", a.Err.Error()))
	}
	h.emit(context.Background(), a.At, attrs)
}

func (h *history) ack(ctx context.Context, ruleID, id string, a Ack) {
	h.emit(ctx, a.At, []slog.Attr{
		slog.String("event", EventAck),
		slog.String("rule_id", ruleID),
		slog.String("alert_id", id),
		slog.String("by", a.By),
		slog.String("comment", a.Comment),
	})
}

func (h *history) silence(ctx context.Context, event string, s Silence) {
	h.emit(ctx, h.now(), []slog.Attr{
		slog.String("event", event),
		slog.String("silence_id", s.ID),
		slog.String("matchers", strings.Join(s.Matchers, ",")),
		slog.Time("starts_at", s.StartsAt),
		slog.Time("ends_at", s.EndsAt),
		slog.String("by", s.CreatedBy),
		slog.String("comment", s.Comment),
	})
}
