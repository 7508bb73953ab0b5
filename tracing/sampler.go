package tracing

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Always samples every span.
func Always() sdktrace.Sampler { return sdktrace.AlwaysSample() }

// Never samples no span.
func Never() sdktrace.Sampler { return sdktrace.NeverSample() }

// Ratio samples the fraction f of traces, decided by the trace id alone, so
// every service that uses the same ratio keeps the same traces. It ignores
// the parent's decision. f is clamped to [0, 1].
func Ratio(f float64) sdktrace.Sampler { return sdktrace.TraceIDRatioBased(f) }

// ParentRatio follows the parent span's decision, local or remote, and
// samples the fraction f of new root traces by trace id. It is the usual
// choice for a service behind others: a trace is kept or dropped whole.
func ParentRatio(f float64) sdktrace.Sampler {
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(f))
}

// Sampler names of OTEL_TRACES_SAMPLER, the OpenTelemetry specification's
// and one of o2kit's.
const (
	SamplerAlwaysOn             = "always_on"
	SamplerAlwaysOff            = "always_off"
	SamplerTraceIDRatio         = "traceidratio"
	SamplerParentBasedAlwaysOn  = "parentbased_always_on"
	SamplerParentBasedAlwaysOff = "parentbased_always_off"
	SamplerParentBasedRatio     = "parentbased_traceidratio"
	SamplerRateLimited          = "o2kit_ratelimited" // OTEL_TRACES_SAMPLER_ARG: new traces per second, default 10
)

// SamplerFromEnv returns the sampler that OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG name, read with getenv (os.Getenv, usually), or
// nil when the variable is unset. The specification's names are taken
// (always_on, always_off, traceidratio, parentbased_always_on,
// parentbased_always_off, parentbased_traceidratio, the ratio argument
// defaulting to 1) and o2kit_ratelimited, [RateLimited] with the argument
// as traces per second. An unknown name or a bad argument is an error:
// [Setup] fails rather than sampling otherwise than asked.
func SamplerFromEnv(getenv func(string) string) (sdktrace.Sampler, error) {
	name := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")))
	arg := strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER_ARG"))
	switch name {
	case "":
		return nil, nil
	case SamplerAlwaysOn:
		return Always(), nil
	case SamplerAlwaysOff:
		return Never(), nil
	case SamplerParentBasedAlwaysOn:
		return sdktrace.ParentBased(Always()), nil
	case SamplerParentBasedAlwaysOff:
		return sdktrace.ParentBased(Never()), nil
	case SamplerTraceIDRatio, SamplerParentBasedRatio:
		f, err := envNumber(arg, 1, 1)
		if err != nil {
			return nil, err
		}
		if name == SamplerTraceIDRatio {
			return Ratio(f), nil
		}
		return ParentRatio(f), nil
	case SamplerRateLimited:
		n, err := envNumber(arg, 10, 0)
		if err != nil {
			return nil, err
		}
		return RateLimited(n), nil
	}
	return nil, fmt.Errorf("tracing: OTEL_TRACES_SAMPLER %q is not a sampler this package knows", name)
}

// envNumber parses OTEL_TRACES_SAMPLER_ARG: def when empty, an error when
// not a number from 0 to limit (no limit when limit is 0).
func envNumber(arg string, def, limit float64) (float64, error) {
	if arg == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(arg, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || (limit > 0 && f > limit) {
		return 0, fmt.Errorf("tracing: invalid OTEL_TRACES_SAMPLER_ARG %q", arg)
	}
	return f, nil
}
