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
// the parent's decision. f is clamped to [0, 1]; NaN samples nothing.
func Ratio(f float64) sdktrace.Sampler { return sdktrace.TraceIDRatioBased(fraction(f)) }

// fraction is f for TraceIDRatioBased, with NaN as 0: the SDK would turn
// NaN into an undefined bound.
func fraction(f float64) float64 {
	if math.IsNaN(f) {
		return 0
	}
	return f
}

// ParentRatio follows the parent span's decision, local or remote, and
// samples the fraction f of new root traces by trace id. It is the usual
// choice for a service behind others: a trace is kept or dropped whole. f
// is taken as by [Ratio].
func ParentRatio(f float64) sdktrace.Sampler {
	return sdktrace.ParentBased(Ratio(f))
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
// nil when the variable is unset or blank. The specification's names are
// taken, in any case (always_on, always_off, traceidratio,
// parentbased_always_on, parentbased_always_off, parentbased_traceidratio,
// the ratio argument a number from 0 to 1, 1 when unset), and
// o2kit_ratelimited, [RateLimited] with the argument as new traces a
// second (10 when unset).
//
// An unknown name or a bad argument is an error that says what was wrong
// and what is taken. The specification asks SDKs to warn and fall back to
// the default (sampling everything); [Setup] fails instead, so that a typo
// in a deployment cannot multiply the traces it sends.
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
		f, err := envNumber(name, arg, 1, 1)
		if err != nil {
			return nil, err
		}
		if name == SamplerTraceIDRatio {
			return Ratio(f), nil
		}
		return ParentRatio(f), nil
	case SamplerRateLimited:
		n, err := envNumber(name, arg, 10, 0)
		if err != nil {
			return nil, err
		}
		return RateLimited(n), nil
	}
	return nil, fmt.Errorf("tracing: OTEL_TRACES_SAMPLER %q is not a sampler this package knows; "+
		"want one of %s", name, strings.Join(samplerNames, ", "))
}

// samplerNames are the names SamplerFromEnv takes, for its error.
var samplerNames = []string{SamplerAlwaysOn, SamplerAlwaysOff, SamplerTraceIDRatio, SamplerParentBasedAlwaysOn,
	SamplerParentBasedAlwaysOff, SamplerParentBasedRatio, SamplerRateLimited}

// envNumber parses OTEL_TRACES_SAMPLER_ARG for the sampler name: def when
// empty, an error when not a number from 0 to limit (no limit when limit
// is 0).
func envNumber(name, arg string, def, limit float64) (float64, error) {
	if arg == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(arg, 64)
	if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 0 && (limit == 0 || f <= limit) {
		return f, nil
	}
	want := "a number of 0 or more"
	if limit > 0 {
		want = fmt.Sprintf("a number from 0 to %g", limit)
	}
	return 0, fmt.Errorf("tracing: OTEL_TRACES_SAMPLER_ARG %q for %s: want %s", arg, name, want)
}
