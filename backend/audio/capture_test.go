package audio

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOpener stands in for PortAudio: devices by name ("" is the default), each stream a goroutine calling
// back every 20 ms with samples of the device's value (or zeros).
type fakeOpener struct {
	mu      sync.Mutex
	present map[string]bool
	value   map[string]int16
	paused  map[string]bool // stream alive but delivering nothing (a stalled device)
	fails   map[string]bool // listed and "available", but opening fails
	probes  int             // Available calls
	block   chan struct{}   // non-nil: Open blocks until it is closed
}

func newFake(devs map[string]int16) *fakeOpener {
	f := &fakeOpener{present: map[string]bool{}, value: devs, paused: map[string]bool{}, fails: map[string]bool{}}
	for name := range devs {
		f.present[name] = true
	}
	return f
}

func (f *fakeOpener) set(fn func(f *fakeOpener)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

type fakeStream struct {
	stop chan struct{}
	once sync.Once
}

func (s *fakeStream) Close() error { s.once.Do(func() { close(s.stop) }); return nil }

func (f *fakeOpener) Open(name string, frame int, cb Callback) (InputStream, string, error) {
	f.mu.Lock()
	block := f.block
	f.mu.Unlock()
	if block != nil {
		<-block
		return nil, "", errors.New("blocked open gave up")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.present[name] {
		return nil, "", ErrDeviceNotFound
	}
	if f.fails[name] {
		return nil, "", errors.New("device busy")
	}
	label := name
	if label == "" {
		label = "default"
	}
	s := &fakeStream{stop: make(chan struct{})}
	go func() {
		buf := make([]int16, frame)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
			f.mu.Lock()
			paused, v := f.paused[name], f.value[name]
			f.mu.Unlock()
			if paused {
				continue
			}
			for i := range buf {
				buf[i] = v
			}
			cb(buf, false)
		}
	}()
	return s, label, nil
}

func (f *fakeOpener) Available(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.probes++
	return f.present[name]
}

// notices collects notices and lets a test wait for one kind, with a bound.
type notices struct {
	mu   sync.Mutex
	list []Notice
	ch   chan struct{}
}

func newNotices() *notices { return &notices{ch: make(chan struct{}, 100)} }

func (n *notices) add(x Notice) {
	n.mu.Lock()
	n.list = append(n.list, x)
	n.mu.Unlock()
	select {
	case n.ch <- struct{}{}:
	default:
	}
}

// wait returns the first notice of kind after index from, failing the test after limit.
func (n *notices) wait(t testing.TB, kind NoticeKind, from int, limit time.Duration) (Notice, int) {
	t.Helper()
	deadline := time.After(limit)
	for {
		n.mu.Lock()
		for i := from; i < len(n.list); i++ {
			if n.list[i].Kind == kind {
				x := n.list[i]
				n.mu.Unlock()
				return x, i + 1
			}
		}
		n.mu.Unlock()
		select {
		case <-n.ch:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			n.mu.Lock()
			defer n.mu.Unlock()
			t.Fatalf("no %s notice within %v; got %+v", kind, limit, n.list)
		}
	}
}

func fastOptions(f Opener, n *notices) Options {
	return Options{Opener: f, OnNotice: n.add, StallTimeout: 200 * time.Millisecond, StartTimeout: 500 * time.Millisecond,
		PollInterval: 100 * time.Millisecond, WatchInterval: 100 * time.Millisecond, NoSignalAfter: 300 * time.Millisecond,
		OpenTimeout: 300 * time.Millisecond}
}

// run starts c.Run and stops it at the end of the test, checking that it returns.
func run(t *testing.T, c *Capturer) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

// frameValue waits for a frame from pos on whose samples all equal want, bounded.
func frameValue(t *testing.T, c *Capturer, want int16) Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for f := range c.Stream(ctx, c.Mark()) {
		if f.Samples[0] == want && f.Samples[len(f.Samples)-1] == want {
			return f
		}
	}
	t.Fatalf("no frame of value %d within 5s (stats %+v)", want, c.Stats())
	return Frame{}
}

func TestCaptureFallsBackAndRecovers(t *testing.T) {
	f := newFake(map[string]int16{"": 100, "usb": 200})
	f.present["usb"] = false
	n := newNotices()
	c, err := Open(Options{Device: "usb"}.with(fastOptions(f, n)))
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := n.wait(t, NoticeFallback, 0, time.Second); x.Device != "default" || !strings.Contains(x.Message, "usb") {
		t.Fatalf("fallback notice %+v", x)
	}
	if st := c.Stats(); st.Device != "default" || !st.Fallback {
		t.Fatalf("stats %+v, want default as fallback", st)
	}
	run(t, c)
	frameValue(t, c, 100)
	f.set(func(f *fakeOpener) { f.present["usb"] = true })
	n.wait(t, NoticeRecovered, 0, 5*time.Second)
	frameValue(t, c, 200)
	if st := c.Stats(); st.Device != "usb" || st.Fallback {
		t.Fatalf("stats %+v, want usb again", st)
	}
}

// with fills o's zero fields from d (the test's fast timings) and keeps o's own.
func (o Options) with(d Options) Options {
	d.Device = o.Device
	return d
}

func TestCaptureNoDeviceIsAClearError(t *testing.T) {
	f := newFake(map[string]int16{})
	start := time.Now()
	_, err := Open(Options{Device: "usb"}.with(fastOptions(f, newNotices())))
	if err == nil || !strings.Contains(err.Error(), "no audio input") || !errors.Is(err, ErrDeviceNotFound) {
		t.Fatalf("Open with no devices: %v", err)
	}
	// A sound server that never answers: Open gives up after OpenTimeout.
	f.block = make(chan struct{})
	defer close(f.block)
	_, err = Open(fastOptions(f, newNotices()))
	if err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("Open with a wedged server: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

// A device that stops calling back is lost: notice, then frames from the default.
func TestCaptureStalledDeviceFallsBack(t *testing.T) {
	f := newFake(map[string]int16{"": 100, "usb": 200})
	n := newNotices()
	c, err := Open(Options{Device: "usb"}.with(fastOptions(f, n)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	frameValue(t, c, 200)
	stalled := time.Now()
	f.set(func(f *fakeOpener) { f.paused["usb"] = true })
	x, i := n.wait(t, NoticeLost, 0, 5*time.Second)
	t.Logf("lost after %v: %s", time.Since(stalled), x.Message)
	n.wait(t, NoticeFallback, i, 5*time.Second)
	frameValue(t, c, 100)
}

// A device that keeps delivering but is no longer there (a sound server moved its stream) is lost too.
func TestCaptureVanishedDeviceFallsBack(t *testing.T) {
	f := newFake(map[string]int16{"": 100, "usb": 200})
	n := newNotices()
	c, err := Open(Options{Device: "usb"}.with(fastOptions(f, n)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	frameValue(t, c, 200)
	f.set(func(f *fakeOpener) { f.present["usb"] = false })
	_, i := n.wait(t, NoticeLost, 0, 5*time.Second)
	n.wait(t, NoticeFallback, i, 5*time.Second)
	frameValue(t, c, 100)
	// Gone for good: with no device at all a notice says so, and it comes back when a device does.
	f.set(func(f *fakeOpener) { f.paused[""] = true; f.present[""] = false })
	n.wait(t, NoticeNoDevice, i, 5*time.Second)
	f.set(func(f *fakeOpener) { f.paused[""] = false; f.present[""] = true })
	frameValue(t, c, 100)
}

func TestCaptureNoSignalAndLevels(t *testing.T) {
	f := newFake(map[string]int16{"": 0})
	n := newNotices()
	levels := make(chan Level, 1000)
	o := fastOptions(f, n)
	o.OnLevel = func(l Level) { levels <- l }
	c, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	_, i := n.wait(t, NoticeNoSignal, 0, 5*time.Second)
	f.set(func(f *fakeOpener) { f.value[""] = 16384 })
	n.wait(t, NoticeSignal, i, 5*time.Second)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case l := <-levels:
			if math.Abs(l.RMS-(-6.02)) < 0.1 && math.Abs(l.Peak-(-6.02)) < 0.1 {
				return
			}
		case <-deadline:
			t.Fatal("no level of -6 dBFS for a half-scale signal")
		}
	}
}

// Pre-roll: Mark at key-down, Stream from the mark: the first frame starts exactly there and the frames
// are contiguous, even though the reader starts late.
func TestCapturePreRollFromMark(t *testing.T) {
	f := newFake(map[string]int16{"": 7})
	c, err := Open(fastOptions(f, newNotices()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-c.Ring().Wait(0)
	mark := c.Mark()
	<-c.Ring().Wait(mark + 5*320) // the "socket" connects 100+ ms later
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	next := mark
	for fr := range c.Stream(ctx, mark) {
		if fr.Pos != next || len(fr.Samples) != 320 {
			t.Fatalf("frame at %d (len %d), want %d", fr.Pos, len(fr.Samples), next)
		}
		next += 320
		if next >= mark+10*320 {
			return
		}
	}
	t.Fatal("stream ended early")
}

// A chosen device that is listed but will not open does not disturb the fallback: it keeps recording,
// with no lost-device notice and no switch.
func TestCaptureFailedRecoveryKeepsFallback(t *testing.T) {
	f := newFake(map[string]int16{"": 100, "usb": 200})
	f.fails["usb"] = true
	n := newNotices()
	c, err := Open(Options{Device: "usb"}.with(fastOptions(f, n)))
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	deadline := time.Now().Add(10 * time.Second)
	for probes := 0; probes < 5; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d presence checks in 10s", probes)
		}
		time.Sleep(20 * time.Millisecond)
		f.set(func(f *fakeOpener) { probes = f.probes })
	}
	frameValue(t, c, 100)
	if st := c.Stats(); st.Device != "default" || !st.Fallback || st.Switches != 1 {
		t.Fatalf("stats %+v, want still on the default after one switch", st)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.list {
		if x.Kind != NoticeFallback {
			t.Errorf("unexpected notice %+v", x)
		}
	}
}
