package pipeline

import (
	"context"
	"encoding/binary"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/whisper"
	"github.com/tonnytray/tonnytray/backend/wlksim"
)

const frame = 320 // 20 ms at 16 kHz

// scriptedSource plays PCM into a ring in real time, 20 ms per 20 ms, like a microphone would.
type scriptedSource struct {
	ringSource
	done chan struct{} // closed when the script has been played
}

func newScriptedSource(t *testing.T, pcm []byte) *scriptedSource {
	t.Helper()
	samples := make([]int16, len(pcm)/2)
	for i := range samples {
		samples[i] = int16(binary.LittleEndian.Uint16(pcm[2*i:]))
	}
	s := &scriptedSource{ringSource{audio.NewRing(30 * audio.SampleRate)}, make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		defer close(s.done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for len(samples) > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			}
			n := min(frame, len(samples))
			s.r.Write(samples[:n])
			samples = samples[n:]
		}
	}()
	return s
}

// ringSource is a Source over a ring the test writes into.
type ringSource struct{ r *audio.Ring }

func (s ringSource) Mark() audio.Position { return s.r.End() }
func (s ringSource) Stream(ctx context.Context, from audio.Position) <-chan audio.Frame {
	return s.r.Stream(ctx, from, frame)
}

type recorder struct {
	mu     sync.Mutex
	events []event.Payload
}

func (r *recorder) publish(p event.Payload) {
	r.mu.Lock()
	r.events = append(r.events, p)
	r.mu.Unlock()
}
func (r *recorder) count(name event.Name) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.EventName() == name {
			n++
		}
	}
	return n
}

type harness struct {
	sim  *wlksim.Server
	cfg  wlksim.Config
	url  string
	rec  *recorder
	done chan Utterance
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	cfg := wlksim.Config{PCMInput: true, Script: []string{"turn on the kitchen lights"}}
	sim := wlksim.New(cfg)
	ts := httptest.NewServer(sim.Handler())
	t.Cleanup(ts.Close)
	return &harness{sim: sim, cfg: cfg, url: ts.URL, rec: &recorder{}, done: make(chan Utterance, 1)}
}

func (h *harness) pipeline(src Source, dialDelay time.Duration) *Pipeline {
	return New(Options{
		Source: src,
		Dial: func(ctx context.Context) (*whisper.Session, error) {
			select { // a slow network or a server still accepting: the socket is ready late
			case <-time.After(dialDelay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return whisper.Dial(ctx, whisper.DialOptions{URL: h.url, ConfigWait: 5 * time.Second})
		},
		Publish: h.rec.publish,
		Done:    func(u Utterance) { h.done <- u },
	})
}

func (h *harness) wait(t *testing.T) Utterance {
	t.Helper()
	select {
	case u := <-h.done:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("no final utterance within 30 s")
		return Utterance{}
	}
}

// Speech starts at the key press itself, so words are lost if the first audio is.
func speechScript(voiced time.Duration) []byte {
	return append(wlksim.Speech(voiced), wlksim.Silence(200*time.Millisecond)...)
}

func TestUtteranceFromKeyPressToFinalText(t *testing.T) {
	h := newHarness(t)
	voiced := 1500 * time.Millisecond // five words at the simulator's 300 ms per word
	src := newScriptedSource(t, speechScript(voiced))
	p := h.pipeline(src, 0)
	if err := p.Begin("push_to_talk", ""); err != nil {
		t.Fatal(err)
	}
	if err := p.Begin("push_to_talk", ""); err != ErrBusy {
		t.Fatalf("a second Begin: %v, want ErrBusy", err)
	}
	<-src.done
	if err := p.End(); err != nil {
		t.Fatal(err)
	}
	u := h.wait(t)
	if u.Err != nil {
		t.Fatalf("utterance error: %v", u.Err)
	}
	if want := wlksim.ExpectedText(h.cfg, voiced); u.Text != want || want == "" {
		t.Fatalf("final text %q, want %q", u.Text, want)
	}
	tm := u.Timings
	if tm.KeyDown.IsZero() {
		t.Fatal("no key-down time")
	}
	for name, at := range map[string]time.Time{"first sample": tm.FirstSample, "socket ready": tm.SocketReady,
		"first partial": tm.FirstPartial, "speech end": tm.SpeechEnd, "final": tm.Final} {
		if at.IsZero() || at.Before(tm.KeyDown) {
			t.Errorf("%s (%v) is missing or before the key press (%v)", name, at, tm.KeyDown)
		}
	}
	if !tm.Final.After(tm.SpeechEnd) || tm.SpeechEnd.Before(tm.FirstPartial) {
		t.Errorf("timings out of order: %+v", tm)
	}
	var final event.TranscriptFinalPayload
	for _, e := range h.rec.events {
		if f, ok := e.(event.TranscriptFinalPayload); ok {
			final = f
		}
	}
	if final.Timings.FinalMs <= 0 || final.Timings.FirstSampleMs < 0 || final.Text != u.Text {
		t.Errorf("published final = %+v", final)
	}
	if h.rec.count(event.TranscriptLive) == 0 || h.rec.count(event.TranscriptFinal) != 1 || h.rec.count(event.Listening) != 3 {
		t.Fatalf("events: %d updates, %d finals, %d listening states", h.rec.count(event.TranscriptLive),
			h.rec.count(event.TranscriptFinal), h.rec.count(event.Listening))
	}
	var states []string
	for _, e := range h.rec.events {
		if l, ok := e.(event.ListeningStatePayload); ok {
			states = append(states, l.State)
		}
	}
	if strings.Join(states, " ") != "listening processing idle" {
		t.Errorf("listening states %v, want listening → processing (captured, final awaited) → idle", states)
	}
	if p.Active() {
		t.Fatal("still active after the final text")
	}
}

func TestFirstWordsSurviveALateSocket(t *testing.T) {
	h := newHarness(t)
	voiced := 1500 * time.Millisecond
	src := newScriptedSource(t, speechScript(voiced))
	p := h.pipeline(src, 300*time.Millisecond)
	from := src.Mark()
	if err := p.BeginAt("push_to_talk", "", from, time.Now()); err != nil {
		t.Fatal(err)
	}
	<-src.done
	end := src.Mark()
	if err := p.EndAt(end); err != nil {
		t.Fatal(err)
	}
	u := h.wait(t)
	if u.Err != nil {
		t.Fatalf("utterance error: %v", u.Err)
	}
	if got, want := h.sim.AudioBytes(), int64(end-from)*2; got != want {
		t.Fatalf("the server received %d bytes of audio, want all %d from the key press on", got, want)
	}
	if want := wlksim.ExpectedText(h.cfg, voiced); u.Text != want {
		t.Fatalf("final text %q, want %q", u.Text, want)
	}
	if late := u.Timings.SocketReady.Sub(u.Timings.KeyDown); late < 300*time.Millisecond {
		t.Fatalf("socket ready %s after the key press; the test meant it to be late", late)
	}
}

func TestUnreachableServerEndsTheUtteranceWithAnError(t *testing.T) {
	h := newHarness(t)
	h.url = "http://127.0.0.1:1" // nothing listens on port 1
	src := newScriptedSource(t, speechScript(300*time.Millisecond))
	p := h.pipeline(src, 0)
	if err := p.Begin("toggle", ""); err != nil {
		t.Fatal(err)
	}
	u := h.wait(t)
	if u.Err == nil {
		t.Fatal("no error for an unreachable speech server")
	}
	if h.rec.count(event.TranscriptFinal) != 1 {
		t.Fatal("the failure was not published")
	}
}
