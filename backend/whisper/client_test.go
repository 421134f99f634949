package whisper

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tonnytray/tonnytray/backend/wlksim"
)

// testWait bounds every wait in these tests; nothing should come near it.
const testWait = 10 * time.Second

// startSim serves a simulated WhisperLiveKit server and returns its base URL.
func startSim(t *testing.T, cfg wlksim.Config) (*wlksim.Server, string) {
	t.Helper()
	s := wlksim.New(cfg)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, ts.URL
}

// startScripted serves /asr with a hand-written server side, for behaviour the simulator does not produce.
func startScripted(t *testing.T, serve func(c *websocket.Conn)) string {
	t.Helper()
	var wg sync.WaitGroup
	up := websocket.Upgrader{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		wg.Add(1)
		defer wg.Done()
		defer c.Close()
		serve(c)
	}))
	t.Cleanup(func() {
		ts.Close()
		wg.Wait()
	})
	return ts.URL
}

// sendPCM sends pcm in 100 ms frames (unpaced: the simulator does not need real time).
func sendPCM(t *testing.T, s *Session, pcm []byte) error {
	t.Helper()
	n, err := FrameSize(100 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for len(pcm) > 0 {
		k := min(n, len(pcm))
		if err := s.Send(pcm[:k]); err != nil {
			return err
		}
		pcm = pcm[k:]
	}
	return nil
}

// drain collects a session's updates until the channel closes.
func drain(s *Session) (wait func() []Progress) {
	var got []Progress
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range s.Updates() {
			got = append(got, p)
		}
	}()
	return func() []Progress {
		select {
		case <-done:
		case <-time.After(testWait):
			panic("updates channel not closed")
		}
		return got
	}
}

// goroutinesSettle waits (bounded) until no more goroutines run than before.
func goroutinesSettle(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d, want at most %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ctxWait(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	t.Cleanup(cancel)
	return ctx
}

func TestFrameSize(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int
		ok   bool
	}{
		{20 * time.Millisecond, 640, true},
		{40 * time.Millisecond, 1280, true},
		{100 * time.Millisecond, 3200, true},
		{19 * time.Millisecond, 0, false},
		{101 * time.Millisecond, 0, false},
		{0, 0, false},
	} {
		got, err := FrameSize(tt.d)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("FrameSize(%v) = %d, %v; want %d ok=%v", tt.d, got, err, tt.want, tt.ok)
		}
	}
}

func TestASRURL(t *testing.T) {
	for _, tt := range []struct {
		o              DialOptions
		dial, redacted string
	}{
		{DialOptions{URL: "http://127.0.0.1:8000"}, "ws://127.0.0.1:8000/asr", "ws://127.0.0.1:8000/asr"},
		{DialOptions{URL: "https://speech.example/"}, "wss://speech.example/asr", "wss://speech.example/asr"},
		{DialOptions{URL: "ws://h:1/custom/asr", Language: "de"}, "ws://h:1/custom/asr?language=de", "ws://h:1/custom/asr?language=de"},
		{DialOptions{URL: "wss://h", Token: "s e&cret", TokenInQuery: true}, "wss://h/asr?token=s+e%26cret", "wss://h/asr?token=REDACTED"},
		{DialOptions{URL: "ws://h", Token: "hdr"}, "ws://h/asr", "ws://h/asr"},
	} {
		dial, red, err := ASRURL(tt.o)
		if err != nil || dial != tt.dial || red != tt.redacted {
			t.Errorf("ASRURL(%+v) = %q, %q, %v; want %q, %q", tt.o, dial, red, err, tt.dial, tt.redacted)
		}
	}
	for _, bad := range []string{"", "ftp://h", "http://", "://x"} {
		if _, _, err := ASRURL(DialOptions{URL: bad}); err == nil {
			t.Errorf("ASRURL(%q): no error", bad)
		}
	}
}

// TestSessionAgainstSimulatedVersions runs a whole session against every wire format of spec §6 that has
// ready_to_stop: the final text is what the simulator committed for the voiced audio sent.
func TestSessionAgainstSimulatedVersions(t *testing.T) {
	for _, tc := range []struct {
		version   string
		hasConfig bool // v0.2.10+
	}{
		{"0.1.7", false}, {"0.2.5", false}, {"0.2.8", false}, {"0.2.9", false},
		{"0.2.10", true}, {"0.2.19", true}, {"0.2.22", true}, {"0.2.25", true}, {"0.2.26", true},
	} {
		version := tc.version
		t.Run(version, func(t *testing.T) {
			cfg := wlksim.Config{
				Version:           version,
				PCMInput:          true,
				Script:            []string{"turn on the kitchen lights", "and play some music"},
				PauseSegmentation: 400 * time.Millisecond, // the 600 ms pause becomes a silence line
			}
			_, base := startSim(t, cfg)
			before := runtime.NumGoroutine()
			s, err := Dial(ctxWait(t), DialOptions{URL: base})
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			updates := drain(s)
			cfgMsg, hasCfg := s.Config()
			if wantCfg := tc.hasConfig; hasCfg != wantCfg || (hasCfg && !cfgMsg.UseAudioWorklet) {
				t.Errorf("Config() = %+v, %v; want a config message: %v", cfgMsg, hasCfg, wantCfg)
			}
			pcm := append(append(wlksim.Speech(1200*time.Millisecond), wlksim.Silence(600*time.Millisecond)...),
				wlksim.Speech(480*time.Millisecond)...)
			if err := sendPCM(t, s, pcm); err != nil {
				t.Fatalf("Send: %v", err)
			}
			text, err := s.Finish(ctxWait(t))
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			want := wlksim.ExpectedText(cfg, 1680*time.Millisecond)
			if text != want || want != "turn on the kitchen lights" {
				t.Errorf("final text = %q, want %q", text, want)
			}
			tr := s.Transcript()
			silence := false
			for _, l := range tr.Lines() {
				silence = silence || l.Silence()
			}
			if !silence || !tr.Final() {
				t.Errorf("transcript lines %+v (final %v): want a silence line and final", tr.Lines(), tr.Final())
			}
			if got := updates(); len(got) == 0 {
				t.Errorf("no updates delivered")
			}
			if st := s.Stats(); st.Malformed != 0 {
				t.Errorf("stats = %+v, want nothing malformed", st)
			}
			if err := s.Send(wlksim.Speech(40 * time.Millisecond)); !errors.Is(err, ErrFinished) {
				t.Errorf("Send after Finish = %v, want ErrFinished", err)
			}
			goroutinesSettle(t, before)
		})
	}
}

func TestSessionLiveUpdates(t *testing.T) {
	// With a commit delay the words show in the volatile buffer before they are committed.
	cfg := wlksim.Config{PCMInput: true, Script: []string{"hello house"}, CommitDelay: time.Hour, Lag: 300 * time.Millisecond}
	_, base := startSim(t, cfg)
	s, err := Dial(ctxWait(t), DialOptions{URL: base, Language: "en"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer s.Close()
	if err := sendPCM(t, s, wlksim.Speech(600*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var last Progress
	timeout := time.After(testWait)
	for last.Volatile != "hello house" {
		select {
		case p, ok := <-s.Updates():
			if !ok {
				t.Fatalf("updates ended: %v", s.failure())
			}
			last = p
		case <-timeout:
			t.Fatalf("no update with the volatile words; last %+v", last)
		}
	}
	if last.Committed != "" || last.Lag != 300*time.Millisecond {
		t.Errorf("live update = %+v, want nothing committed yet and lag 300ms", last)
	}
	if lag, growing := s.Lag(); lag != 300*time.Millisecond || growing {
		t.Errorf("Lag() = %v, %v; want 300ms, not growing", lag, growing)
	}
	text, err := s.Finish(ctxWait(t))
	if err != nil || text != "hello house" {
		t.Errorf("Finish = %q, %v; want the flushed buffer", text, err)
	}
}

func TestSessionToken(t *testing.T) {
	const token = "s3cret-token"
	cfg := wlksim.Config{PCMInput: true, APIToken: token}
	_, base := startSim(t, cfg)
	for _, o := range []DialOptions{{Token: token}, {Token: token, TokenInQuery: true}} {
		o.URL = base
		s, err := Dial(ctxWait(t), o)
		if err != nil {
			t.Fatalf("Dial with %+v: %v", o, err)
		}
		if _, err := s.Finish(ctxWait(t)); err != nil {
			t.Errorf("Finish: %v", err)
		}
	}
	for _, o := range []DialOptions{{}, {Token: "wrong"}, {Token: "wrong", TokenInQuery: true}} {
		o.URL = base
		_, err := Dial(ctxWait(t), o)
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "refused the API token") ||
			!strings.Contains(err.Error(), "403") {
			t.Errorf("Dial with token %q: %v, want ErrUnauthorized (HTTP 403)", o.Token, err)
		}
		if err != nil && strings.Contains(err.Error(), "wrong") {
			t.Errorf("the error shows the token: %v", err)
		}
	}
}

func TestDialRefusesServerWithoutPCMInput(t *testing.T) {
	_, base := startSim(t, wlksim.Config{PCMInput: false})
	before := runtime.NumGoroutine()
	_, err := Dial(ctxWait(t), DialOptions{URL: base})
	if !errors.Is(err, ErrNeedsPCMInput) || !strings.Contains(err.Error(), "start the speech server with --pcm-input") {
		t.Fatalf("Dial = %v, want ErrNeedsPCMInput", err)
	}
	goroutinesSettle(t, before)
}

func TestDialBadSession(t *testing.T) {
	tests := []struct {
		name string
		cfg  wlksim.Config
		o    DialOptions
		want string
	}{
		{"error on connect", wlksim.Config{PCMInput: true, ErrorOnConnect: "model overloaded"}, DialOptions{}, "model overloaded"},
		{"unsupported language", wlksim.Config{PCMInput: true, SupportedLanguages: []string{"en", "de"}},
			DialOptions{Language: "xx"}, "Unsupported language: xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := startSim(t, tt.cfg)
			tt.o.URL = base
			_, err := Dial(ctxWait(t), tt.o)
			if !errors.Is(err, ErrBadSession) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Dial = %v, want ErrBadSession with %q", err, tt.want)
			}
		})
	}
}

func TestDialClose4401(t *testing.T) {
	base := startScripted(t, func(c *websocket.Conn) {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(CloseUnauthorized, "invalid or missing API token"),
			time.Now().Add(time.Second))
		_, _, _ = c.ReadMessage()
	})
	_, err := Dial(ctxWait(t), DialOptions{URL: base})
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("Dial = %v, want ErrUnauthorized", err)
	}
}

func TestDialUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = Dial(ctxWait(t), DialOptions{URL: "http://" + addr})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "nothing is listening") {
		t.Errorf("Dial to a closed port = %v, want ErrUnavailable", err)
	}
	_, base := startSim(t, wlksim.Config{NeverReady: true})
	if _, err := Dial(ctxWait(t), DialOptions{URL: base}); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "503") {
		t.Errorf("Dial to a 503 server = %v, want ErrUnavailable", err)
	}
}

// TestDialHungServer: a server that accepts and then says nothing is refused within ConfigWait, and nothing leaks.
func TestDialHungServer(t *testing.T) {
	_, base := startSim(t, wlksim.Config{PCMInput: true, HangAfterConnect: true})
	before := runtime.NumGoroutine()
	start := time.Now()
	_, err := Dial(ctxWait(t), DialOptions{URL: base, ConfigWait: 200 * time.Millisecond, CloseTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "sent nothing") {
		t.Errorf("Dial = %v, want ErrUnavailable (sent nothing)", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Dial took %v, want about ConfigWait + CloseTimeout", took)
	}
	goroutinesSettle(t, before)
}

// TestFinishHungServer: the server stops answering after the start; Finish is bounded by its context and by
// CloseTimeout, and nothing leaks.
func TestFinishHungServer(t *testing.T) {
	base := startScripted(t, func(c *websocket.Conn) {
		_ = c.WriteMessage(websocket.TextMessage, []byte(messageSeeds[0]))
		_ = c.WriteMessage(websocket.TextMessage, []byte(messageSeeds[2]))
		c.SetCloseHandler(func(int, string) error { return nil }) // never answers the close
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	before := runtime.NumGoroutine()
	s, err := Dial(ctxWait(t), DialOptions{URL: base, CloseTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if err := sendPCM(t, s, wlksim.Speech(500*time.Millisecond)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.Finish(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "ready_to_stop") {
		t.Errorf("Finish = %v, want a deadline error waiting for ready_to_stop", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Finish took %v", took)
	}
	goroutinesSettle(t, before)
}

func TestSessionDroppedMidStream(t *testing.T) {
	_, base := startSim(t, wlksim.Config{PCMInput: true, Script: []string{"hello"}, DropAfterBytes: 16000})
	before := runtime.NumGoroutine()
	s, err := Dial(ctxWait(t), DialOptions{URL: base})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	sendErr := sendPCM(t, s, wlksim.Speech(2*time.Second))
	if sendErr != nil && !errors.Is(sendErr, ErrConnectionLost) {
		t.Errorf("Send = %v, want nil or ErrConnectionLost", sendErr)
	}
	_, err = s.Finish(ctxWait(t))
	if !errors.Is(err, ErrConnectionLost) && !errors.Is(err, ErrFinished) {
		t.Errorf("Finish = %v, want ErrConnectionLost", err)
	}
	if err := s.failure(); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("session failure = %v, want ErrConnectionLost", err)
	} else {
		t.Logf("reported as: %v", err)
	}
	goroutinesSettle(t, before)
}

func TestSessionServerShutdown(t *testing.T) {
	sim, base := startSim(t, wlksim.Config{PCMInput: true})
	s, err := Dial(ctxWait(t), DialOptions{URL: base})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	updates := drain(s)
	sim.Close() // like uvicorn on SIGTERM: close 1012
	updates()
	if err := s.Send(wlksim.Speech(40 * time.Millisecond)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Send after shutdown = %v, want ErrUnavailable", err)
	}
	s.Close()
}

// TestSessionLagGrowthAndErrors uses a scripted server: malformed messages are skipped, a growing lag raises
// the warning and a falling one clears it, and an ffmpeg-style error update comes back from Finish.
func TestSessionLagGrowthAndErrors(t *testing.T) {
	base := startScripted(t, func(c *websocket.Conn) {
		send := func(s string) { _ = c.WriteMessage(websocket.TextMessage, []byte(s)) }
		send(messageSeeds[0])
		send(`not json`)
		send(`{"lines":"nope"}`)
		for i := range 20 {
			send(`{"status":"active_transcription","lines":[{"speaker":1,"text":" slow","start":"0:00:00.00","end":"0:00:01.00"}],"buffer_transcription":"","remaining_time_transcription":` +
				[]string{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "2.0"}[i] + `}`)
			time.Sleep(10 * time.Millisecond) // at least 200 ms in all: over the 100 ms window
		}
		send(`{"status":"active_transcription","lines":[{"speaker":1,"text":" slow","start":"0:00:00.00","end":"0:00:01.00"}],"remaining_time_transcription":0.1}`)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			if len(b) == 0 {
				send(`{"status":"error","error":"FFmpeg error: write_error","lines":[],"remaining_time_transcription":0}`)
				send(`{"type":"ready_to_stop"}`)
			}
		}
	})
	s, err := Dial(ctxWait(t), DialOptions{URL: base, LagWindow: 100 * time.Millisecond, LagGrowth: 500 * time.Millisecond})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	warned, cleared := false, false
	timeout := time.After(testWait)
	for !cleared {
		select {
		case p := <-s.Updates():
			warned = warned || p.LagGrowing
			cleared = warned && !p.LagGrowing && p.Lag == 100*time.Millisecond
		case <-timeout:
			t.Fatalf("warned %v, cleared %v", warned, cleared)
		}
	}
	text, err := s.Finish(ctxWait(t))
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "write_error") || text != "slow" {
		t.Errorf("Finish = %q, %v; want the text and ErrServer", text, err)
	}
	if st := s.Stats(); st.Malformed != 2 {
		t.Errorf("stats = %+v, want 2 malformed", st)
	}
}

func TestLagTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	l := lagTracker{window: 3 * time.Second, growth: time.Second}
	steps := []struct {
		at   time.Duration
		lag  time.Duration
		want bool
	}{
		{0, 200 * time.Millisecond, false},
		{time.Second, 800 * time.Millisecond, false},
		{2 * time.Second, 1500 * time.Millisecond, false}, // grown, but not for 3 s yet
		{3 * time.Second, 1500 * time.Millisecond, true},  // 3 s without falling, +1.3 s
		{4 * time.Second, 2 * time.Second, true},
		{5 * time.Second, 1900 * time.Millisecond, false}, // it fell: a new run
		{8 * time.Second, 2500 * time.Millisecond, false}, // 3 s but only +0.6 s
		{9 * time.Second, 3 * time.Second, true},
		{10 * time.Second, 3 * time.Second, true}, // flat counts as not falling
	}
	for i, s := range steps {
		if got := l.observe(t0.Add(s.at), s.lag); got != s.want {
			t.Errorf("step %d (%v, lag %v): growing = %v, want %v", i, s.at, s.lag, got, s.want)
		}
	}
}

// TestUpdatesDropOldest: a reader that falls behind loses the oldest updates, never the newest, and never
// blocks the session.
func TestUpdatesDropOldest(t *testing.T) {
	const n = 10
	base := startScripted(t, func(c *websocket.Conn) {
		_ = c.WriteMessage(websocket.TextMessage, []byte(messageSeeds[0]))
		for i := 1; i <= n; i++ {
			_ = c.WriteMessage(websocket.TextMessage, []byte(`{"status":"active_transcription","lines":[],"buffer_transcription":"w`+
				strings.Repeat("x", i)+`","remaining_time_transcription":`+strings.Repeat("1", i)+`}`))
		}
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			if len(b) == 0 {
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ready_to_stop"}`))
			}
		}
	})
	s, err := Dial(ctxWait(t), DialOptions{URL: base, UpdateBuffer: 1})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	if _, err := s.Finish(ctxWait(t)); err != nil { // ready_to_stop comes after every update
		t.Fatalf("Finish: %v", err)
	}
	var got []Progress
	for p := range s.Updates() {
		got = append(got, p)
	}
	if len(got) != 1 || got[0].Volatile != "w"+strings.Repeat("x", n) {
		t.Errorf("pending updates = %+v, want only the newest", got)
	}
	if st := s.Stats(); st.Dropped != n-1 {
		t.Errorf("stats = %+v, want %d dropped", st, n-1)
	}
}

// TestTokenPlacement: the token travels in the Authorization header unless asked for in the query, and the
// language in the query.
func TestTokenPlacement(t *testing.T) {
	const token = "tok-123"
	sim := wlksim.New(wlksim.Config{PCMInput: true, APIToken: token})
	type seen struct{ auth, token, language string }
	reqs := make(chan seen, 4)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs <- seen{r.Header.Get("Authorization"), r.URL.Query().Get("token"), r.URL.Query().Get("language")}
		sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(func() { sim.Close(); ts.Close() })
	for _, tt := range []struct {
		o    DialOptions
		want seen
	}{
		{DialOptions{Token: token, Language: "de"}, seen{"Bearer " + token, "", "de"}},
		{DialOptions{Token: token, TokenInQuery: true}, seen{"", token, ""}},
	} {
		tt.o.URL = ts.URL
		s, err := Dial(ctxWait(t), tt.o)
		if err != nil {
			t.Fatalf("Dial(%+v): %v", tt.o, err)
		}
		s.Close()
		if got := <-reqs; got != tt.want {
			t.Errorf("Dial(%+v) sent %+v, want %+v", tt.o, got, tt.want)
		}
	}
}

func TestDialContextCancelled(t *testing.T) {
	_, base := startSim(t, wlksim.Config{PCMInput: true, HangAfterConnect: true})
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, DialOptions{URL: base, ConfigWait: time.Minute, CloseTimeout: 100 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Dial = %v, want the context's deadline", err)
	}
	goroutinesSettle(t, before)
}

// TestSendCloseConcurrently: Close may race Send (run with -race); afterwards Send says the session is closed.
func TestSendCloseConcurrently(t *testing.T) {
	_, base := startSim(t, wlksim.Config{PCMInput: true, Script: []string{"a b c"}})
	s, err := Dial(ctxWait(t), DialOptions{URL: base})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	frame := wlksim.Speech(20 * time.Millisecond)
	sent := make(chan error, 1)
	go func() {
		for {
			if err := s.Send(frame); err != nil {
				sent <- err
				return
			}
		}
	}()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	select {
	case err := <-sent:
		if !errors.Is(err, ErrClosed) && !errors.Is(err, ErrConnectionLost) {
			t.Errorf("Send during Close = %v, want ErrClosed", err)
		}
	case <-time.After(testWait):
		t.Fatal("Send kept going after Close")
	}
	if err := s.Send(frame); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Finish(ctxWait(t)); err == nil {
		t.Errorf("Finish after Close: no error")
	}
}

func TestSendFrameLimits(t *testing.T) {
	_, base := startSim(t, wlksim.Config{PCMInput: true})
	s, err := Dial(ctxWait(t), DialOptions{URL: base})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer s.Close()
	if err := s.Send(nil); err == nil || !strings.Contains(err.Error(), "Finish") {
		t.Errorf("Send(empty) = %v, want a pointer to Finish", err)
	}
	if err := s.Send(make([]byte, 3202)); err == nil || !strings.Contains(err.Error(), "longer than 100ms") {
		t.Errorf("Send(101 ms) = %v, want refused", err)
	}
	for _, n := range []int{3200, 640, 2, 1} { // a short or odd last frame is fine: the server aligns
		if err := s.Send(make([]byte, n)); err != nil {
			t.Errorf("Send(%d bytes) = %v", n, err)
		}
	}
}
