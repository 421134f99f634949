package player

// Tests on the real path: Player → PortAudio → ALSA → the private PulseAudio's null sink "vspeaker", recorded
// from its monitor with parec and compared with the source by normalized cross-correlation.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
)

var warmOnce sync.Once

// warm waits until the fresh sound server plays steadily: for its first ~2.5 s a new PortAudio playback
// stream is primed and then not asked for more (pacat is not affected), which would distort every timing.
func warm(t testing.TB) {
	t.Helper()
	warmOnce.Do(func() {
		var n atomic.Int64
		s, _, rate, err := audio.OpenOutput("", 48000, 480, func(out []int16) { clear(out); n.Add(int64(len(out))) })
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for deadline := time.Now().Add(10 * time.Second); n.Load() < int64(rate) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func newPulse(t testing.TB, o Options) (*Player, *stateLog) {
	t.Helper()
	warm(t)
	log := newStateLog()
	o.OnState = log.on
	if o.Volume == 0 {
		o.Volume = 1
	}
	p := New(o)
	serve(t, p)
	return p, log
}

// (a) A known sound plays into the speaker intact.
func TestPulsePlays(t *testing.T) {
	p, _ := newPulse(t, Options{})
	src := signal(10, 24000, 1500*time.Millisecond)
	rec := audiotest.RecordSpeaker(t)
	if err := wait(t, p.Enqueue(Item{ID: "a", PCM: bytes.NewReader(bytesOf(src)), Rate: 24000}), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got := rec.Stop()
	lag, ncc := audiotest.BestLag(src, got, audiotest.RecordRate)
	t.Logf("correlation %.3f at %d ms into the recording (%d ms recorded)", ncc, lag*1000/audiotest.RecordRate, len(got)*1000/audiotest.RecordRate)
	if ncc < 0.8 {
		t.Fatalf("recording correlates %.3f with the source, want ≥ 0.8", ncc)
	}
}

// (b) A reader that stalls 400 ms mid-item: silence at the stall, both halves intact, an underrun counted.
func TestPulseStall(t *testing.T) {
	p, _ := newPulse(t, Options{})
	src := signal(20, 24000, 1500*time.Millisecond)
	half := len(src) / 2
	const stall = 400 * time.Millisecond
	rec := audiotest.RecordSpeaker(t)
	r := &pacedReader{data: bytesOf(src), rate: 24000, stallAt: 2 * half, stall: stall}
	if err := wait(t, p.Enqueue(Item{ID: "b", PCM: r, Rate: 24000}), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got := rec.Stop()
	lag1, ncc1 := audiotest.BestLag(src[:half], got, audiotest.RecordRate)
	lag2, ncc2 := audiotest.BestLag(src[half:], got, audiotest.RecordRate)
	gap := lag2 - (lag1 + half) // between the end of the first half and the start of the second: the silence inserted
	quiet := 1.0
	if from, to := lag1+half+audiotest.RecordRate/50, lag2-audiotest.RecordRate/50; from < to && from >= 0 && to <= len(got) {
		quiet = audiotest.RMS(got[from:to]) / audiotest.RMS(src)
	}
	st := p.State()
	t.Logf("halves correlate %.3f and %.3f; silence of %d ms inserted (stall %v, jitter 150 ms), its level %.3f of the signal's; underruns %d",
		ncc1, ncc2, gap*1000/audiotest.RecordRate, stall, quiet, st.Underruns)
	if ncc1 < 0.8 || ncc2 < 0.8 {
		t.Errorf("halves correlate %.3f and %.3f, want ≥ 0.8", ncc1, ncc2)
	}
	// Expected: the stall, less what was buffered ahead, plus the rebuffering (both the jitter, 150 ms).
	if g := time.Duration(gap) * time.Second / audiotest.RecordRate; g < stall/2 || g > stall+300*time.Millisecond {
		t.Errorf("silence inserted %v for a %v stall", g, stall)
	}
	if quiet > 0.05 {
		t.Errorf("the stall is not silent: level %.3f of the signal's", quiet)
	}
	if st.Underruns == 0 {
		t.Error("no underrun counted")
	}
}

// (c) Barge-in on a 10 s item: the next item plays and the long item's tail is not heard.
func TestPulseInterrupt(t *testing.T) {
	p, log := newPulse(t, Options{})
	long := signal(30, 24000, 10*time.Second)
	next := signal(31, 24000, time.Second)
	rec := audiotest.RecordSpeaker(t)
	longDone := p.Enqueue(Item{ID: "long", PCM: bytes.NewReader(bytesOf(long)), Rate: 24000, Priority: Normal})
	nextDone := p.Enqueue(Item{ID: "next", PCM: bytes.NewReader(bytesOf(next)), Rate: 24000, Priority: Normal})
	log.waitFor(t, "long speaking", func(s State) bool { return s.ID == "long" })
	time.Sleep(time.Second)
	at := time.Now()
	p.Interrupt()
	moved := log.waitFor(t, "next speaking", func(s State) bool { return s.ID == "next" })
	latency := moved.Sub(at)
	if err := wait(t, longDone, 5*time.Second); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("long item ended with %v", err)
	}
	if err := wait(t, nextDone, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got := rec.Stop()
	lagHead, nccHead := audiotest.BestLag(long[:audiotest.RecordRate*3/4], got, audiotest.RecordRate)
	lagNext, nccNext := audiotest.BestLag(next, got, audiotest.RecordRate)
	// Where the long item's tail would be had it gone on: from 0.5 s after the interrupt point.
	played := lagNext - lagHead // long's samples heard before the next item began
	tail := long[min(len(long), played+audiotest.RecordRate/2):min(len(long), played+audiotest.RecordRate*5/2)]
	nccTail := audiotest.NCCAt(tail, got, lagHead+played+audiotest.RecordRate/2)
	t.Logf("stop latency (Interrupt → next item speaking) %v; long heard for %d ms; head %.3f, next %.3f, tail %.3f",
		latency, played*1000/audiotest.RecordRate, nccHead, nccNext, nccTail)
	if nccHead < 0.8 || nccNext < 0.8 {
		t.Errorf("head %.3f / next %.3f, want ≥ 0.8", nccHead, nccNext)
	}
	if nccTail > 0.2 {
		t.Errorf("the interrupted item's tail is heard: correlation %.3f", nccTail)
	}
	if latency > 500*time.Millisecond {
		t.Errorf("stop latency %v, want < 500 ms", latency)
	}
}

// (e) No output device at all: the item fails with a clear error within ~2 s, no hang.
func TestPulseNoDevice(t *testing.T) {
	warm(t) // keep the shared server's warm-up out of this test
	stop, err := audiotest.StartPulse(t.TempDir(), audiotest.EmptyPulseScript)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	p := New(Options{Volume: 1})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx) }()
	defer func() { cancel(); <-served }()
	start := time.Now()
	done := p.Enqueue(Item{ID: "x", PCM: io.NopCloser(bytes.NewReader(CuePCM(CueError, 24000))), Rate: 24000, Priority: Urgent})
	select {
	case err := <-done:
		t.Logf("after %v: %v", time.Since(start), err)
		if !errors.Is(err, audio.ErrNoOutput) {
			t.Fatalf("got %v, want audio.ErrNoOutput", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("playback without a device hangs")
	}
	if st := p.State(); st.Speaking {
		t.Fatalf("speaking without a device: %+v", st)
	}
}
