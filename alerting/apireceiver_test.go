package alerting

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAPITestReceiver(t *testing.T) {
	var asked []string
	h := newAPI(&apiFake{testReceiver: func(_ context.Context, name string) error {
		asked = append(asked, name)
		switch name {
		case "ops":
			return nil
		case "mail":
			return errors.New("notifier 0: smtp: 550 mailbox unavailable")
		case "gone":
			return ErrClosed
		}
		return fmt.Errorf("receiver %q: %w", name, ErrNotFound)
	}})
	for _, c := range []struct {
		name string
		code int
		body string
	}{
		{"ops", http.StatusOK, `{"sent":"ops"}`},
		{"mail", http.StatusBadGateway, `{"error":"notifier 0: smtp: 550 mailbox unavailable"}`},
		{"nobody", http.StatusNotFound, ""},
		{"gone", http.StatusServiceUnavailable, ""},
	} {
		rec := apiDo(t, h, http.MethodPost, "/api/alerts/receivers/"+c.name+"/test", "")
		assert.Equal(t, c.code, rec.Code, c.name)
		if c.body != "" {
			assert.JSONEq(t, c.body, rec.Body.String(), c.name)
		}
	}
	assert.Equal(t, []string{"ops", "mail", "nobody", "gone"}, asked)
	assert.Equal(t, http.StatusMethodNotAllowed, apiDo(t, h, http.MethodGet, "/api/alerts/receivers/ops/test", "").Code)
}
