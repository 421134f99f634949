package wlksim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// wait bounds every wait for something that must happen; quiet is how long a
// test watches for something that must not happen.
const (
	wait  = 10 * time.Second
	quiet = 300 * time.Millisecond
)

// testClient reads a session's messages on its own goroutine, so a test can
// wait for a message, or for silence, without breaking the connection.
type testClient struct {
	t       *testing.T
	conn    *websocket.Conn
	msgs    chan []byte
	readErr chan error
}

func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s := New(cfg)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.Close()
		ts.Close()
	})
	return s, ts.URL
}

func wsURL(httpURL, query string) string {
	u := "ws" + strings.TrimPrefix(httpURL, "http") + "/asr"
	if query != "" {
		u += "?" + query
	}
	return u
}

func dial(t *testing.T, url string, hdr http.Header) *testClient {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: wait}
	conn, resp, err := d.Dial(url, hdr)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (HTTP %d)", url, err, status)
	}
	c := &testClient{t: t, conn: conn, msgs: make(chan []byte, 1024), readErr: make(chan error, 1)}
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				c.readErr <- err
				close(c.msgs)
				return
			}
			c.msgs <- data
		}
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return c
}

// next returns the next message, failing the test if none comes in time.
func (c *testClient) next() []byte {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("connection ended while waiting for a message: %v", <-c.readErr)
		}
		return m
	case <-time.After(wait):
		c.t.Fatal("no message in time")
	}
	return nil
}

func (c *testClient) nextJSON() map[string]any {
	c.t.Helper()
	raw := c.next()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		c.t.Fatalf("bad JSON %s: %v", raw, err)
	}
	return m
}

func (c *testClient) expectRaw(want string) {
	c.t.Helper()
	if got := string(c.next()); got != want {
		c.t.Fatalf("message\n got: %s\nwant: %s", got, want)
	}
}

// none asserts that nothing arrives (and the connection stays up) for quiet.
func (c *testClient) none() {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("connection ended: %v", <-c.readErr)
		}
		c.t.Fatalf("unexpected message %s", m)
	case <-time.After(quiet):
	}
}

// ended waits for the connection to end and returns the read error.
func (c *testClient) ended() error {
	c.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-c.msgs:
			if !ok {
				return <-c.readErr
			}
		case <-deadline:
			c.t.Fatal("connection did not end in time")
		}
	}
}

func (c *testClient) send(b []byte) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.BinaryMessage, b); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// sendChunked sends PCM in 100 ms frames, like a live client.
func (c *testClient) sendChunked(pcm []byte) {
	c.t.Helper()
	for i := 0; i < len(pcm); i += BytesPerSecond / 10 {
		c.send(pcm[i:min(i+BytesPerSecond/10, len(pcm))])
	}
}

func closeCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return -1
}

const initialLatest = `{"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0}`

func TestSessionLifecycle(t *testing.T) {
	_, base := startServer(t, Config{
		PCMInput: true, Script: testScript(), CommitDelay: time.Hour,
		Lag: 300 * time.Millisecond, Tick: 10 * time.Millisecond,
	})
	c := dial(t, wsURL(base, ""), nil)
	c.expectRaw(`{"type":"config","useAudioWorklet":true,"mode":"full"}`)
	c.expectRaw(initialLatest)
	c.none() // nothing changes, nothing is sent

	c.send(Speech(time.Second)) // one frame: the state changes exactly once
	c.expectRaw(`{"status":"active_transcription","lines":[],"buffer_transcription":" Hello, this is","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.3,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.9,"remaining_time_diarization":0}`)
	c.none()
	c.send(Speech(200 * time.Millisecond))
	c.expectRaw(`{"status":"active_transcription","lines":[],"buffer_transcription":" Hello, this is a","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.3,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":1.2,"remaining_time_diarization":0}`)

	c.send(nil) // end of stream: flush, final update, ready_to_stop
	c.expectRaw(`{"status":"active_transcription","lines":[{"speaker":1,"text":" Hello, this is a","start":"0:00:00.00","end":"0:00:01.20","detected_language":"en"}],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0}`)
	c.expectRaw(`{"type":"ready_to_stop"}`)

	c.send(Speech(time.Second)) // ignored after the flush; the socket stays open
	c.send(nil)
	c.none()

	if err := c.conn.WriteMessage(websocket.TextMessage, []byte("stop")); err != nil {
		t.Fatal(err)
	}
	if err := c.ended(); closeCode(err) != websocket.CloseNormalClosure {
		t.Fatalf("after a text frame: %v, want close 1000", err)
	}
}

func TestTextFrameEndsActiveSession(t *testing.T) {
	s, base := startServer(t, Config{PCMInput: true, Script: testScript()})
	c := dial(t, wsURL(base, ""), nil)
	c.next()
	c.next()
	c.sendChunked(Speech(500 * time.Millisecond))
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"stop"}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.ended(); closeCode(err) != websocket.CloseNormalClosure {
		t.Fatalf("got %v, want close 1000", err)
	}
	if s.AudioBytes() != int64(len(Speech(500*time.Millisecond))) || s.Sessions() != 1 {
		t.Fatalf("AudioBytes %d Sessions %d", s.AudioBytes(), s.Sessions())
	}
}

// finalLines runs one session that sends segments (true: speech, false:
// silence) and returns the lines of the last update before ready_to_stop.
func finalLines(t *testing.T, base string, segments []segment) (status string, lines []map[string]any) {
	t.Helper()
	c := dial(t, wsURL(base, ""), nil)
	for _, sg := range segments {
		if sg.speech {
			c.sendChunked(Speech(sg.d))
		} else {
			c.sendChunked(Silence(sg.d))
		}
	}
	c.send(nil)
	var last map[string]any
	for i := 0; i < 10000; i++ {
		m := c.nextJSON()
		if m["type"] == "ready_to_stop" {
			break
		}
		if _, isUpdate := m["lines"]; isUpdate {
			last = m
		}
	}
	if last == nil {
		t.Fatal("no update before ready_to_stop")
	}
	for _, l := range last["lines"].([]any) {
		lines = append(lines, l.(map[string]any))
	}
	return last["status"].(string), lines
}

type segment struct {
	speech bool
	d      time.Duration
}

func TestScriptedFinalTextIsPredictable(t *testing.T) {
	cfg := Config{PCMInput: true, Script: testScript(), Latency: 50 * time.Millisecond,
		CommitDelay: 100 * time.Millisecond, Lag: 200 * time.Millisecond, Tick: 5 * time.Millisecond}
	_, base := startServer(t, cfg)
	type wantLine struct {
		speaker          float64
		text, start, end string
	}
	tests := []struct {
		name     string
		segments []segment
		status   string
		want     []wantLine
	}{
		{"two seconds", []segment{{true, 2 * time.Second}}, "active_transcription",
			[]wantLine{{1, " Hello, this is a test of", "0:00:00.00", "0:00:01.80"}}},
		{"too short for a word", []segment{{true, 280 * time.Millisecond}}, "no_audio_detected", nil},
		{"script runs out", []segment{{true, 10 * time.Second}}, "active_transcription",
			[]wantLine{{1, " Hello, this is a test of the system. Second sentence here.", "0:00:00.00", "0:00:03.30"}}},
		{"pause splits lines", []segment{{true, 1520 * time.Millisecond}, {false, 6 * time.Second}, {true, 920 * time.Millisecond}},
			"active_transcription", []wantLine{
				{1, " Hello, this is a test", "0:00:00.00", "0:00:01.50"},
				{-2, "", "0:00:01.52", "0:00:07.52"},
				{1, " of the system.", "0:00:07.52", "0:00:08.40"},
			}},
		{"short pause keeps one line", []segment{{true, 600 * time.Millisecond}, {false, 2 * time.Second}, {true, 600 * time.Millisecond}},
			"active_transcription", []wantLine{{1, " Hello, this is a", "0:00:00.00", "0:00:03.20"}}},
		{"silence only", []segment{{false, 6 * time.Second}}, "active_transcription",
			[]wantLine{{-2, "", "0:00:00.00", "0:00:06.00"}}},
		{"short silence only", []segment{{false, 3 * time.Second}}, "no_audio_detected", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, lines := finalLines(t, base, tt.segments)
			if status != tt.status || len(lines) != len(tt.want) {
				t.Fatalf("status %q lines %v; want %q %v", status, lines, tt.status, tt.want)
			}
			var voiced time.Duration
			for _, sg := range tt.segments {
				if sg.speech {
					voiced += sg.d
				}
			}
			var texts []string
			for i, w := range tt.want {
				l := lines[i]
				if l["speaker"] != w.speaker || l["text"] != w.text || l["start"] != w.start || l["end"] != w.end {
					t.Errorf("line %d = %v, want %+v", i, l, w)
				}
				if w.speaker != -2 {
					texts = append(texts, strings.TrimSpace(w.text))
				}
			}
			if got, want := strings.Join(texts, " "), ExpectedText(cfg, voiced); got != want {
				t.Errorf("final text %q, ExpectedText %q", got, want)
			}
		})
	}
}

func TestTokenCheck(t *testing.T) {
	_, base := startServer(t, Config{PCMInput: true, APIToken: "s3cret"})
	tests := []struct {
		name   string
		query  string
		header string
		ok     bool
	}{
		{"missing", "", "", false},
		{"wrong query", "token=nope", "", false},
		{"wrong bearer", "", "Bearer nope", false},
		{"query wins over header", "token=nope", "Bearer s3cret", false},
		{"query", "token=s3cret", "", true},
		{"bearer", "", "Bearer s3cret", true},
		{"deepgram style", "", "Token s3cret", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := http.Header{}
			if tt.header != "" {
				hdr.Set("Authorization", tt.header)
			}
			d := websocket.Dialer{HandshakeTimeout: wait}
			conn, resp, err := d.Dial(wsURL(base, tt.query), hdr)
			if tt.ok {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				_ = conn.Close()
				return
			}
			if err == nil {
				_ = conn.Close()
				t.Fatal("dial succeeded without a valid token")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("got %v (%v), want HTTP 403", err, resp)
			}
		})
	}
}

func httpGet(t *testing.T, url string) (int, string, string) {
	t.Helper()
	client := http.Client{Timeout: wait}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func TestHTTPEndpoints(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		path  string
		code  int
		ctype string
		body  string // exact, or a substring for HTML
	}{
		{"index", Config{}, "/", 200, "text/html; charset=utf-8", "<title>WhisperLiveKit</title>"},
		{"health", Config{}, "/health", 200, "application/json", `{"status":"ok","backend":"auto","ready":true}`},
		{"health backend", Config{Backend: "faster-whisper"}, "/health", 200, "application/json", `{"status":"ok","backend":"faster-whisper","ready":true}`},
		{"models", Config{}, "/v1/models", 200, "application/json", `{"object":"list","data":[{"id":"auto/base","object":"model","owned_by":"whisperlivekit"}]}`},
		{"models whisper", Config{Backend: "whisper", Model: "tiny"}, "/v1/models", 200, "application/json", `{"object":"list","data":[{"id":"whisper-tiny","object":"model","owned_by":"whisperlivekit"}]}`},
		{"unknown", Config{}, "/nope", 404, "application/json", `{"detail":"Not Found"}`},
		{"asr over plain HTTP", Config{}, "/asr", 404, "application/json", `{"detail":"Not Found"}`},
		{"no health before 0.2.20", Config{Version: "0.2.19"}, "/health", 404, "application/json", `{"detail":"Not Found"}`},
		{"index on 0.2.8", Config{Version: "0.2.8"}, "/", 200, "text/html; charset=utf-8", "<title>WhisperLiveKit</title>"},
		{"never ready index", Config{NeverReady: true}, "/", 503, "text/plain; charset=utf-8", "Service Unavailable"},
		{"never ready health", Config{NeverReady: true}, "/health", 503, "text/plain; charset=utf-8", "Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := startServer(t, tt.cfg)
			code, ctype, body := httpGet(t, base+tt.path)
			if code != tt.code || ctype != tt.ctype {
				t.Fatalf("HTTP %d %q, want %d %q", code, ctype, tt.code, tt.ctype)
			}
			if strings.HasPrefix(tt.ctype, "text/html") {
				if !strings.Contains(body, tt.body) {
					t.Fatalf("body %q lacks %q", body, tt.body)
				}
			} else if body != tt.body {
				t.Fatalf("body %s, want %s", body, tt.body)
			}
		})
	}
}

func TestNeverReadyRefusesASR(t *testing.T) {
	_, base := startServer(t, Config{NeverReady: true})
	d := websocket.Dialer{HandshakeTimeout: wait}
	conn, resp, err := d.Dial(wsURL(base, ""), nil)
	if err == nil {
		_ = conn.Close()
		t.Fatal("dial succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("got %v, want HTTP 503", err)
	}
}

func TestInvalidConfig(t *testing.T) {
	_, base := startServer(t, Config{Version: "new"})
	if code, _, _ := httpGet(t, base+"/health"); code != http.StatusInternalServerError {
		t.Fatalf("HTTP %d, want 500", code)
	}
}

// TestOldVersionFormats walks one short session per version: connect, 0.96 s
// of speech (three words, left in the buffer), end of stream.
func TestOldVersionFormats(t *testing.T) {
	tests := []struct {
		version string
		msgs    []string // every message of the session, in order
	}{
		{LatestVersion, []string{
			`{"type":"config","useAudioWorklet":true,"mode":"full"}`,
			initialLatest,
			`{"status":"active_transcription","lines":[],"buffer_transcription":" Hello, this is","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.9,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":1,"text":" Hello, this is","start":"0:00:00.00","end":"0:00:00.90","detected_language":"en"}],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_transcription_processing":0.0,"remaining_time_transcription_policy":0.0,"remaining_time_diarization":0}`,
			`{"type":"ready_to_stop"}`,
		}},
		{"0.2.19", []string{
			`{"type":"config","useAudioWorklet":true}`,
			`{"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[],"buffer_transcription":" Hello, this is","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":1,"text":" Hello, this is","start":"0:00:00","end":"0:00:00","detected_language":"en"}],"buffer_transcription":"","buffer_diarization":"","buffer_translation":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"type":"ready_to_stop"}`,
		}},
		{"0.2.9", []string{
			`{"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[],"buffer_transcription":" Hello, this is","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":1,"text":" Hello, this is","start":"0:00:00","end":"0:00:00","translation":""}],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"type":"ready_to_stop"}`,
		}},
		{"0.2.8", []string{
			`{"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":1,"text":"","beg":"0:00:00","end":"0:00:00","diff":0}],"buffer_transcription":" Hello, this is","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":1,"text":" Hello, this is","beg":"0:00:00","end":"0:00:00","diff":0.9}],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"type":"ready_to_stop"}`,
		}},
		{"0.2.5", []string{
			`{"status":"no_audio_detected","lines":[],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":1,"text":"","beg":"0:00:00","end":"0:00:00","diff":0}],"buffer_transcription":" Hello, this is","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"status":"active_transcription","lines":[{"speaker":-1,"text":" Hello, this is","beg":"0:00:00","end":"0:00:00","diff":0.9}],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"type":"ready_to_stop"}`,
		}},
		{"0.1.5", []string{
			`{"lines":[{"speaker":1,"text":"","beg":"0:00:00","end":"0:00:00","diff":0}],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"lines":[{"speaker":1,"text":"","beg":"0:00:00","end":"0:00:00","diff":0}],"buffer_transcription":" Hello, this is","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			`{"lines":[{"speaker":-1,"text":" Hello, this is","beg":"0:00:00","end":"0:00:00","diff":0.9}],"buffer_transcription":"","buffer_diarization":"","remaining_time_transcription":0.0,"remaining_time_diarization":0}`,
			// no ready_to_stop before 0.1.6
		}},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			_, base := startServer(t, Config{Version: tt.version, PCMInput: true, Script: testScript(),
				CommitDelay: time.Hour, Tick: 10 * time.Millisecond})
			query := "mode=diff&language=fr" // ignored before 0.2.20
			if tt.version == LatestVersion {
				query = ""
			}
			c := dial(t, wsURL(base, query), nil)
			// Before the first audio, wait for the initial update(s) to be sent.
			initial := 2
			if !strings.HasPrefix(tt.msgs[0], `{"type":"config"`) {
				initial = 1
			}
			for _, m := range tt.msgs[:initial] {
				c.expectRaw(m)
			}
			c.send(Speech(960 * time.Millisecond)) // 24 whole VAD frames, three words
			c.expectRaw(tt.msgs[initial])
			c.send(nil)
			for _, m := range tt.msgs[initial+1:] {
				c.expectRaw(m)
			}
			c.none()
		})
	}
}

func TestLanguageAndModeParameters(t *testing.T) {
	_, base := startServer(t, Config{PCMInput: true, Script: testScript(), Tick: 10 * time.Millisecond})
	// An explicit language: no detected_language on lines.
	c := dial(t, wsURL(base, "language=en&mode=other"), nil)
	c.expectRaw(`{"type":"config","useAudioWorklet":true,"mode":"other"}`) // echoed; acts as full
	c.expectRaw(initialLatest)
	c.send(Speech(300 * time.Millisecond))
	c.send(nil)
	var final map[string]any
	for i := 0; i < 100; i++ {
		m := c.nextJSON()
		if m["type"] == "ready_to_stop" {
			break
		}
		final = m
	}
	l := final["lines"].([]any)[0].(map[string]any)
	if _, ok := l["detected_language"]; ok || l["text"] != " Hello," {
		t.Fatalf("line %v", l)
	}
}

// applyDiff is the client algorithm of spec §4.5 (truncate, then append).
func applyDiff(t *testing.T, lines []any, m map[string]any) []any {
	t.Helper()
	if p, ok := m["lines_pruned"].(float64); ok {
		lines = lines[int(p):]
	}
	newLines, _ := m["new_lines"].([]any)
	keep := int(m["n_lines"].(float64)) - len(newLines)
	if keep < 0 || keep > len(lines) {
		t.Fatalf("diff %v does not fit %d lines", m, len(lines))
	}
	lines = append(lines[:keep:keep], newLines...)
	if len(lines) != int(m["n_lines"].(float64)) {
		t.Fatalf("n_lines mismatch after %v", m)
	}
	return lines
}

func TestDiffMode(t *testing.T) {
	cfg := Config{PCMInput: true, Script: testScript(), Tick: 10 * time.Millisecond}
	_, base := startServer(t, cfg)
	diff := dial(t, wsURL(base, "mode=diff"), nil)
	full := dial(t, wsURL(base, ""), nil)
	diff.expectRaw(`{"type":"config","useAudioWorklet":true,"mode":"diff"}`)
	full.next()
	snap := diff.nextJSON()
	full.next()
	if snap["type"] != "snapshot" || snap["seq"] != 1.0 || snap["status"] != "no_audio_detected" {
		t.Fatalf("snapshot %v", snap)
	}
	lines := snap["lines"].([]any)
	// Each step changes the lines: [A]; [A, silence, B]; [A, silence, B'] (the
	// last line grows, so the diff resends it); [A, silence, B''].
	steps := [][]byte{
		Speech(600 * time.Millisecond),
		append(Silence(6*time.Second), Speech(320*time.Millisecond)...),
		Speech(320 * time.Millisecond),
		Speech(600 * time.Millisecond),
	}
	seq := 1.0
	for i, pcm := range steps {
		diff.send(pcm)
		full.send(pcm)
		m := diff.nextJSON()
		seq++
		if m["type"] != "diff" || m["seq"] != seq {
			t.Fatalf("step %d: %v", i, m)
		}
		if _, has := m["lines"]; has {
			t.Fatalf("diff carries full lines: %v", m)
		}
		lines = applyDiff(t, lines, m)
		want := full.nextJSON()
		gotJSON, _ := json.Marshal(lines)
		wantJSON, _ := json.Marshal(want["lines"])
		if string(gotJSON) != string(wantJSON) {
			t.Fatalf("step %d: rebuilt %s, full mode %s", i, gotJSON, wantJSON)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("want speech, silence, speech; got %v", lines)
	}
	// Everything is committed already, so the flush changes nothing and, as in
	// the real results_formatter, no update precedes ready_to_stop.
	diff.send(nil)
	diff.expectRaw(`{"type":"ready_to_stop"}`)
}

func TestLiveSilenceLineBefore0226(t *testing.T) {
	for _, v := range []string{"0.2.25", "0.2.26"} {
		t.Run(v, func(t *testing.T) {
			_, base := startServer(t, Config{Version: v, PCMInput: true, Script: testScript(),
				CommitDelay: time.Hour, Tick: 10 * time.Millisecond})
			c := dial(t, wsURL(base, ""), nil)
			c.next()
			c.next()
			c.send(Speech(600 * time.Millisecond))
			if m := c.nextJSON(); m["buffer_transcription"] != " Hello, this" {
				t.Fatalf("%v", m)
			}
			c.send(Silence(time.Second)) // a pause: the buffer is committed
			m := c.nextJSON()
			lines := m["lines"].([]any)
			wantLines := 1
			if v == "0.2.25" {
				wantLines = 2 // plus the growing silence line
				sil := lines[1].(map[string]any)
				if sil["speaker"] != -2.0 || sil["text"] != "" || sil["start"] != "0:00:00.60" || sil["end"] != "0:00:01.60" {
					t.Fatalf("silence line %v", sil)
				}
			}
			if len(lines) != wantLines || m["buffer_transcription"] != "" {
				t.Fatalf("after pause: %v", m)
			}
			c.send(Speech(320 * time.Millisecond)) // speech resumes before 5 s
			m = c.nextJSON()
			if n := len(m["lines"].([]any)); n != 1 || m["buffer_transcription"] != " is" {
				t.Fatalf("after resume: %v", m)
			}
		})
	}
}
