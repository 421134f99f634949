package wlksim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// serveReal runs the server on a loopback listener through Serve and returns
// its base URL and a channel with Serve's result.
func serveReal(t *testing.T, ctx context.Context, s *Server) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		done <- s.Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		s.Crash() // ends Serve if the test did not
		<-finished
	})
	return "http://" + ln.Addr().String(), done
}

func serveResult(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		t.Fatal("Serve did not return in time")
	}
	return nil
}

// refused reports whether nothing answers at base any more.
func refused(base string) bool {
	client := http.Client{Timeout: wait}
	resp, err := client.Get(base + "/")
	if err != nil {
		return true
	}
	_ = resp.Body.Close()
	return false
}

// abrupt reports a connection that ended without a close frame: gorilla's
// 1006 on EOF, or a reset.
func abrupt(err error) bool {
	var ce *websocket.CloseError
	return !errors.As(err, &ce) || ce.Code == websocket.CloseAbnormalClosure
}

func TestErrorOnConnect(t *testing.T) {
	_, base := startServer(t, Config{PCMInput: true, ErrorOnConnect: "model not loaded"})
	c := dial(t, wsURL(base, ""), nil)
	c.expectRaw(`{"type":"error","error":"model not loaded"}`)
	err := c.ended()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4400 || ce.Text != "invalid session parameters" {
		t.Fatalf("got %v, want close 4400", err)
	}
}

func TestUnsupportedLanguage(t *testing.T) {
	tests := []struct {
		version, lang string
		rejected      bool
	}{
		{"0.2.26", "xx", true},
		{"0.2.26", "fr", false},
		{"0.2.26", "auto", false},
		{"0.2.24", "xx", false}, // no session errors before 0.2.25
	}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.lang, func(t *testing.T) {
			_, base := startServer(t, Config{Version: tt.version, PCMInput: true, SupportedLanguages: []string{"en", "fr"}})
			c := dial(t, wsURL(base, "language="+tt.lang), nil)
			m := c.nextJSON()
			if tt.rejected {
				if m["type"] != "error" || !strings.Contains(m["error"].(string), "xx") {
					t.Fatalf("got %v", m)
				}
				if err := c.ended(); closeCode(err) != 4400 {
					t.Fatalf("got %v, want close 4400", err)
				}
				return
			}
			if m["type"] != "config" {
				t.Fatalf("got %v, want config", m)
			}
		})
	}
}

func TestHangAfterConnect(t *testing.T) {
	s, base := startServer(t, Config{PCMInput: true, HangAfterConnect: true})
	c := dial(t, wsURL(base, ""), nil)
	c.send(Speech(100 * time.Millisecond))
	c.none()
	s.Close() // the hung session is cut, not closed politely
	if err := c.ended(); !abrupt(err) {
		t.Fatalf("got %v, want an abnormal closure", err)
	}
}

func TestDropAfterBytes(t *testing.T) {
	_, base := startServer(t, Config{PCMInput: true, Script: testScript(), DropAfterBytes: BytesPerSecond})
	c := dial(t, wsURL(base, ""), nil)
	c.next()
	c.next()
	pcm := Speech(2 * time.Second)
	for i := 0; i < 10; i++ { // 10 x 0.2 s: the drop comes after 1 s
		if c.conn.WriteMessage(websocket.BinaryMessage, pcm[i*6400:(i+1)*6400]) != nil {
			break
		}
	}
	if err := c.ended(); !abrupt(err) {
		t.Fatalf("got %v, want an abnormal closure (no close frame)", err)
	}
}

func TestCrashAfterSessions(t *testing.T) {
	s := New(Config{PCMInput: true, CrashAfterSessions: 1})
	base, done := serveReal(t, context.Background(), s)
	c := dial(t, wsURL(base, ""), nil)
	c.next()
	_ = c.conn.WriteMessage(websocket.TextMessage, []byte("bye"))
	c.ended()
	if err := serveResult(t, done); !errors.Is(err, ErrCrashed) {
		t.Fatalf("Serve = %v, want ErrCrashed", err)
	}
	if !refused(base) {
		t.Fatal("server still answers after the crash")
	}
}

func TestCrashAfterDuration(t *testing.T) {
	s := New(Config{PCMInput: true, CrashAfter: 200 * time.Millisecond})
	base, done := serveReal(t, context.Background(), s)
	if err := serveResult(t, done); !errors.Is(err, ErrCrashed) {
		t.Fatalf("Serve = %v, want ErrCrashed", err)
	}
	select {
	case <-s.Crashed():
	default:
		t.Fatal("Crashed not closed")
	}
	if !refused(base) {
		t.Fatal("server still answers after the crash")
	}
}

func TestCrashCutsSessions(t *testing.T) {
	s := New(Config{PCMInput: true, Script: testScript()})
	base, done := serveReal(t, context.Background(), s)
	c := dial(t, wsURL(base, ""), nil)
	c.next()
	c.next()
	s.Crash()
	if err := c.ended(); !abrupt(err) {
		t.Fatalf("got %v, want an abnormal closure", err)
	}
	if err := serveResult(t, done); !errors.Is(err, ErrCrashed) {
		t.Fatalf("Serve = %v, want ErrCrashed", err)
	}
}

func TestGracefulShutdownClosesWith1012(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := New(Config{PCMInput: true})
	base, done := serveReal(t, ctx, s)
	c := dial(t, wsURL(base, ""), nil)
	c.next()
	cancel()
	if err := c.ended(); closeCode(err) != websocket.CloseServiceRestart {
		t.Fatalf("got %v, want close 1012", err)
	}
	if err := serveResult(t, done); err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
}

func TestListenAndServeStartupDelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(chan string, 16)
	s := New(Config{StartupDelay: 50 * time.Millisecond, Logf: func(f string, a ...any) {
		select {
		case lines <- f:
		default:
		}
	}})
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe(ctx, "127.0.0.1:0") }()
	select {
	case l := <-lines:
		if !strings.HasPrefix(l, "INFO:     Uvicorn running on http://") {
			t.Fatalf("first log line %q", l)
		}
	case <-time.After(wait):
		t.Fatal("server did not start")
	}
	cancel()
	if err := serveResult(t, done); err != nil {
		t.Fatalf("ListenAndServe = %v", err)
	}
}

func TestFFmpegMissing(t *testing.T) {
	_, base := startServer(t, Config{FFmpegMissing: true})
	c := dial(t, wsURL(base, ""), nil)
	c.expectRaw(`{"type":"config","useAudioWorklet":false,"mode":"full"}`)
	c.expectRaw(`{"status":"error","error":"FFmpeg failed to start. Please check that FFmpeg is installed.","lines":[],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0.0}`)
	c.expectRaw(`{"type":"ready_to_stop"}`)
	c.send(Speech(time.Second)) // ignored, socket stays open
	c.none()
}

func TestNonPCMServerDecodesWAV(t *testing.T) {
	cfg := Config{Script: testScript(), Tick: 10 * time.Millisecond}
	_, base := startServer(t, cfg)
	c := dial(t, wsURL(base, ""), nil)
	c.expectRaw(`{"type":"config","useAudioWorklet":false,"mode":"full"}`)
	c.next()
	stream := append(WAVHeader(), Speech(time.Second)...)
	for i := 0; i < len(stream); i += 1000 { // the header arrives split
		c.send(stream[i:min(i+1000, len(stream))])
	}
	c.send(nil)
	var final map[string]any
	for i := 0; i < 1000; i++ {
		m := c.nextJSON()
		if m["type"] == "ready_to_stop" {
			break
		}
		final = m
	}
	lines := final["lines"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["text"] != " "+ExpectedText(cfg, time.Second) {
		t.Fatalf("final %v", final)
	}
}

func TestNonPCMServerRejectsRawPCM(t *testing.T) {
	_, base := startServer(t, Config{Script: testScript()})
	c := dial(t, wsURL(base, ""), nil)
	c.next()
	c.next()
	c.send(Speech(time.Second))
	m := c.nextJSON()
	if m["status"] != "error" || m["error"] != "FFmpeg error: write_error" {
		t.Fatalf("got %v", m)
	}
	c.send(nil)
	if m := c.nextJSON(); m["status"] != "no_audio_detected" {
		t.Fatalf("got %v", m)
	}
	c.expectRaw(`{"type":"ready_to_stop"}`)
}
