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
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "service.version=9.9,deployment.environment.name=staging,team=payments")

	tp := setup(t, client, tracing.WithStream("env"))
	endSpans(tp, "from env")
	deliver(t, tp, client)
	got := storedSpans(srv, "env")["from env"]
	require.NotNil(t, got)
	assert.Equal(t, "cart", got["service_name"])
	assert.Equal(t, "9.9", got["service_service_version"])
	assert.Equal(t, "staging", got["service_deployment_environment_name"])
	assert.Equal(t, "payments", got["service_team"])
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
	assert.Error(t, err)
	_, client, _ := devClient(t)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "no-equals-sign")
	_, _, err = tracing.Setup(t.Context(), client)
	assert.Error(t, err)
}
