package tracing

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// envResourceAttributes is the variable of the resource's extra
// attributes: key=value pairs split by commas, values percent-encoded.
const envResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES"

// resource merges, lowest first: the SDK's defaults (service name,
// telemetry SDK), the host name, the environment, WithResourceAttributes,
// then the named options. OTEL_RESOURCE_ATTRIBUTES is checked first, since
// the SDK keeps a value it cannot percent-decode as it is.
func (c *config) resource(ctx context.Context, getenv func(string) string) (*resource.Resource, error) {
	if err := checkResourceEnv(getenv(envResourceAttributes)); err != nil {
		return nil, err
	}
	var named []attribute.KeyValue
	for _, a := range []struct {
		value string
		kv    func(string) attribute.KeyValue
	}{
		{c.service, semconv.ServiceName},
		{c.version, semconv.ServiceVersion},
		{c.environment, semconv.DeploymentEnvironmentNameKey.String},
		{c.host, semconv.HostName},
	} {
		if a.value != "" {
			named = append(named, a.kv(a.value))
		}
	}
	detected, err := resource.New(ctx,
		resource.WithHost(),
		resource.WithFromEnv(),
		resource.WithAttributes(c.attrs...),
		resource.WithAttributes(named...),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	res, err := resource.Merge(resource.Default(), detected)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return res, nil
}

// checkResourceEnv reports what is wrong with an OTEL_RESOURCE_ATTRIBUTES
// value: an entry without '=' or a key, or a value that does not
// percent-decode. The specification discards such a value whole and
// reports it; [Setup] fails with this error instead of starting with a
// resource other than the one asked for.
func checkResourceEnv(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	for entry := range strings.SplitSeq(v, ",") {
		key, value, ok := strings.Cut(entry, "=")
		key = strings.TrimSpace(key)
		switch {
		case !ok:
			return fmt.Errorf("tracing: %s: entry %q is not key=value", envResourceAttributes, entry)
		case key == "":
			return fmt.Errorf("tracing: %s: entry %q has no key", envResourceAttributes, entry)
		}
		if _, err := url.PathUnescape(strings.TrimSpace(value)); err != nil {
			return fmt.Errorf("tracing: %s: value of %q is not percent-encoded: %w", envResourceAttributes, key, err)
		}
	}
	return nil
}
