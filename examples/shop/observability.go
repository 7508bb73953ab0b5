package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/behavior"
	"github.com/o2kit/o2kit/logging"
	"github.com/o2kit/o2kit/metrics"
	"github.com/o2kit/o2kit/pipeline"
	"github.com/o2kit/o2kit/tracing"
)

// version is the service's version, on every record and span.
const version = "1.4.2"

// checkoutFunnel is the funnel the tracker follows in-process and the
// summary computes again on the server.
var checkoutFunnel = behavior.Funnel{
	Name: "checkout",
	Steps: []string{behavior.EventProductView, behavior.EventCartAdd,
		behavior.EventCheckoutStarted, behavior.EventPurchase},
	Window: time.Hour,
}

// observability is what the service records with: one o2kit client and
// the packages built on it, wired the way a service's main wires them.
type observability struct {
	client   *o2kit.Client
	logger   *slog.Logger
	biz      *logging.Business
	audit    *logging.Audit
	tracker  *behavior.Tracker
	sessions *behavior.Sessions
	reg      *metrics.Registry
	red      *metrics.HTTPMetrics
	shop     *metrics.Shop
	tp       *sdktrace.TracerProvider
	stopTP   func(context.Context) error
	alerts   *alerting.Engine
	alertsOn chan error       // Run's result
	hooks    chan hookMessage // webhook notifications received
}

// newObservability builds the client with its processors, then every
// package on it. On error it shuts down what it had built.
func newObservability(ctx context.Context, cfg config, opts []o2kit.Option) (*observability, error) {
	client, err := o2kit.New(append(opts, o2kit.WithProcessors(
		// E-mails, phones, cards, IPs and secrets are masked before encoding,
		// the tracker's already anonymised ip field included; a service that
		// wants that /24 for geography would wrap MaskPII in ExceptStreams.
		pipeline.MaskPII(),
		pipeline.Enrich(pipeline.Host(), pipeline.Version(version)),
	))...)
	if err != nil {
		return nil, err
	}
	o := &observability{client: client}
	if err := o.build(ctx, cfg); err != nil {
		return nil, errors.Join(err, o.shutdown(ctx))
	}
	return o, nil
}

func (o *observability) build(ctx context.Context, cfg config) error {
	var err error
	if o.reg, err = metrics.NewRegistry(o.client); err != nil {
		return err
	}
	if err = o.reg.RegisterRuntime(); err != nil {
		return err
	}
	if o.red, err = o.reg.HTTPMetrics(); err != nil {
		return err
	}
	if o.shop, err = o.reg.Shop(time.Hour); err != nil {
		return err
	}
	levels, err := o.reg.LogLevels()
	if err != nil {
		return err
	}
	lopts := []logging.Option{logging.WithService("shop"), logging.WithLevelCounter(levels)}
	if cfg.verbose {
		lopts = append(lopts, logging.WithConsole(os.Stderr))
	}
	o.logger = logging.New(o.client, lopts...)
	o.biz = logging.NewBusiness(o.client, logging.WithService("shop"))
	o.audit = logging.NewAudit(o.client, logging.WithService("shop"))

	if o.tracker, err = behavior.NewTracker(o.client, behavior.WithFunnels(checkoutFunnel)); err != nil {
		return err
	}
	// Page views for HTML documents; the cookies carry the visitor.
	if o.sessions, err = behavior.NewSessions(o.tracker, behavior.WithPageViews(nil)); err != nil {
		return err
	}
	if o.tp, o.stopTP, err = tracing.Setup(ctx, o.client,
		tracing.WithServiceName("shop"), tracing.WithServiceVersion(version)); err != nil {
		return err
	}
	o.hooks = make(chan hookMessage, 1)
	if err := o.newAlerts(cfg.hookURL); err != nil {
		return err
	}
	o.alertsOn = make(chan error, 1)
	go func() { o.alertsOn <- o.alerts.Run(ctx) }()
	return nil
}

// wrap puts a route's handler behind the middleware, outermost first:
// the trace (so logs and events carry its ids), RED metrics, the visitor's
// session (so the request log carries it), and the request log. It wraps
// each route inside the ServeMux, where the request already knows the
// pattern it matched, so every layer labels the route, not the raw path.
func (o *observability) wrap(h http.Handler) http.Handler {
	h = logging.Middleware(o.logger)(h)
	h = o.sessions.Middleware(h)
	h = o.red.Middleware(h)
	return tracing.Middleware(o.tp, "")(h)
}

// flush sends everything recorded so far: ended spans to the client, a
// metrics collection, then the client's batches to the server.
func (o *observability) flush(ctx context.Context) error {
	if err := o.tp.ForceFlush(ctx); err != nil {
		return err
	}
	if err := o.reg.Flush(ctx); err != nil {
		return err
	}
	return o.client.Flush(ctx)
}

// shutdown stops the packages in the reverse order of their making, the
// client last, so each hands what it holds to the client before the
// client sends it (or keeps it in the spool).
func (o *observability) shutdown(ctx context.Context) error {
	var errs []error
	if o.alerts != nil {
		errs = append(errs, o.alerts.Shutdown(ctx))
	}
	if o.stopTP != nil {
		errs = append(errs, o.stopTP(ctx))
	}
	if o.reg != nil {
		errs = append(errs, o.reg.Shutdown(ctx))
	}
	if o.logger != nil {
		if h, ok := o.logger.Handler().(*logging.Handler); ok {
			errs = append(errs, h.Close(ctx))
		}
	}
	errs = append(errs, o.client.Shutdown(ctx))
	return errors.Join(errs...)
}
