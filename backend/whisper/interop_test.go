//go:build wlkinterop

// Interop test against the REAL WhisperLiveKit server (PyPI whisperlivekit 0.2.26, installed by
// scripts/wlk-venv.sh). It checks the facts our protocol spec, our client and our simulator rely on:
// readiness via GET /health and GET /, and the /asr session: config message, the first no_audio_detected update,
// PCM frames, the empty binary frame, ready_to_stop; then a clean SIGTERM shutdown of the whole process group.
//
// Run: TONNYTRAY_WLK_SERVER=$(scripts/wlk-venv.sh | tail -n1) go test -tags wlkinterop -run Interop -v ./backend/whisper
//
// The server is started and stopped by TonnyTray's own supervisor (whisper.Server), as in the app.

package whisper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/supervisor"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

const (
	interopEnvServer    = "TONNYTRAY_WLK_SERVER"
	interopReadyWithin  = 120 * time.Second // the first start imports torch from a cold disk
	interopStopWithin   = 10 * time.Second
	interopMsgWithin    = 15 * time.Second
	interopSampleRate   = 16000
	interopFrameMs      = 100
	interopSilenceMs    = 1000
	interopBytesPerSamp = 2 // s16le mono
)

// interopServer is the real whisperlivekit-server run by TonnyTray's own supervisor (whisper.Server).
type interopServer struct {
	srv     *whisper.Server
	pgid    int // the child leads its own process group
	port    int
	base    string // http://127.0.0.1:port
	out     *interopLog
	started time.Time
}

// interopLog collects the server's output lines as the supervisor logs them.
type interopLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *interopLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *interopLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func interopServerPath(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(interopEnvServer)
	if bin == "" {
		t.Fatalf("%s is not set. Install the real server with `scripts/wlk-venv.sh` and set %s to the path it "+
			"prints on its last line, e.g. %s=$(scripts/wlk-venv.sh | tail -n1) go test -tags wlkinterop ./backend/whisper",
			interopEnvServer, interopEnvServer, interopEnvServer)
	}
	if fi, err := os.Stat(bin); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		t.Fatalf("%s=%s is not an executable file (%v): rerun scripts/wlk-venv.sh", interopEnvServer, bin, err)
	}
	return bin
}

// interopStart has the supervisor start the real server, as TonnyTray does, and waits until it reports the
// server ready (its readiness probe is GET /health); it then reads /health itself for the test's checks.
func interopStart(t *testing.T, bin string) (*interopServer, []byte) {
	t.Helper()
	s := interopStartWithToken(t, bin, "")
	resp, err := http.Get(s.base + "/health")
	if err != nil {
		t.Fatalf("GET /health: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return s, body
}

// interopStartWithToken is interopStart with an API token, which the supervisor hands to the server in its
// environment, as TonnyTray does.
func interopStartWithToken(t *testing.T, bin, token string) *interopServer {
	t.Helper()
	w := settings.Defaults().Whisper
	w.Command, w.Managed, w.Host, w.Port = bin, true, "127.0.0.1", freePort(t)
	w.StartupTimeoutS = int(interopReadyWithin / time.Second)
	w.ExtraArgs = []string{"--no-transcription"} // no model weights can be downloaded here (spec §7.4)
	out := &interopLog{}
	s := &interopServer{port: w.Port, base: whisper.BaseURL(w), out: out, started: time.Now()}
	s.srv = whisper.NewServer(whisper.ServerOptions{
		Settings: func() settings.WhisperSettings { return w },
		Token:    func() (string, error) { return token, nil },
		Log:      slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.srv.Serve(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("supervisor and server output:\n%s", out.String())
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, interopReadyWithin+10*time.Second)
	defer wcancel()
	st, err := s.srv.Wait(wctx, func(st whisper.ServerState) bool {
		return st.State == supervisor.Running || st.State == supervisor.Failed || st.State == supervisor.Backoff
	})
	if err != nil || st.State != supervisor.Running {
		t.Fatalf("the supervisor did not get the real server ready: %v; state %+v", err, st)
	}
	if st.Version == "" || st.External {
		t.Errorf("state = %+v, want our own child with its version read from the install", st)
	}
	s.pgid = st.PID
	return s
}

// interopStop has the supervisor stop the server (SIGTERM to its group, SIGKILL after 5 s) and returns the
// PIDs of the group still present (in /proc) after `within`; none is the expected outcome.
func interopStop(s *interopServer, within time.Duration) (remaining []int, took time.Duration) {
	start := time.Now()
	s.srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	_, _ = s.srv.Wait(ctx, func(st whisper.ServerState) bool { return st.State == supervisor.Stopped })
	for {
		remaining = interopGroupMembers(s.pgid)
		if len(remaining) == 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return remaining, time.Since(start)
}

// interopGroupMembers lists the processes in /proc whose process group is pgid (zombies included: a zombie
// still exists until its parent reaps it).
func interopGroupMembers(pgid int) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// Fields after "(comm)": state ppid pgrp ...
		f := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+1:])
		if len(f) >= 3 && f[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids
}

// interopMsg is one message the server sent on /asr.
type interopMsg struct {
	at   time.Duration // since the socket opened
	kind int
	raw  []byte
	obj  map[string]any
}

func TestInteropRealWhisperLiveKitServer(t *testing.T) {
	bin := interopServerPath(t)
	t.Logf("server: %s", bin)

	srv, health := interopStart(t, bin)
	t.Logf("ready after %s: GET /health -> 200 %s", time.Since(srv.started).Round(time.Millisecond), bytes.TrimSpace(health))
	var h map[string]any
	if err := json.Unmarshal(health, &h); err != nil {
		t.Fatalf("GET /health body is not JSON: %v: %q", err, health)
	}
	if h["status"] != "ok" || h["ready"] != true {
		t.Errorf("GET /health = %s, want status ok and ready true", health)
	}

	resp, err := http.Get(srv.base + "/")
	if err != nil {
		t.Fatalf("GET /: %v", err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	t.Logf("GET / -> %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(page))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(bytes.ToLower(page), []byte("<html")) {
		t.Errorf("GET / = %d %q (%d bytes), want 200 text/html with a page", resp.StatusCode, resp.Header.Get("Content-Type"), len(page))
	}

	msgs := interopSession(t, srv)
	for i, m := range msgs {
		t.Logf("recv[%d] +%s: %s", i, m.at.Round(time.Millisecond), m.raw)
	}

	remaining, took := interopStop(srv, interopStopWithin)
	t.Logf("stopped by the supervisor: group %d gone after %s", srv.pgid, took.Round(time.Millisecond))
	if len(remaining) > 0 {
		t.Errorf("processes of group %d still present %s after the stop: %v", srv.pgid, interopStopWithin, remaining)
	}
	if st := srv.srv.State(); st.State != supervisor.Stopped || st.Restarts != 0 {
		t.Errorf("after the stop: %+v, want stopped with no restart (uvicorn re-raises SIGTERM: not a crash)", st)
	}
	t.Logf("server output:\n%s", srv.out.String())
}

// interopSession runs one /asr session and returns every message the server sent, in order.
func interopSession(t *testing.T, srv *interopServer) []interopMsg {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.Dial("ws://127.0.0.1:"+strconv.Itoa(srv.port)+"/asr", nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("websocket /asr: %v (HTTP %d)", err, status)
	}
	defer conn.Close()
	opened := time.Now()

	// One reader goroutine (gorilla allows one reader and one writer at a time); the test writes.
	incoming := make(chan interopMsg, 256)
	readErr := make(chan error, 1)
	go func() {
		for {
			kind, raw, err := conn.ReadMessage()
			if err != nil {
				readErr <- err
				close(incoming)
				return
			}
			m := interopMsg{at: time.Since(opened), kind: kind, raw: raw}
			if kind == websocket.TextMessage {
				_ = json.Unmarshal(raw, &m.obj)
			}
			incoming <- m
		}
	}()
	var got []interopMsg
	next := func(what string) interopMsg {
		t.Helper()
		select {
		case m, ok := <-incoming:
			if !ok {
				t.Fatalf("socket ended while waiting for %s: %v (got %d messages: %s)", what, <-readErr, len(got), interopDump(got))
			}
			got = append(got, m)
			return m
		case <-time.After(interopMsgWithin):
			t.Fatalf("no %s within %s (got %d messages: %s)", what, interopMsgWithin, len(got), interopDump(got))
		}
		return interopMsg{}
	}

	// 1. The config message comes first; --pcm-input is reported as useAudioWorklet true.
	cfg := next("config message")
	if cfg.kind != websocket.TextMessage || cfg.obj == nil || cfg.obj["type"] != "config" {
		t.Fatalf("first message = %s, want {\"type\":\"config\",...}", cfg.raw)
	}
	if cfg.obj["useAudioWorklet"] != true {
		t.Errorf("config.useAudioWorklet = %v, want true (server runs with --pcm-input)", cfg.obj["useAudioWorklet"])
	}
	if cfg.obj["mode"] != "full" {
		t.Errorf("config.mode = %v, want \"full\" (the default mode)", cfg.obj["mode"])
	}

	// 2. Then a full-mode state update (no "type") with status no_audio_detected and every field.
	first := next("first state update")
	if first.obj == nil {
		t.Fatalf("second message is not a JSON object: %q", first.raw)
	}
	if _, typed := first.obj["type"]; typed {
		t.Errorf("state update has a type field: %s", first.raw)
	}
	if first.obj["status"] != "no_audio_detected" {
		t.Errorf("first state update status = %v, want no_audio_detected: %s", first.obj["status"], first.raw)
	}
	interopCheckStateFields(t, first)

	// 3. About 1 s of silence (s16le, 16 kHz, mono) in 100 ms frames, paced in real time like a microphone.
	frame := make([]byte, interopSampleRate*interopFrameMs/1000*interopBytesPerSamp)
	for sent := 0; sent < interopSilenceMs; sent += interopFrameMs {
		if err := conn.WriteMessage(websocket.BinaryMessage, frame); err != nil {
			t.Fatalf("send PCM frame at %d ms: %v", sent, err)
		}
		time.Sleep(interopFrameMs * time.Millisecond)
	}
	// 4. The empty binary frame ends the stream; the server flushes and answers ready_to_stop.
	endSent := time.Since(opened)
	if err := conn.WriteMessage(websocket.BinaryMessage, []byte{}); err != nil {
		t.Fatalf("send the empty end-of-stream frame: %v", err)
	}
	for {
		m := next("ready_to_stop")
		if m.obj == nil {
			t.Errorf("non-JSON message from the server: %q", m.raw)
			continue
		}
		if m.obj["type"] == "ready_to_stop" {
			t.Logf("ready_to_stop %s after the empty frame", (m.at - endSent).Round(time.Millisecond))
			if len(m.obj) != 1 {
				t.Errorf("ready_to_stop carries extra fields: %s", m.raw)
			}
			break
		}
		if m.obj["status"] == "error" || m.obj["type"] == "error" {
			t.Errorf("server sent an error: %s", m.raw)
		}
		if _, typed := m.obj["type"]; !typed {
			interopCheckStateFields(t, m)
		}
	}
	// The client closes the socket; the server does not.
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(2*time.Second))
	select {
	case <-readErr: // the server's close reply (or EOF)
	case <-time.After(5 * time.Second):
		t.Errorf("the server did not answer our close within 5 s")
		conn.Close() // ends the reader
	}
	for m := range incoming { // anything that came after ready_to_stop
		got = append(got, m)
		t.Errorf("message after ready_to_stop: %s", m.raw)
	}
	return got
}

// interopCheckStateFields checks the full-mode state update fields our client and simulator rely on.
func interopCheckStateFields(t *testing.T, m interopMsg) {
	t.Helper()
	for _, k := range []string{"status", "lines", "buffer_transcription", "buffer_diarization", "buffer_translation",
		"remaining_time_transcription", "remaining_time_transcription_processing",
		"remaining_time_transcription_policy", "remaining_time_diarization"} {
		if _, ok := m.obj[k]; !ok {
			t.Errorf("state update lacks %q: %s", k, m.raw)
		}
	}
	if lines, ok := m.obj["lines"].([]any); !ok {
		t.Errorf("state update lines is not an array: %s", m.raw)
	} else {
		for _, l := range lines {
			line, _ := l.(map[string]any)
			if _, ok := line["speaker"].(float64); !ok {
				t.Errorf("line without a numeric speaker: %s", m.raw)
			}
		}
	}
}

func interopDump(msgs []interopMsg) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n  +%s %s", m.at.Round(time.Millisecond), m.raw)
	}
	return b.String()
}
