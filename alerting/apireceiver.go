package alerting

import (
	"errors"
	"net/http"
)

// testReceiver sends a test notification through the named receiver: 200
// {"sent": name} when every notifier took it, 404 for an unknown
// receiver, 502 with the notifiers' errors (which carry no secrets) when
// one failed.
func (h *apiHandler) testReceiver(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	err := h.api.TestReceiver(r.Context(), name)
	switch {
	case err == nil:
		apiWriteJSON(w, http.StatusOK, map[string]string{"sent": name})
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrClosed):
		h.fail(w, err)
	default:
		apiWriteJSON(w, http.StatusBadGateway, apiErrorBody{Error: err.Error()})
	}
}
