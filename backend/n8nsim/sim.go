// Package n8nsim is a protocol-faithful simulator of an n8n webhook (see
// shared/specs/n8n-webhook.md, "Observed on a real n8n") for the tests,
// benchmarks and fault suite of the webhook client and the outbox.
//
// It answers like n8n 1.x: an unknown path or a method other than POST gets
// n8n's 404 "not registered" body; a body that is not JSON although sent as
// application/json gets 422; a missing or wrong Header-auth value gets 403
// "Authorization data is wrong!" (never 401); with a signing secret, a bad
// X-Tonny-Signature gets the community Code-node template's generic 401.
// Every request that gets past these checks is recorded and then answered
// after Delay according to the Behaviour.
package n8nsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/simcmd"
)

// Behaviour is how the simulated workflow answers an accepted request.
type Behaviour string

// The behaviours, each an answer seen from a real n8n.
const (
	RespondJSON   Behaviour = "respond"        // 200 {"text":"You said: <text>","speak":true,"profile":<profile>}
	Accepted      Behaviour = "accepted"       // 202, empty body
	NoContent     Behaviour = "no_content"     // 204
	Immediately   Behaviour = "immediately"    // 200 {"message":"Workflow was started"}
	EmptyBody     Behaviour = "empty"          // 200, empty body (workflow failed before Respond to Webhook)
	PlainText     Behaviour = "text"           // 200 text/plain "ok"
	WorkflowError Behaviour = "error"          // 500 {"message":"Error in workflow"}
	StartError    Behaviour = "start_error"    // 500 {"code":0,"message":"Workflow Webhook Error: Workflow could not be started!"}
	NotRegistered Behaviour = "not_registered" // 404 with n8n's "is not registered" body
)

// Behaviours lists every Behaviour, for flag help and validation.
func Behaviours() []Behaviour {
	return []Behaviour{RespondJSON, Accepted, NoContent, Immediately, EmptyBody, PlainText, WorkflowError, StartError, NotRegistered}
}

// DefaultPath is the webhook path when Config.Path is empty.
const DefaultPath = "/webhook/tonny"

// Limits of the real n8n.
const (
	maxPayload      = 16 << 20        // N8N_PAYLOAD_SIZE_MAX default, 16 MiB
	signatureWindow = 5 * time.Minute // the community template's replay window
)

// Config shapes a simulator.
type Config struct {
	Addr       string        // listen address, loopback only (default "127.0.0.1:0")
	Path       string        // default DefaultPath; any other path or a non-POST method → 404
	AuthHeader string        // "" = no auth; else missing/wrong value → 403
	AuthValue  string        // the expected value
	SignSecret string        // "" = ignore; else verify X-Tonny-Signature, wrong → 401
	Behaviour  Behaviour     // default RespondJSON
	Delay      time.Duration // slow workflow: hold each request this long (abandoned if the client goes away)
}

// Received is one request that passed routing, JSON and auth checks.
// Body and Header are shared with the simulator: do not modify them.
type Received struct {
	ID, IdempotencyKey, Text string // ID and Text from the JSON body
	Body                     []byte
	Header                   http.Header
	At                       time.Time
}

// Sim is a running simulator. It is safe for concurrent use.
type Sim struct {
	cfg  Config
	addr string // host:port, kept across SetDown so clients find it again

	switching sync.Mutex // serialises SetDown and Close
	handlers  sync.WaitGroup

	mu        sync.Mutex
	behaviour Behaviour
	delay     time.Duration
	srv       *http.Server  // nil while down
	served    chan struct{} // closed when srv.Serve has returned
	closed    bool
	received  []Received
	counts    map[string]int
}

// Start listens (on loopback only: the simulator has no TLS) and serves.
func Start(c Config) (*Sim, error) {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.Behaviour == "" {
		c.Behaviour = RespondJSON
	}
	if !strings.HasPrefix(c.Path, "/") {
		return nil, fmt.Errorf("n8nsim: path %q does not start with /", c.Path)
	}
	if !slices.Contains(Behaviours(), c.Behaviour) {
		return nil, fmt.Errorf("n8nsim: unknown behaviour %q", c.Behaviour)
	}
	ln, err := simcmd.ListenLoopback("n8nsim", c.Addr)
	if err != nil {
		return nil, err
	}
	s := &Sim{cfg: c, addr: ln.Addr().String(), behaviour: c.Behaviour, delay: c.Delay, counts: make(map[string]int)}
	s.serve(ln)
	return s, nil
}

// serve starts an http.Server on ln; the caller holds switching or owns s alone.
func (s *Sim) serve(ln net.Listener) {
	srv := &http.Server{
		Handler:           http.HandlerFunc(s.handle),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // aborted clients are the point of a fault test
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.srv, s.served = srv, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // returns ErrServerClosed once SetDown or Close closed it
	}()
}

// URL is the webhook URL, e.g. http://127.0.0.1:PORT/webhook/tonny.
func (s *Sim) URL() string { return "http://" + s.addr + s.cfg.Path }

// Addr is the host:port the simulator listens on.
func (s *Sim) Addr() string { return s.addr }

// SetBehaviour changes how later requests are answered.
func (s *Sim) SetBehaviour(b Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviour = b
}

// SetDelay changes how long later requests are held.
func (s *Sim) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetDown is the outage switch: down closes the listener and every
// connection (clients get connection refused or reset); up listens again on
// the same port.
func (s *Sim) SetDown(down bool) error {
	s.switching.Lock()
	defer s.switching.Unlock()
	s.mu.Lock()
	closed, srv, done := s.closed, s.srv, s.served
	s.mu.Unlock()
	switch {
	case closed:
		return errors.New("n8nsim: closed")
	case down && srv != nil:
		s.mu.Lock()
		s.srv = nil
		s.mu.Unlock()
		err := srv.Close()
		<-done
		if err != nil {
			return fmt.Errorf("n8nsim: go down: %w", err)
		}
	case !down && srv == nil:
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return fmt.Errorf("n8nsim: listen again on %s: %w", s.addr, err)
		}
		s.serve(ln)
	}
	return nil
}

// Received returns every recorded request in arrival order, including
// those answered with an error by the Behaviour.
func (s *Sim) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received)
}

// Count is how many times a request with this body id arrived.
func (s *Sim) Count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[id]
}

// Close stops serving and waits for the handlers to return.
func (s *Sim) Close() error {
	s.switching.Lock()
	defer s.switching.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv, done := s.srv, s.served
	s.srv = nil
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Close() // also cancels the contexts of held requests
		<-done
	}
	s.handlers.Wait()
	if err != nil {
		return fmt.Errorf("n8nsim: close: %w", err)
	}
	return nil
}

// handle is the webhook endpoint, checks in n8n's order.
func (s *Sim) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.handlers.Add(1) // under mu while open, so Close's Wait sees every Add
	behaviour, delay := s.behaviour, s.delay
	s.mu.Unlock()
	defer s.handlers.Done()

	if r.Method != http.MethodPost || r.URL.Path != s.cfg.Path {
		notRegistered(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"code": 413, "message": "request entity too large"})
		}
		return // otherwise the client went away
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" && len(body) > 0 && !json.Valid(body) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"code": 422, "message": "Failed to parse request body"})
		return
	}
	if !s.authorized(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Authorization data is wrong!"})
		return
	}
	if !s.signed(r, body, time.Now()) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "invalid signature"})
		return
	}

	var fields struct {
		ID      string          `json:"id"`
		Text    string          `json:"text"`
		Profile json.RawMessage `json:"profile"`
	}
	_ = json.Unmarshal(body, &fields) // not every body follows the contract: record what it has
	s.record(Received{ID: fields.ID, IdempotencyKey: r.Header.Get("Idempotency-Key"), Text: fields.Text,
		Body: body, Header: r.Header.Clone(), At: time.Now()})

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done(): // n8n would go on running; nobody is left to answer
			t.Stop()
			return
		}
	}

	switch behaviour {
	case RespondJSON:
		writeJSON(w, http.StatusOK, struct {
			Text    string          `json:"text"`
			Speak   bool            `json:"speak"`
			Profile json.RawMessage `json:"profile"`
		}{"You said: " + fields.Text, true, fields.Profile})
	case Accepted:
		w.WriteHeader(http.StatusAccepted)
	case NoContent:
		w.WriteHeader(http.StatusNoContent)
	case Immediately:
		writeJSON(w, http.StatusOK, map[string]string{"message": "Workflow was started"})
	case EmptyBody:
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	case PlainText:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	case WorkflowError:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "Error in workflow"})
	case StartError:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"code": 0, "message": "Workflow Webhook Error: Workflow could not be started!"})
	default: // NotRegistered
		notRegistered(w, r)
	}
}

func (s *Sim) record(rec Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, rec)
	if rec.ID != "" {
		s.counts[rec.ID]++
	}
}

// authorized is n8n's Header auth.
func (s *Sim) authorized(r *http.Request) bool {
	if s.cfg.AuthHeader == "" {
		return true
	}
	got := r.Header.Values(s.cfg.AuthHeader)
	return len(got) == 1 && subtle.ConstantTimeCompare([]byte(got[0]), []byte(s.cfg.AuthValue)) == 1
}

// signed checks X-Tonny-Signature like the community Code-node template:
// HMAC-SHA256 over timestamp + "." + raw body, timestamp within 5 minutes.
func (s *Sim) signed(r *http.Request, body []byte, now time.Time) bool {
	if s.cfg.SignSecret == "" {
		return true
	}
	ts := r.Header.Get("X-Tonny-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if skew := now.Sub(time.Unix(sec, 0)); skew > signatureWindow || skew < -signatureWindow {
		return false
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.SignSecret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(r.Header.Get("X-Tonny-Signature")), []byte(want))
}

// notRegistered is n8n's 404 for an unknown path or method; the message
// names the path without the /webhook/ prefix, as n8n does.
func notRegistered(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	for _, prefix := range []string{"webhook/", "webhook-test/"} {
		path = strings.TrimPrefix(path, prefix)
	}
	writeJSON(w, http.StatusNotFound, struct { // a struct keeps n8n's key order
		Code    int    `json:"code"`
		Message string `json:"message"`
		Hint    string `json:"hint"`
	}{
		404,
		fmt.Sprintf("The requested webhook %q is not registered.", r.Method+" "+path),
		"Click the 'Execute workflow' button on the canvas, then try again. (In test mode, the webhook only works for one call after you click this button)",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
