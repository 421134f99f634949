// Package wlksim is a protocol-faithful simulator of a WhisperLiveKit server
// (see shared/specs/whisperlivekit-protocol.md, §4 and §8), for tests and
// benchmarks of the /asr client and of the process supervisor.
//
// It serves GET / (HTML), GET /health and GET /v1/models (v0.2.20+) and the
// /asr WebSocket: an optional token check (HTTP 403 before the upgrade), the
// config message, an immediate no_audio_detected update, full-mode updates
// only when the state changed (or ?mode=diff snapshot/diff messages), and on
// an empty binary frame a flush, the final update (only if the flush changed
// the state, as in the real results_formatter) and ready_to_stop with the
// socket left open; later audio is ignored. A text frame ends the session
// (close 1000).
//
// Config.Version switches to the wire formats of older releases (spec §6):
// before 0.2.26 a pause in progress shows as a trailing silence line; before
// 0.2.23 no remaining_time_transcription_processing/_policy; before 0.2.20
// no /health, /v1/models, ?language=, ?mode= or config.mode, and times are
// H:MM:SS; before 0.2.14 no buffer_translation; before 0.2.11 no
// detected_language; before 0.2.10 no config message; 0.2.9–0.2.10 put
// "translation":"" on lines; up to 0.2.8 lines use beg/end/diff and an
// active state without lines carries a placeholder line; before 0.2.6
// speaker -1; before 0.1.7 no status; before 0.1.6 no ready_to_stop.
//
// # Transcript timing
//
// The simulated ASR "hears" Config.Script word by word. Incoming PCM is cut
// into 40 ms VAD frames; a frame is voiced when its RMS reaches SpeechRMS.
// Word k (0-based, across all utterances) is heard once (k+1)*WordDuration
// of voiced audio has arrived in whole frames (a partial frame waits for
// more audio or the end of stream); its end is the stream position where
// that voiced audio ended, its start where the previous word ended or, after
// a pause, where speech resumed. A heard word shows in
// buffer_transcription Latency (wall clock) after the frame that completed
// it arrived, and moves into lines CommitDelay later. A silent run of at
// least MinSilence is a pause: it commits the visible buffer at once (like
// start_silence) and, once over (speech resumes, or end of stream), becomes
// a speaker -2 line and a line boundary if longer than PauseSegmentation.
// Before v0.2.26 an ongoing pause is also shown as a growing trailing
// silence line. The empty end-of-stream frame commits every heard word, so
// the final text depends on the voiced audio only: see ExpectedText.
// Partially heard words are dropped. Keep speech and silence aligned to
// 40 ms (640 samples) when predicting, since VAD decisions are per frame.
//
// # ffmpeg mode
//
// Without Config.PCMInput the real server pipes audio through ffmpeg. The
// simulator accepts a WAV stream (see WAVHeader) as PCM, accepts WebM/Ogg
// without decoding them (no words), and answers anything else (headerless
// PCM) once with {"status":"error","error":"FFmpeg error: write_error",…}.
package wlksim

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Error is the type of the package's sentinel errors.
type Error string

func (e Error) Error() string { return string(e) }

// ErrCrashed is returned by Serve after a simulated crash (CrashAfter,
// CrashAfterSessions or Crash).
const ErrCrashed Error = "wlksim: simulated crash"

// closeWait bounds each wait for a peer during a close handshake.
const closeWait = time.Second

// writeWait bounds every write to a client, so a stalled peer cannot hang a session.
const writeWait = 5 * time.Second

const indexHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>WhisperLiveKit</title></head>
<body>
<h1>WhisperLiveKit</h1>
<p>Simulated server (wlksim). Stream s16le 16 kHz mono PCM to <code>/asr</code>.</p>
<button id="recordButton">Record</button>
<div id="linesTranscript"></div>
</body>
</html>
`

// Server is one simulated WhisperLiveKit server. It is safe for concurrent use.
type Server struct {
	cfg      Config
	feat     features
	err      error
	upgrader websocket.Upgrader

	armOnce   sync.Once
	crashOnce sync.Once
	crashed   chan struct{}
	closeOnce sync.Once
	closing   chan struct{}

	mu         sync.Mutex
	conns      map[*websocket.Conn]struct{}
	timer      *time.Timer
	started    int
	ended      int
	audioBytes int64
	wg         sync.WaitGroup
}

// New builds a server; an invalid Config (see Config.Validate) makes its
// handler answer 500 and Serve return the validation error.
func New(cfg Config) *Server {
	s := &Server{
		cfg:     cfg,
		crashed: make(chan struct{}),
		closing: make(chan struct{}),
		conns:   make(map[*websocket.Conn]struct{}),
		// The real server checks no Origin on WebSockets.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	s.err = cfg.Validate()
	if s.err == nil {
		v, _ := parseVersion(cfg.versionString()) // validated above
		s.feat = featuresOf(v)
	}
	return s
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Handler returns the HTTP handler (for httptest or a custom http.Server).
// The first call starts the CrashAfter clock.
func (s *Server) Handler() http.Handler {
	s.armOnce.Do(func() {
		if s.cfg.CrashAfter > 0 && s.err == nil {
			s.mu.Lock()
			s.timer = time.AfterFunc(s.cfg.CrashAfter, s.Crash)
			s.mu.Unlock()
		}
	})
	return http.HandlerFunc(s.serveHTTP)
}

// ListenAndServe sleeps Config.StartupDelay (the model loading), then listens
// on addr and serves until ctx ends (nil) or a simulated crash (ErrCrashed).
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	if s.err != nil {
		return s.err
	}
	if d := s.cfg.StartupDelay; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	s.logf("INFO:     Uvicorn running on http://%s (Press CTRL+C to quit)", ln.Addr())
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then closes every session with 1012 and
// returns nil; after a simulated crash it cuts every connection, closes ln
// and returns ErrCrashed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.err != nil {
		_ = ln.Close()
		return s.err
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
		s.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := hs.Shutdown(sctx)
		<-errc
		if err != nil {
			return fmt.Errorf("shut down: %w", err)
		}
		return nil
	case <-s.crashed:
		_ = hs.Close()
		<-errc
		return ErrCrashed
	case err := <-errc:
		s.Close()
		return fmt.Errorf("serve: %w", err)
	}
}

// Crash simulates the process dying: every session's TCP connection is cut
// without a close frame, later requests are dropped, and Serve returns ErrCrashed.
func (s *Server) Crash() {
	s.crashOnce.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		close(s.crashed)
		if s.timer != nil {
			s.timer.Stop()
		}
		for c := range s.conns {
			_ = c.NetConn().Close()
		}
	})
}

// Crashed is closed once the server has crashed.
func (s *Server) Crashed() <-chan struct{} { return s.crashed }

// Close shuts the server down like uvicorn on SIGTERM: open sessions get a
// 1012 close frame, new requests get 503. It waits (bounded) for the sessions
// to end. Serve calls it when its context ends; call it yourself when using
// Handler with httptest.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.closing)
		if s.timer != nil {
			s.timer.Stop()
		}
		s.mu.Unlock()
	})
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	t := time.NewTimer(3 * closeWait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// Sessions is the number of /asr WebSockets accepted so far.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// AudioBytes is the number of audio bytes received over all sessions.
func (s *Server) AudioBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.audioBytes
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.crashed:
		dropConnection(w)
		return
	default:
	}
	switch {
	case s.err != nil:
		s.respond(w, r, http.StatusInternalServerError, "text/plain; charset=utf-8", s.err.Error())
		return
	case s.isClosing(), s.cfg.NeverReady:
		s.respond(w, r, http.StatusServiceUnavailable, "text/plain; charset=utf-8", "Service Unavailable")
		return
	}
	if r.URL.Path == "/asr" {
		s.serveASR(w, r)
		return
	}
	known := r.URL.Path == "/" || (s.feat.v020 && (r.URL.Path == "/health" || r.URL.Path == "/v1/models"))
	switch {
	case !known:
		s.respond(w, r, http.StatusNotFound, "application/json", `{"detail":"Not Found"}`)
	case r.Method != http.MethodGet:
		s.respond(w, r, http.StatusMethodNotAllowed, "application/json", `{"detail":"Method Not Allowed"}`)
	case r.URL.Path == "/":
		s.respond(w, r, http.StatusOK, "text/html; charset=utf-8", indexHTML)
	case r.URL.Path == "/health":
		s.respond(w, r, http.StatusOK, "application/json", string(marshal(obj{
			{"status", "ok"}, {"backend", orDefault(s.cfg.Backend, "auto")}, {"ready", true}})))
	default: // /v1/models
		backend, model := orDefault(s.cfg.Backend, "auto"), orDefault(s.cfg.Model, "base")
		id := backend + "/" + model
		if backend == "whisper" {
			id = "whisper-" + model
		}
		s.respond(w, r, http.StatusOK, "application/json", string(marshal(obj{{"object", "list"},
			{"data", []obj{{{"id", id}, {"object", "model"}, {"owned_by", "whisperlivekit"}}}}})))
	}
}

func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// respond writes a whole response and its uvicorn access-log line.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, code int, ctype, body string) {
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
	// The path only: a query string could carry the API token.
	s.logf("INFO:     %s - \"%s %s HTTP/%d.%d\" %d %s", r.RemoteAddr, r.Method, r.URL.Path,
		r.ProtoMajor, r.ProtoMinor, code, http.StatusText(code))
}

// dropConnection closes the client's TCP connection without a response, as a
// dead server would.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if c, _, err := hj.Hijack(); err == nil {
		_ = c.Close()
	}
}

// requestToken finds the client's token in the order of api_auth.py.
func requestToken(r *http.Request) (string, bool) {
	if t := r.URL.Query().Get("token"); t != "" {
		return t, true
	}
	scheme, t, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Token")) {
		return strings.TrimSpace(t), true
	}
	return "", false
}

func (s *Server) tokenOK(r *http.Request) bool {
	if s.cfg.APIToken == "" {
		return true
	}
	t, ok := requestToken(r)
	return ok && subtle.ConstantTimeCompare([]byte(t), []byte(s.cfg.APIToken)) == 1
}

func (s *Server) serveASR(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		s.respond(w, r, http.StatusNotFound, "application/json", `{"detail":"Not Found"}`)
		return
	}
	if !s.tokenOK(r) {
		// close(4401) before accept reaches the client as HTTP 403.
		w.WriteHeader(http.StatusForbidden)
		s.logf("WARNING:  WebSocket rejected: invalid or missing API token")
		s.logf("INFO:     %s - \"WebSocket %s\" 403", r.RemoteAddr, r.URL.Path)
		return
	}
	params := sessionParams{mode: "full", language: orDefault(s.cfg.Language, "auto")}
	if s.feat.v020 {
		q := r.URL.Query()
		if l := q.Get("language"); l != "" {
			params.language, params.requested = l, l
		}
		if m, ok := q["mode"]; ok {
			params.mode = m[0] // echoed back as sent; only "diff" means diff
		}
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.logf("INFO:     %s - \"WebSocket %s\" 400", r.RemoteAddr, r.URL.Path)
		return
	}
	if !s.track(conn) {
		_ = conn.NetConn().Close()
		return
	}
	s.logf("INFO:     %s - \"WebSocket %s\" [accepted]", r.RemoteAddr, r.URL.Path)
	defer s.untrack(conn)
	newSession(s, conn, params).run()
}

// track registers a session unless the server is closing or has crashed.
func (s *Server) track(c *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closing:
		return false
	case <-s.crashed:
		return false
	default:
	}
	s.conns[c] = struct{}{}
	s.started++
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c *websocket.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.ended++
	crash := s.cfg.CrashAfterSessions > 0 && s.ended >= s.cfg.CrashAfterSessions
	s.mu.Unlock()
	s.wg.Done()
	s.logf("INFO:     connection closed")
	if crash {
		s.Crash()
	}
}

func (s *Server) addAudio(n int) {
	s.mu.Lock()
	s.audioBytes += int64(n)
	s.mu.Unlock()
}

// languageSupported applies SupportedLanguages to a ?language= value.
func (s *Server) languageSupported(l string) bool {
	return l == "" || l == "auto" || len(s.cfg.SupportedLanguages) == 0 ||
		slices.Contains(s.cfg.SupportedLanguages, l)
}
