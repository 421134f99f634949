package n8nsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const body = `{"id":"id-1","text":"turn on the lights","profile":"dad"}`

func start(t *testing.T, c Config) *Sim {
	t.Helper()
	s, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// post sends body to url with the given headers and returns status and body.
func post(t *testing.T, method, url, contentType, payload string, header map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

const notRegisteredBody = `{"code":404,"message":"The requested webhook \"POST tonny\" is not registered.","hint":"Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)"}`

func TestBehaviours(t *testing.T) {
	tests := []struct {
		b      Behaviour
		status int
		body   string
		ctype  string
	}{
		{RespondJSON, 200, `{"text":"You said: turn on the lights","speak":true,"profile":"dad"}`, "application/json; charset=utf-8"},
		{Accepted, 202, "", ""},
		{NoContent, 204, "", ""},
		{Immediately, 200, `{"message":"Workflow was started"}`, "application/json; charset=utf-8"},
		{EmptyBody, 200, "", ""},
		{PlainText, 200, "ok", "text/plain; charset=utf-8"},
		{WorkflowError, 500, `{"message":"Error in workflow"}`, "application/json; charset=utf-8"},
		{StartError, 500, `{"code":0,"message":"Workflow Webhook Error: Workflow could not be started!"}`, "application/json; charset=utf-8"},
		{NotRegistered, 404, notRegisteredBody, "application/json; charset=utf-8"},
	}
	if len(tests) != len(Behaviours()) {
		t.Fatalf("%d cases for %d behaviours", len(tests), len(Behaviours()))
	}
	s := start(t, Config{})
	for _, tt := range tests {
		t.Run(string(tt.b), func(t *testing.T) {
			s.SetBehaviour(tt.b)
			status, got, h := post(t, http.MethodPost, s.URL(), "application/json", body, nil)
			if status != tt.status || got != tt.body {
				t.Errorf("got %d %q, want %d %q", status, got, tt.status, tt.body)
			}
			if tt.ctype != "" && h.Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", h.Get("Content-Type"), tt.ctype)
			}
		})
	}
	// Every behaviour records its request, errors included.
	if got := s.Count("id-1"); got != len(tests) {
		t.Errorf("Count = %d, want %d", got, len(tests))
	}
}

func TestGate(t *testing.T) {
	const secret = "s3cret"
	sign := func(ts string, b string) string {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts + "." + b))
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	old := strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10)
	good := map[string]string{"X-Tonny-Key": "k", "X-Tonny-Timestamp": now, "X-Tonny-Signature": sign(now, body)}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for a, b := range good {
			h[a] = b
		}
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	s := start(t, Config{AuthHeader: "X-Tonny-Key", AuthValue: "k", SignSecret: secret})
	base := strings.TrimSuffix(s.URL(), "/webhook/tonny")
	tests := []struct {
		name, method, url, ctype, body string
		header                         map[string]string
		status                         int
		want                           string // substring of the body
		recorded                       bool
	}{
		{"ok", "POST", s.URL(), "application/json", body, good, 200, "You said", true},
		{"wrong path", "POST", base + "/webhook/nope", "application/json", body, good, 404, `\"POST nope\" is not registered.`, false},
		{"wrong method", "GET", s.URL(), "application/json", "", good, 404, `\"GET tonny\" is not registered.`, false},
		{"invalid json", "POST", s.URL(), "application/json", "{nope", good, 422, "Failed to parse", false},
		{"no auth", "POST", s.URL(), "application/json", body, with("X-Tonny-Key", ""), 403, `{"message":"Authorization data is wrong!"}`, false},
		{"wrong auth", "POST", s.URL(), "application/json", body, with("X-Tonny-Key", "x"), 403, "Authorization data is wrong!", false},
		{"wrong signature", "POST", s.URL(), "application/json", body, with("X-Tonny-Signature", sign(now, "{}")), 401, `{"message":"invalid signature"}`, false},
		{"stale signature", "POST", s.URL(), "application/json", body, with("X-Tonny-Timestamp", old), 401, "invalid signature", false},
		{"stale but re-signed", "POST", s.URL(), "application/json", body,
			map[string]string{"X-Tonny-Key": "k", "X-Tonny-Timestamp": old, "X-Tonny-Signature": sign(old, body)}, 401, "invalid signature", false},
		{"no signature", "POST", s.URL(), "application/json", body, with("X-Tonny-Signature", ""), 401, "invalid signature", false},
		{"text/plain is not parsed", "POST", s.URL(), "text/plain", "{nope",
			map[string]string{"X-Tonny-Key": "k", "X-Tonny-Timestamp": now, "X-Tonny-Signature": sign(now, "{nope")}, 200, "You said: ", true},
	}
	recorded := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got, _ := post(t, tt.method, tt.url, tt.ctype, tt.body, tt.header)
			if status != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("got %d %s, want %d containing %s", status, got, tt.status, tt.want)
			}
			if tt.recorded {
				recorded++
			}
			if n := len(s.Received()); n != recorded {
				t.Errorf("%d recorded, want %d", n, recorded)
			}
		})
	}
}

func TestReceived(t *testing.T) {
	s := start(t, Config{})
	for i, id := range []string{"a", "b", "a"} {
		b := `{"id":"` + id + `","text":"t` + strconv.Itoa(i) + `"}`
		post(t, "POST", s.URL(), "application/json", b, map[string]string{"Idempotency-Key": id})
	}
	got := s.Received()
	if len(got) != 3 {
		t.Fatalf("%d received, want 3", len(got))
	}
	for i, want := range []string{"a", "b", "a"} {
		r := got[i]
		if r.ID != want || r.IdempotencyKey != want || r.Text != "t"+strconv.Itoa(i) || r.At.IsZero() || r.Header.Get("Idempotency-Key") != want {
			t.Errorf("received[%d] = %+v", i, r)
		}
	}
	if s.Count("a") != 2 || s.Count("b") != 1 || s.Count("c") != 0 {
		t.Errorf("counts a=%d b=%d c=%d", s.Count("a"), s.Count("b"), s.Count("c"))
	}
}

func TestDownUpSamePort(t *testing.T) {
	s := start(t, Config{})
	url := s.URL()
	if err := s.SetDown(true); err != nil {
		t.Fatal(err)
	}
	_, err := http.Post(url, "application/json", strings.NewReader(body))
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("down: err = %v, want connection refused", err)
	}
	if err := s.SetDown(true); err != nil { // idempotent
		t.Fatal(err)
	}
	if err := s.SetDown(false); err != nil {
		t.Fatal(err)
	}
	if s.URL() != url {
		t.Fatalf("URL changed: %s → %s", url, s.URL())
	}
	status, _, _ := post(t, "POST", url, "application/json", body, nil)
	if status != 200 {
		t.Fatalf("up: status %d", status)
	}
}

func TestDelay(t *testing.T) {
	s := start(t, Config{Delay: 150 * time.Millisecond})
	t0 := time.Now()
	if status, _, _ := post(t, "POST", s.URL(), "application/json", body, nil); status != 200 {
		t.Fatalf("status %d", status)
	}
	if d := time.Since(t0); d < 150*time.Millisecond {
		t.Errorf("answered after %v, before the delay", d)
	}

	// A client that gives up frees the handler; Close does not wait out the delay.
	s.SetDelay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", s.URL(), bytes.NewReader([]byte(body)))
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline", err)
	}
	done := make(chan error)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a held request")
	}
	if err := s.SetDown(false); err == nil {
		t.Error("SetDown after Close succeeded")
	}
}

func TestStartRejects(t *testing.T) {
	for _, c := range []Config{
		{Addr: "0.0.0.0:0"},
		{Addr: "nope"},
		{Path: "webhook/x"},
		{Behaviour: "nope"},
	} {
		if s, err := Start(c); err == nil {
			s.Close()
			t.Errorf("Start(%+v) succeeded", c)
		}
	}
}
