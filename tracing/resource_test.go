package tracing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/o2kit/o2kit/tracing"
)

func TestResourceFromEnvironmentAndOptions(t *testing.T) {
	srv, client, _ := devClient(t)
	t.Setenv("OTEL_SERVICE_NAME", "cart")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=ignored, service.version=9.9,"+
		"deployment.environment.name=staging,team=pay%20ments%2C%20EU,note=50%25")

	tp := setup(t, client, tracing.WithStream("env"))
	endSpans(tp, "from env")
	deliver(t, tp, client)
	got := storedSpans(srv, "env")["from env"]
	require.NotNil(t, got)
	assert.Equal(t, "cart", got["service_name"], "OTEL_SERVICE_NAME wins over service.name")
	assert.Equal(t, "9.9", got["service_service_version"])
	assert.Equal(t, "staging", got["service_deployment_environment_name"])
	assert.Equal(t, "pay ments, EU", got["service_team"], "values are percent-decoded")
	assert.Equal(t, "50%", got["service_note"])
	assert.NotEmpty(t, got["service_host_name"], "the host name is detected")

	tp = setup(t, client, tracing.WithStream("opts"), tracing.WithServiceName("checkout"),
		tracing.WithServiceVersion("1.4.2"), tracing.WithResourceAttributes(attribute.String("team", "web")))
	endSpans(tp, "from options")
	deliver(t, tp, client)
	got = storedSpans(srv, "opts")["from options"]
	require.NotNil(t, got)
	assert.Equal(t, "checkout", got["service_name"], "options win over the environment")
	assert.Equal(t, "1.4.2", got["service_service_version"])
	assert.Equal(t, "staging", got["service_deployment_environment_name"])
	assert.Equal(t, "web", got["service_team"])
}

func TestSetupRejectsBadInput(t *testing.T) {
	_, _, err := tracing.Setup(t.Context(), nil)
	assert.ErrorContains(t, err, "nil client")
	_, client, _ := devClient(t)
	for env, want := range map[string]string{
		"no-equals-sign":      `OTEL_RESOURCE_ATTRIBUTES: entry "no-equals-sign" is not key=value`,
		"team=web,":           `entry "" is not key=value`,
		"=web":                `entry "=web" has no key`,
		"team=web,note=100%":  `value of "note" is not percent-encoded`,
		"team=%zz":            `value of "team" is not percent-encoded`,
		"a=b,,c=d":            `entry "" is not key=value`,
		"team=web, note=%4":   `value of "note"`,
		"team=web,good=%41ok": "",
		" ":                   "",
	} {
		t.Setenv("OTEL_RESOURCE_ATTRIBUTES", env)
		_, stop, err := tracing.Setup(t.Context(), client)
		if want == "" {
			require.NoError(t, err, env)
			require.NoError(t, stop(t.Context()))
			continue
		}
		assert.ErrorContains(t, err, want, env)
	}
}
