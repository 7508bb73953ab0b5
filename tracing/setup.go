package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/o2kit/o2kit"
)

// Setup builds an OpenTelemetry TracerProvider whose spans go to
// OpenObserve through client: a batch span processor feeds [NewExporter].
// It returns the provider and its shutdown function, which ends every
// span processor after handing the spans still queued to the client (the
// client itself keeps running: call client.Shutdown after it). With
// [WithGlobal] the provider and [Propagator] become OpenTelemetry's
// globals.
//
// Configuration is built in one order: defaults, the environment
// (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG; see [SamplerFromEnv]), then opts. A nil client,
// an unknown sampler name or argument, a malformed OTEL_RESOURCE_ATTRIBUTES
// or a [WithMaxQueueSize] above its limit is an error.
func Setup(ctx context.Context, client *o2kit.Client, opts ...Option) (*sdktrace.TracerProvider, func(context.Context) error, error) {
	if client == nil {
		return nil, nil, errors.New("tracing: nil client")
	}
	cfg := newConfig(opts)
	if err := cfg.checkQueue(os.Getenv); err != nil {
		return nil, nil, err
	}
	sampler, err := cfg.samplerOrEnv(os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	res, err := cfg.resource(ctx, os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	exp, err := NewExporter(ctx, client, opts...)
	if err != nil {
		return nil, nil, err
	}
	tpOpts := []sdktrace.TracerProviderOption{
		sdktrace.WithBatcher(exp, cfg.batch...),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sampler),
	}
	if cfg.ids != nil {
		tpOpts = append(tpOpts, sdktrace.WithIDGenerator(cfg.ids))
	}
	tp := sdktrace.NewTracerProvider(tpOpts...)
	if cfg.global {
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(Propagator())
	}
	return tp, tp.Shutdown, nil
}

// samplerOrEnv returns the sampler of WithSampler, else the environment's,
// else the SDK's default: parent-based always-on.
func (c *config) samplerOrEnv(getenv func(string) string) (sdktrace.Sampler, error) {
	if c.sampler != nil {
		return c.sampler, nil
	}
	s, err := SamplerFromEnv(getenv)
	if err != nil || s != nil {
		return s, err
	}
	return sdktrace.ParentBased(Always()), nil
}

// Propagator returns the W3C trace context and baggage propagators, the
// ones [Middleware] and [Transport] use and [WithGlobal] installs.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// checkQueue refuses a queue size, from WithMaxQueueSize or else
// OTEL_BSP_MAX_QUEUE_SIZE (which the SDK reads itself), that the batch
// span processor could not allocate.
func (c *config) checkQueue(getenv func(string) string) error {
	if c.maxQueue > maxQueueLimit {
		return fmt.Errorf("tracing: WithMaxQueueSize(%d) is above the limit of %d spans", c.maxQueue, maxQueueLimit)
	}
	env := strings.TrimSpace(getenv("OTEL_BSP_MAX_QUEUE_SIZE"))
	if n, err := strconv.Atoi(env); c.maxQueue == 0 && err == nil && n > maxQueueLimit {
		return fmt.Errorf("tracing: OTEL_BSP_MAX_QUEUE_SIZE %d is above the limit of %d spans", n, maxQueueLimit)
	}
	return nil
}
