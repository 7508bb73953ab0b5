package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/template"

	"github.com/o2kit/o2kit/alerting"
)

// HTTPGateway is an [SMSProvider] for the many SMS services whose API is
// one HTTP POST: by default a JSON object {"to": [numbers], "text": text};
// the field names, a form encoding or a whole body template fit others.
// Any 2xx answer is success unless a field check is set
// ([WithGatewaySuccessField]). Create it with [NewHTTPGateway]; it is safe
// for concurrent use.
type HTTPGateway struct {
	url                string
	toField, textField string
	form               bool
	body               *template.Template
	contentType        string
	header             http.Header
	client             *http.Client
	okPath             []string
	okValue            string
}

var _ SMSProvider = (*HTTPGateway)(nil)

// GatewayOption configures an [HTTPGateway].
type GatewayOption interface{ apply(*gatewayConfig) }

type gatewayConfig struct {
	toField, textField string
	form               bool
	body, contentType  string
	header             http.Header
	client             *http.Client
	okField, okValue   string
	okSet              bool
}

type gatewayOptionFunc func(*gatewayConfig)

func (f gatewayOptionFunc) apply(c *gatewayConfig) { f(c) }

// WithGatewayFields sets the names of the recipients field and the text
// field. Default "to" and "text". Empty names are rejected by
// [NewHTTPGateway].
func WithGatewayFields(to, text string) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.toField, c.textField = to, text })
}

// WithGatewayForm sends the fields form-encoded
// (application/x-www-form-urlencoded) instead of as JSON, the recipients
// joined by commas. Default: JSON with the recipients as an array.
func WithGatewayForm() GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.form = true })
}

// WithGatewayBody sets a text/template for the whole request body, sent
// with the given content type, in place of the field encoding. The template
// sees .To ([]string) and .Text, and has the functions join and json (a
// value as JSON, so a text is quoted safely):
//
//	{"msisdn": {{ json (join .To ",") }}, "message": {{ json .Text }}}
//
// Default: none. A template that does not parse, or an empty content type,
// is rejected by [NewHTTPGateway].
func WithGatewayBody(contentType, tmpl string) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.contentType, c.body = contentType, tmpl })
}

// WithGatewayBearerToken sends "Authorization: Bearer token". Default: none.
func WithGatewayBearerToken(token string) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.header.Set("Authorization", "Bearer "+token) })
}

// WithGatewayBasicAuth sends HTTP basic auth. Default: none.
func WithGatewayBasicAuth(user, password string) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.header.Set("Authorization", basicAuthHeader(user, password)) })
}

// WithGatewayHeader adds a header to every request, such as an API key.
// It may be given several times. Default: none.
func WithGatewayHeader(key, value string) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.header.Add(key, value) })
}

// WithGatewayHTTPClient sets the HTTP client. Default: a client with a
// 30-second timeout. nil means the default.
func WithGatewayHTTPClient(hc *http.Client) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.client = hc })
}

// WithGatewaySuccessField makes a 2xx answer count as success only if it is
// a JSON object whose field at path (dot-separated, "result.code") equals
// want, compared as text ("0" matches 0 and "0"). Gateways that answer 200
// to failures need it. Default: no check. An empty path is rejected by
// [NewHTTPGateway].
func WithGatewaySuccessField(path, want string) GatewayOption {
	return gatewayOptionFunc(func(c *gatewayConfig) { c.okField, c.okValue, c.okSet = path, want, true })
}

// NewHTTPGateway returns an [HTTPGateway] posting to rawURL, an absolute
// http or https URL that never appears in errors.
func NewHTTPGateway(rawURL string, opts ...GatewayOption) (*HTTPGateway, error) {
	c := gatewayConfig{toField: "to", textField: "text", header: http.Header{}}
	for _, o := range opts {
		o.apply(&c)
	}
	if err := requireHTTPURL("sms gateway", rawURL); err != nil {
		return nil, err
	}
	if c.toField == "" || c.textField == "" {
		return nil, errors.New("notify: sms gateway field names must not be empty")
	}
	g := &HTTPGateway{url: rawURL, toField: c.toField, textField: c.textField, form: c.form,
		contentType: c.contentType, header: c.header, client: clientOrDefault(c.client), okValue: c.okValue}
	if c.okSet {
		if c.okField == "" {
			return nil, errors.New("notify: sms gateway success field path is empty")
		}
		g.okPath = strings.Split(c.okField, ".")
	}
	if c.body != "" || c.contentType != "" {
		if c.contentType == "" {
			return nil, errors.New("notify: sms gateway body template needs a content type")
		}
		t, err := template.New("sms").Funcs(gatewayFuncs).Option("missingkey=error").Parse(c.body)
		if err != nil {
			return nil, fmt.Errorf("notify: sms gateway body template: %w", err)
		}
		g.body = t
	}
	return g, nil
}

var gatewayFuncs = template.FuncMap{
	"join": strings.Join,
	"json": func(v any) (string, error) {
		b, err := gatewayJSON(v)
		return string(b), err
	},
}

// gatewayJSON encodes v without escaping &, < and >: the text is read by
// a phone, and some gateways do not decode \u0026.
func gatewayJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// basicAuthHeader returns the Authorization value of HTTP basic auth.
func basicAuthHeader(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// Send posts text for the numbers in to once.
func (g *HTTPGateway) Send(ctx context.Context, to []string, text string) error {
	ctype, body, err := g.encode(to, text)
	if err != nil {
		return err
	}
	answer, err := post(ctx, g.client, g.url, ctype, body, g.header.Clone())
	if err != nil {
		return err
	}
	return g.check(answer)
}

func (g *HTTPGateway) encode(to []string, text string) (ctype string, body []byte, err error) {
	switch {
	case g.body != nil:
		var b bytes.Buffer
		if err := g.body.Execute(&b, struct {
			To   []string
			Text string
		}{to, text}); err != nil {
			return "", nil, alerting.Permanent(fmt.Errorf("notify: sms gateway body template: %w", err))
		}
		return g.contentType, b.Bytes(), nil
	case g.form:
		v := url.Values{g.toField: {strings.Join(to, ",")}, g.textField: {text}}
		return "application/x-www-form-urlencoded", []byte(v.Encode()), nil
	}
	body, err = gatewayJSON(map[string]any{g.toField: to, g.textField: text})
	return "application/json", body, err
}

// check applies the success-field check, if any, to a 2xx answer. A
// failure is retryable: the gateway may have failed for a passing reason.
func (g *HTTPGateway) check(answer []byte) error {
	if g.okPath == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(answer, &v); err != nil {
		return errors.New("notify: sms gateway answer is not JSON")
	}
	for _, key := range g.okPath {
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("notify: sms gateway answer lacks field %q", strings.Join(g.okPath, "."))
		}
		v = obj[key]
	}
	got := fmt.Sprint(v)
	if b, err := json.Marshal(v); err == nil && v != nil {
		if _, isString := v.(string); !isString {
			got = string(b)
		}
	}
	if got != g.okValue {
		if len(got) > 64 {
			got = got[:64]
		}
		return fmt.Errorf("notify: sms gateway answered %s=%q, want %q", strings.Join(g.okPath, "."), got, g.okValue)
	}
	return nil
}
