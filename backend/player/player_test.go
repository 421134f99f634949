package player

import (
	"bytes"
	"context"
	"errors"
	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
)

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// newFake makes a player on a fake device.
func newFake(t testing.TB, o Options) (*Player, *fakeDevice, *stateLog) {
	d := &fakeDevice{}
	log := newStateLog()
	if o.Volume == 0 {
		o.Volume = 1
	}
	o.OnState = log.on
	p := New(o)
	p.open = d.open
	serve(t, p)
	return p, d, log
}

func sine(rate int, d time.Duration, hz float64) []byte {
	pcm := make([]int16, int(d.Seconds()*float64(rate)))
	for i := range pcm {
		pcm[i] = int16(10000 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return bytesOf(pcm)
}

func item(id string, pr Priority, pcm []byte) Item {
	return Item{ID: id, Text: id, PCM: bytes.NewReader(pcm), Rate: 24000, Priority: pr}
}

// Items play by priority, then in order; the one playing is not pre-empted.
func TestPriorityOrder(t *testing.T) {
	p, _, log := newFake(t, Options{})
	first := p.Enqueue(item("first", Low, sine(24000, 300*time.Millisecond, 440)))
	log.waitFor(t, "first speaking", func(s State) bool { return s.ID == "first" })
	var dones []<-chan error
	for _, it := range []Item{
		item("low", Low, sine(24000, 30*time.Millisecond, 440)),
		item("normal1", Normal, sine(24000, 30*time.Millisecond, 440)),
		item("urgent1", Urgent, CuePCM(CueStart, 24000)),
		item("normal2", Normal, sine(24000, 30*time.Millisecond, 440)),
		item("urgent2", Urgent, CuePCM(CueError, 24000)),
	} {
		dones = append(dones, p.Enqueue(it))
	}
	if err := wait(t, first, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, d := range dones {
		if err := wait(t, d, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	log.waitFor(t, "not speaking", func(s State) bool { return !s.Speaking })
	var order []string
	for _, s := range log.all() {
		if s.Speaking {
			order = append(order, s.ID)
		}
	}
	want := "first urgent1 urgent2 normal1 normal2 low"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("played %q, want %q", got, want)
	}
	// Speaking stays on from one item to the next: exactly one "stopped" at the end.
	if n := len(log.all()); n != len(order)+1 {
		t.Errorf("states %+v: want one per item and one stop", log.all())
	}
}

// A stall mid-item plays silence, counts an underrun and resumes; the item ends normally.
func TestStallPlaysSilence(t *testing.T) {
	p, d, _ := newFake(t, Options{})
	src := signal(1, 24000, time.Second)
	r := &pacedReader{data: bytesOf(src), rate: 24000, stallAt: 24000, stall: 400 * time.Millisecond}
	if err := wait(t, p.Enqueue(Item{ID: "s", PCM: r, Rate: 24000}), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st := p.State(); st.Underruns == 0 || st.Speaking {
		t.Fatalf("state %+v, want underruns and not speaking", st)
	}
	out := d.samples()
	// The longest silent run (10 ms windows, 48 kHz) is the stall minus what the jitter buffer covered.
	run, longest := 0, 0
	for i := 0; i+480 <= len(out); i += 480 {
		if audiotest.RMS(out[i:i+480]) < 1 {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	t.Logf("underruns %d, longest silence inside %d ms", p.State().Underruns, longest*10)
}

// Interrupt while the reader is stuck: the item ends with ErrInterrupted at once and the next one plays.
func TestInterruptWhileStalled(t *testing.T) {
	p, _, log := newFake(t, Options{})
	pr, pw := io.Pipe()
	defer pw.Close()
	go pw.Write(sine(24000, 200*time.Millisecond, 440)) // then nothing, ever
	stuck := p.Enqueue(Item{ID: "stuck", PCM: pr, Rate: 24000, Priority: Normal})
	next := p.Enqueue(item("next", Normal, sine(24000, 50*time.Millisecond, 660)))
	log.waitFor(t, "stuck speaking", func(s State) bool { return s.ID == "stuck" })
	time.Sleep(400 * time.Millisecond) // well into the stall
	at := time.Now()
	p.Interrupt()
	if err := wait(t, stuck, 5*time.Second); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("stuck item ended with %v, want ErrInterrupted", err)
	}
	moved := log.waitFor(t, "next speaking", func(s State) bool { return s.ID == "next" })
	t.Logf("next item %v after Interrupt", moved.Sub(at))
	if err := wait(t, next, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// A reader error ends its item with that error (after what arrived) and the queue goes on.
func TestReaderError(t *testing.T) {
	p, _, _ := newFake(t, Options{})
	boom := errors.New("connection reset")
	bad := p.Enqueue(Item{ID: "bad", PCM: io.MultiReader(bytes.NewReader(sine(24000, 100*time.Millisecond, 440)), errReader{boom}), Rate: 24000})
	good := p.Enqueue(item("good", Normal, sine(24000, 50*time.Millisecond, 440)))
	if err := wait(t, bad, 5*time.Second); !errors.Is(err, boom) {
		t.Fatalf("bad item ended with %v, want %v", err, boom)
	}
	if err := wait(t, good, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// Clear drops the queue and stops the item playing.
func TestClear(t *testing.T) {
	p, _, log := newFake(t, Options{})
	a := p.Enqueue(item("a", Normal, sine(24000, 5*time.Second, 440)))
	b := p.Enqueue(item("b", Normal, sine(24000, 5*time.Second, 440)))
	log.waitFor(t, "a speaking", func(s State) bool { return s.ID == "a" })
	p.Clear()
	if err := wait(t, a, 2*time.Second); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("a ended with %v", err)
	}
	if err := wait(t, b, 2*time.Second); !errors.Is(err, ErrCleared) {
		t.Fatalf("b ended with %v", err)
	}
	log.waitFor(t, "not speaking", func(s State) bool { return !s.Speaking })
}

// Volume scales linearly; speed shortens playback; both apply to the item playing.
func TestVolumeAndSpeed(t *testing.T) {
	loud := func(o Options) (peak float64, played int) {
		p, d, _ := newFake(t, o)
		if err := wait(t, p.Enqueue(item("t", Normal, sine(24000, time.Second, 440))), 10*time.Second); err != nil {
			t.Fatal(err)
		}
		out := d.samples()
		for i := 0; i+480 <= len(out); i += 480 {
			if r := audiotest.RMS(out[i : i+480]); r > 10 {
				peak = max(peak, r)
				played += 480
			}
		}
		return peak, played
	}
	full, n1 := loud(Options{Volume: 1})
	half, _ := loud(Options{Volume: 0.5})
	_, nFast := loud(Options{Volume: 1, Speed: 1.2})
	t.Logf("rms full %.0f half %.0f; played %d samples at 1×, %d at 1.2×", full, half, n1, nFast)
	if math.Abs(half/full-0.5) > 0.05 {
		t.Errorf("volume 0.5 gave %.2f of full", half/full)
	}
	if r := float64(nFast) / float64(n1); math.Abs(r-1/1.2) > 0.05 {
		t.Errorf("speed 1.2 played %.2f of the time, want %.2f", r, 1/1.2)
	}
}

// A device that never opens fails the item within OpenTimeout with a clear error; Serve goes on.
func TestOpenTimeout(t *testing.T) {
	p, d, _ := newFake(t, Options{OpenTimeout: 300 * time.Millisecond})
	d.hang = true
	start := time.Now()
	err := wait(t, p.Enqueue(item("x", Normal, sine(24000, 50*time.Millisecond, 440))), 5*time.Second)
	t.Logf("after %v: %v", time.Since(start), err)
	if !errors.Is(err, audio.ErrNoOutput) || !strings.Contains(err.Error(), "default") {
		t.Fatalf("got %v, want a no-audio-output error naming the device", err)
	}
	d.mu.Lock()
	d.hang = false
	d.mu.Unlock()
	if err := wait(t, p.Enqueue(item("y", Normal, sine(24000, 50*time.Millisecond, 440))), 5*time.Second); err != nil {
		t.Fatalf("after the device came back: %v", err)
	}
}

// The device closes after idling and opens again for the next item.
func TestIdleClose(t *testing.T) {
	p, d, _ := newFake(t, Options{})
	if err := wait(t, p.Enqueue(item("a", Normal, sine(24000, 50*time.Millisecond, 440))), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		d.mu.Lock()
		closes := d.closes
		d.mu.Unlock()
		if closes == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("device not closed after idling")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := wait(t, p.Enqueue(item("b", Normal, sine(24000, 50*time.Millisecond, 440))), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if d.opens != 2 {
		t.Fatalf("opens %d, want 2", d.opens)
	}
}

// Cues: ~150 ms; start rises, stop falls (zero crossings per half), error is two beeps.
func TestCues(t *testing.T) {
	crossings := func(x []int16) int {
		n := 0
		for i := 1; i < len(x); i++ {
			if (x[i-1] < 0) != (x[i] < 0) {
				n++
			}
		}
		return n
	}
	for _, c := range []Cue{CueStart, CueStop, CueError} {
		pcm := audiotest.Samples(CuePCM(c, 24000))
		if d := time.Duration(len(pcm)) * time.Second / 24000; d < 120*time.Millisecond || d > 180*time.Millisecond {
			t.Errorf("cue %d lasts %v", c, d)
		}
		h := len(pcm) / 2
		a, b := crossings(pcm[:h]), crossings(pcm[h:])
		switch c {
		case CueStart:
			if a >= b {
				t.Errorf("start cue does not rise: %d then %d crossings", a, b)
			}
		case CueStop:
			if a <= b {
				t.Errorf("stop cue does not fall: %d then %d crossings", a, b)
			}
		case CueError:
			if mid := pcm[h-200 : h+200]; audiotest.RMS(mid) > 1 {
				t.Errorf("error cue has no pause between its beeps")
			}
		}
	}
}

func TestEnqueueInvalid(t *testing.T) {
	p := New(Options{})
	if err := <-p.Enqueue(Item{ID: "x"}); err == nil {
		t.Fatal("an item without PCM was accepted")
	}
}

// The device callback's work allocates nothing (a garbage collection there would be an audible gap).
func TestRenderDoesNotAllocate(t *testing.T) {
	e := &entry{item: Item{Rate: 24000}, j: newJitter(4 * 24000), prebuffer: 100}
	e.j.fill(bytes.NewReader(sine(24000, 3*time.Second, 440)))
	v := newVoice(e, 48000, 1, 1)
	out := make([]int16, 480)
	if n := testing.AllocsPerRun(200, func() { v.render(out, 1.1, 0.8) }); n != 0 {
		t.Fatalf("render allocates %.1f times per call", n)
	}
}
