package tracing

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Option configures [Setup] and [NewExporter]. Options that do not concern
// a function are ignored by it.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options set; built once and read-only afterwards.
type config struct {
	global      bool
	service     string
	version     string
	environment string
	host        string
	attrs       []attribute.KeyValue
	sampler     sdktrace.Sampler
	stream      string
	batch       []sdktrace.BatchSpanProcessorOption
	maxQueue    int
	ids         sdktrace.IDGenerator
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithGlobal makes [Setup] install the provider with otel.SetTracerProvider
// and the W3C trace context and baggage propagators ([Propagator]) with
// otel.SetTextMapPropagator, so libraries that use the globals (otelhttp
// without options, for one) trace into it. Default: nothing global is
// touched.
func WithGlobal() Option {
	return optionFunc(func(c *config) { c.global = true })
}

// WithServiceName sets the service.name resource attribute, such as
// "checkout". It overrides OTEL_SERVICE_NAME and a service.name in
// OTEL_RESOURCE_ATTRIBUTES; without any of them the SDK's default,
// "unknown_service:" and the executable's name, applies. "" keeps the
// default.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) { c.service = name })
}

// WithServiceVersion sets the service.version resource attribute, such as
// "1.4.2", overriding OTEL_RESOURCE_ATTRIBUTES. Default: none. "" keeps the
// default.
func WithServiceVersion(version string) Option {
	return optionFunc(func(c *config) { c.version = version })
}

// WithEnvironment sets the deployment.environment.name resource attribute,
// such as "production", overriding OTEL_RESOURCE_ATTRIBUTES. Default: none.
// "" keeps the default.
func WithEnvironment(env string) Option {
	return optionFunc(func(c *config) { c.environment = env })
}

// WithHostName sets the host.name resource attribute, overriding
// OTEL_RESOURCE_ATTRIBUTES. Default: the name os.Hostname reports. "" keeps
// the default.
func WithHostName(host string) Option {
	return optionFunc(func(c *config) { c.host = host })
}

// WithResourceAttributes adds attributes to the resource, after
// OTEL_RESOURCE_ATTRIBUTES and before the named options above, which win
// over them. Default: none.
func WithResourceAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) { c.attrs = append(c.attrs, attrs...) })
}

// WithSampler sets the sampler, such as [ParentRatio](0.1) or
// [RateLimited](50). It overrides OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG (see [SamplerFromEnv]). Default: the
// environment's, else parent-based always-on, the SDK's default. nil keeps
// the default.
func WithSampler(s sdktrace.Sampler) Option {
	return optionFunc(func(c *config) { c.sampler = s })
}

// WithStream sets the traces stream spans are written to. Default: the
// client's Streams().Traces ("traces"). "" keeps the default.
func WithStream(name string) Option {
	return optionFunc(func(c *config) { c.stream = name })
}

// WithBatchTimeout sets how long the batch span processor waits before it
// hands a partial batch of ended spans to the exporter. Default 5 s, the
// SDK's (OTEL_BSP_SCHEDULE_DELAY); values below 1 keep the default. The
// client then batches no further: each handed batch is one request.
func WithBatchTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.batch = append(c.batch, sdktrace.WithBatchTimeout(d))
		}
	})
}

// WithMaxQueueSize sets how many ended spans the batch span processor holds
// before it drops new ones. Default 2048, the SDK's (OTEL_BSP_MAX_QUEUE_SIZE);
// values below 1 keep the default. [Setup] refuses more than 1<<20
// (1,048,576), here or in the variable, since the processor allocates its
// queue up front.
func WithMaxQueueSize(n int) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.maxQueue = n
			c.batch = append(c.batch, sdktrace.WithMaxQueueSize(n))
		}
	})
}

// maxQueueLimit is the largest WithMaxQueueSize that Setup takes.
const maxQueueLimit = 1 << 20

// WithIDGenerator sets how trace and span ids are made. Default: the SDK's
// random generator. Useful for stable ids in examples and tests; nil keeps
// the default.
func WithIDGenerator(g sdktrace.IDGenerator) Option {
	return optionFunc(func(c *config) { c.ids = g })
}
