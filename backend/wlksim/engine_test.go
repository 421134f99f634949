package wlksim

import (
	"testing"
	"time"
)

// testScript is the two-utterance script most tests use.
func testScript() []string {
	return []string{"Hello, this is a test of the system.", "Second sentence here."}
}

func TestRecognizerLatencyAndCommit(t *testing.T) {
	r := newRecognizer(Config{Script: testScript(), Latency: 200 * time.Millisecond, CommitDelay: 500 * time.Millisecond})
	t0 := time.Unix(1000, 0)
	r.feed(Speech(600*time.Millisecond), t0)

	steps := []struct {
		at     time.Duration
		buffer string
		lines  int
		policy int64
	}{
		{0, "", 0, samplesOf(600 * time.Millisecond)},
		{199 * time.Millisecond, "", 0, samplesOf(600 * time.Millisecond)},
		{200 * time.Millisecond, " Hello, this", 0, samplesOf(600 * time.Millisecond)},
		{699 * time.Millisecond, " Hello, this", 0, samplesOf(600 * time.Millisecond)},
		{700 * time.Millisecond, "", 1, 0},
	}
	for _, st := range steps {
		s := r.snapshot(t0.Add(st.at), false)
		if s.buffer != st.buffer || len(s.lines) != st.lines || s.policy != st.policy {
			t.Errorf("at %v: buffer %q lines %d policy %d; want %q %d %d", st.at, s.buffer, len(s.lines), s.policy,
				st.buffer, st.lines, st.policy)
		}
	}
	s := r.snapshot(t0.Add(time.Second), false)
	want := line{speaker: 1, text: " Hello, this", start: 0, end: samplesOf(600 * time.Millisecond)}
	if len(s.lines) != 1 || s.lines[0] != want {
		t.Fatalf("lines = %+v, want [%+v]", s.lines, want)
	}
}

func TestRecognizerOddChunks(t *testing.T) {
	r := newRecognizer(Config{Script: testScript()})
	pcm := Speech(300 * time.Millisecond)
	now := time.Unix(0, 0)
	for i := 0; i < len(pcm); i += 3 { // odd sizes split samples across frames
		r.feed(pcm[i:min(i+3, len(pcm))], now)
	}
	r.flush(now)
	s := r.snapshot(now, false)
	if len(s.lines) != 1 || s.lines[0].text != " Hello," || s.lines[0].end != samplesOf(300*time.Millisecond) {
		t.Fatalf("lines = %+v", s.lines)
	}
}

func TestRecognizerPauseCommitsAndSegments(t *testing.T) {
	r := newRecognizer(Config{Script: testScript(), CommitDelay: time.Hour})
	now := time.Unix(0, 0)
	r.feed(Speech(600*time.Millisecond), now)
	if s := r.snapshot(now, false); s.buffer != " Hello, this" || len(s.lines) != 0 {
		t.Fatalf("before pause: %+v", s)
	}
	r.feed(Silence(480*time.Millisecond), now) // shorter than MinSilence: no pause yet
	if s := r.snapshot(now, false); s.buffer != " Hello, this" {
		t.Fatalf("short silence committed: %+v", s)
	}
	r.feed(Silence(40*time.Millisecond), now) // 520 ms: a pause commits the buffer
	s := r.snapshot(now, true)
	if s.buffer != "" || len(s.lines) != 2 || s.lines[1].speaker != -2 {
		t.Fatalf("pause (legacy view): %+v", s)
	}
	if s := r.snapshot(now, false); len(s.lines) != 1 {
		t.Fatalf("pause (0.2.26 view) shows an open silence: %+v", s)
	}
	r.feed(Silence(5*time.Second), now)
	r.feed(Speech(300*time.Millisecond), now)
	r.flush(now)
	s = r.snapshot(now, true)
	want := []line{
		{speaker: 1, text: " Hello, this", start: 0, end: 9600},
		{speaker: -2, start: 9600, end: 9600 + 88320},
		{speaker: 1, text: " is", start: 9600 + 88320, end: 9600 + 88320 + 4800},
	}
	if len(s.lines) != len(want) {
		t.Fatalf("lines = %+v, want %+v", s.lines, want)
	}
	for i := range want {
		if s.lines[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, s.lines[i], want[i])
		}
	}
}

func TestExpectedText(t *testing.T) {
	cfg := Config{Script: testScript()}
	tests := []struct {
		voiced time.Duration
		want   string
	}{
		{0, ""},
		{299 * time.Millisecond, ""},
		{300 * time.Millisecond, "Hello,"},
		{2 * time.Second, "Hello, this is a test of"},
		{time.Hour, "Hello, this is a test of the system. Second sentence here."},
	}
	for _, tt := range tests {
		if got := ExpectedText(cfg, tt.voiced); got != tt.want {
			t.Errorf("ExpectedText(%v) = %q, want %q", tt.voiced, got, tt.want)
		}
	}
	if got := ExpectedText(Config{Script: testScript(), WordDuration: time.Second}, 2500*time.Millisecond); got != "Hello, this" {
		t.Errorf("ExpectedText with 1 s words = %q", got)
	}
}
