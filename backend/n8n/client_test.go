package n8n

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/n8nsim"
)

const (
	keyHeader = "X-Tonny-Key"
	keyValue  = "key-VALUE-7f3a"
	secret    = "sign-SECRET-91bc"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func startSim(t testing.TB, c n8nsim.Config) *n8nsim.Sim {
	t.Helper()
	s, err := n8nsim.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newClient(t testing.TB, c Config) *Client {
	t.Helper()
	cl, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func body(t testing.TB, id, text string) []byte {
	t.Helper()
	b, err := Request{ID: id, Timestamp: time.Now(), Text: text, Source: "tonnytray", Mode: "command", Profile: "dad", Role: "admin"}.Body()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkError asserts the class, the retry flags and the UI sentence of err,
// and that no secret leaks into either string.
func checkError(t *testing.T, err error, class Class, temporary, blocking bool, message string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if e.Class != class || e.Temporary() != temporary || e.Blocking() != blocking {
		t.Errorf("got class %s temporary %t blocking %t, want %s %t %t (%v)", e.Class, e.Temporary(), e.Blocking(), class, temporary, blocking, err)
	}
	if !strings.Contains(e.Message(), message) {
		t.Errorf("Message() = %q, want it to contain %q", e.Message(), message)
	}
	for _, s := range []string{e.Error(), e.Message()} {
		if strings.Contains(s, keyValue) || strings.Contains(s, secret) {
			t.Errorf("secret leaked: %q", s)
		}
	}
}

// TestPostClasses covers every answer class against the simulator.
func TestPostClasses(t *testing.T) {
	sim := startSim(t, n8nsim.Config{AuthHeader: keyHeader, AuthValue: keyValue})
	good := Config{URL: sim.URL(), AuthHeader: keyHeader, AuthValue: keyValue}
	tests := []struct {
		name      string
		behaviour n8nsim.Behaviour
		cfg       func(Config) Config
		body      string // "" = a valid request
		class     Class  // "" = success
		status    int
		temporary bool
		blocking  bool
		message   string
	}{
		{name: "reply", behaviour: n8nsim.RespondJSON, status: 200},
		{name: "accepted", behaviour: n8nsim.Accepted, status: 202},
		{name: "no content", behaviour: n8nsim.NoContent, status: 204},
		{name: "wrong key", behaviour: n8nsim.RespondJSON, cfg: func(c Config) Config { c.AuthValue = "wrong-" + keyValue; return c },
			class: ClassAuth, status: 403, blocking: true, message: "the server answered 403 — check the webhook key in Settings."},
		{name: "no key", behaviour: n8nsim.RespondJSON, cfg: func(c Config) Config { c.AuthHeader, c.AuthValue = "", ""; return c },
			class: ClassAuth, status: 403, blocking: true, message: "check the webhook key"},
		{name: "not registered", behaviour: n8nsim.NotRegistered,
			class: ClassNotFound, status: 404, blocking: true, message: "the webhook is not registered — activate the workflow (a test URL works for one call only)."},
		{name: "wrong path", behaviour: n8nsim.RespondJSON, cfg: func(c Config) Config { c.URL += "-nope"; return c },
			class: ClassNotFound, status: 404, blocking: true, message: "not registered"},
		{name: "invalid json", behaviour: n8nsim.RespondJSON, body: "{nope",
			class: ClassInvalid, status: 422, message: "the server answered 422"},
		{name: "workflow error", behaviour: n8nsim.WorkflowError,
			class: ClassServer, status: 500, temporary: true, message: "n8n answered 500 — see its Executions tab."},
		{name: "start error", behaviour: n8nsim.StartError,
			class: ClassServer, status: 500, temporary: true, message: "Executions tab"},
		{name: "empty body", behaviour: n8nsim.EmptyBody,
			class: ClassEmpty, status: 200, temporary: true, message: "the workflow failed before it replied (n8n answered 200 with an empty body) — see its Executions tab."},
		{name: "immediately", behaviour: n8nsim.Immediately,
			class: ClassBadReply, status: 200, temporary: true, message: "Respond to Webhook"},
		{name: "plain text", behaviour: n8nsim.PlainText,
			class: ClassBadReply, status: 200, temporary: true, message: `JSON with a "text" field`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.SetBehaviour(tt.behaviour)
			cfg := good
			if tt.cfg != nil {
				cfg = tt.cfg(cfg)
			}
			id := "id-" + strconv.Itoa(i)
			b := body(t, id, "turn on the lights")
			if tt.body != "" {
				b = []byte(tt.body)
			}
			r, err := newClient(t, cfg).Post(context.Background(), id, b)
			if r.Status != tt.status || r.Latency <= 0 {
				t.Errorf("Status %d Latency %v, want %d and > 0", r.Status, r.Latency, tt.status)
			}
			if tt.class != "" {
				checkError(t, err, tt.class, tt.temporary, tt.blocking, tt.message)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.status == 200 && (r.Text != "You said: turn on the lights" || !r.Speak || r.Accepted || !strings.Contains(string(r.Raw), `"profile":"dad"`)) {
				t.Errorf("reply = %+v", r)
			}
			if tt.status != 200 && (!r.Accepted || r.Text != "") {
				t.Errorf("reply = %+v, want accepted", r)
			}
		})
	}
}

func TestPostHeaders(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	sim := startSim(t, n8nsim.Config{AuthHeader: keyHeader, AuthValue: keyValue})
	c := newClient(t, Config{URL: sim.URL(), AuthHeader: keyHeader, AuthValue: keyValue, SignSecret: secret,
		Now: func() time.Time { return now }})
	b := body(t, "id-42", "hello")
	if _, err := c.Post(context.Background(), "id-42", b); err != nil {
		t.Fatal(err)
	}
	got := sim.Received()
	if len(got) != 1 {
		t.Fatalf("%d received", len(got))
	}
	h := got[0].Header
	ts := h.Get("X-Tonny-Timestamp")
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(b)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	checks := map[string][2]string{
		"Idempotency-Key":   {got[0].IdempotencyKey, "id-42"},
		"id in body":        {got[0].ID, "id-42"},
		"body bytes":        {string(got[0].Body), string(b)},
		"Content-Type":      {h.Get("Content-Type"), "application/json"},
		keyHeader:           {h.Get(keyHeader), keyValue},
		"X-Tonny-Timestamp": {ts, "1800000000"},
		"X-Tonny-Signature": {h.Get("X-Tonny-Signature"), want},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	if Sign(secret, ts, b) != want {
		t.Error("Sign disagrees with the recomputed signature")
	}
}

func TestPostSignature(t *testing.T) {
	sim := startSim(t, n8nsim.Config{SignSecret: secret})
	tests := []struct {
		name   string
		secret string
		now    func() time.Time
		class  Class
	}{
		{"verified", secret, nil, ""},
		{"wrong secret", "other", nil, ClassAuth},
		{"clock far behind", secret, func() time.Time { return time.Now().Add(-time.Hour) }, ClassAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, Config{URL: sim.URL(), SignSecret: tt.secret, Now: tt.now})
			_, err := c.Post(context.Background(), "id", body(t, "id", "x"))
			if tt.class == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			checkError(t, err, tt.class, false, true, "the server answered 401")
		})
	}
}

func TestPostTransportFailures(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		sim := startSim(t, n8nsim.Config{Delay: 2 * time.Second})
		c := newClient(t, Config{URL: sim.URL(), ReplyTimeout: 200 * time.Millisecond})
		_, err := c.Post(context.Background(), "id", body(t, "id", "x"))
		checkError(t, err, ClassTimeout, true, false, "did not answer in time")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		sim := startSim(t, n8nsim.Config{Delay: 2 * time.Second})
		c := newClient(t, Config{URL: sim.URL()})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := c.Post(ctx, "id", body(t, "id", "x"))
		var e *Error
		if !errors.Is(err, context.Canceled) || errors.As(err, &e) {
			t.Errorf("err = %v (%T), want wrapped context.Canceled, not *Error", err, err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		sim := startSim(t, n8nsim.Config{})
		if err := sim.SetDown(true); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, Config{URL: sim.URL()})
		_, err := c.Post(context.Background(), "id", body(t, "id", "x"))
		checkError(t, err, ClassNetwork, true, false, "no connection to the server")
	})
	t.Run("reply too large", func(t *testing.T) {
		big := `{"text":"` + strings.Repeat("a", MaxReply) + `"}`
		c := newClient(t, Config{URL: "https://n8n.example/webhook/tonny", Transport: roundTripper(func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(big)), Header: http.Header{}}, nil
		})})
		_, err := c.Post(context.Background(), "id", []byte("{}"))
		checkError(t, err, ClassBadReply, true, false, "answered without a reply")
	})
	t.Run("redirect not followed", func(t *testing.T) {
		c := newClient(t, Config{URL: "https://n8n.example/webhook/tonny", Transport: roundTripper(func(*http.Request) (*http.Response, error) {
			h := http.Header{"Location": {"https://elsewhere.example/login"}}
			return &http.Response{StatusCode: 302, Body: io.NopCloser(strings.NewReader("")), Header: h}, nil
		})})
		_, err := c.Post(context.Background(), "id", []byte("{}"))
		checkError(t, err, ClassConfig, false, true, "redirects elsewhere (HTTP 302)")
	})
	t.Run("echoed secret is redacted", func(t *testing.T) {
		c := newClient(t, Config{URL: "https://n8n.example/webhook/tonny", AuthHeader: keyHeader, AuthValue: keyValue,
			Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
				msg := `{"message":"bad key ` + r.Header.Get(keyHeader) + `"}`
				return &http.Response{StatusCode: 403, Body: io.NopCloser(strings.NewReader(msg)), Header: http.Header{}}, nil
			})})
		_, err := c.Post(context.Background(), "id", []byte("{}"))
		checkError(t, err, ClassAuth, false, true, "403")
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		message string // "" = valid
	}{
		{"https", Config{URL: "https://n8n.example.com/webhook/abc"}, ""},
		{"http localhost", Config{URL: "http://localhost:5678/webhook/abc"}, ""},
		{"http 127.x", Config{URL: "http://127.1.2.3:5678/webhook/abc"}, ""},
		{"http ::1", Config{URL: " http://[::1]:5678/webhook/abc\n"}, ""},
		{"with key", Config{URL: "https://h/webhook/x", AuthHeader: keyHeader, AuthValue: keyValue}, ""},
		{"empty", Config{URL: "  "}, "Tonny's webhook URL is not set — paste it in Settings → n8n."},
		{"unparsable", Config{URL: "https://h/%zz"}, "not a valid URL"},
		{"no scheme", Config{URL: "n8n.example.com/webhook/abc"}, "must start with https://"},
		{"ftp", Config{URL: "ftp://n8n.example.com/webhook/abc"}, "must start with https://"},
		{"no host", Config{URL: "https:///webhook/abc"}, "no server name"},
		{"http remote", Config{URL: "http://n8n.example.com/webhook/abc"}, "must use https for n8n.example.com — plain http is only allowed for localhost."},
		{"http lan", Config{URL: "http://192.168.1.5:5678/webhook/abc"}, "plain http is only allowed for localhost"},
		{"http localhost lookalike", Config{URL: "http://localhost.evil.example/webhook/abc"}, "must use https"},
		{"bad header name", Config{URL: "https://h/x", AuthHeader: "X Key", AuthValue: keyValue}, "not a valid HTTP header name"},
		{"missing key", Config{URL: "https://h/x", AuthHeader: keyHeader}, "webhook key is missing"},
		{"key with newline", Config{URL: "https://h/x", AuthHeader: keyHeader, AuthValue: keyValue + "\r\nX: y"}, "line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.message == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := New(tt.cfg); err != nil {
					t.Fatal(err)
				}
				return
			}
			checkError(t, err, ClassConfig, false, true, tt.message)
			if c, err := New(tt.cfg); c != nil || err == nil {
				t.Error("New accepted an invalid config")
			}
		})
	}
	err := Config{URL: "http://n8n.example.com/x"}.Validate()
	if want := "n8n: config: https is required for n8n.example.com; plain http is only allowed for localhost"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestErrorString(t *testing.T) {
	_, err := Classify(403, []byte(`{"message":"Authorization data is wrong!"}`))
	if want := "n8n: 403: Authorization data is wrong!"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}
