package audio

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Capturer. Zero values take the defaults noted.
type Options struct {
	// Device is the input device's name as listed by InputNames; "" is the system default. A named device
	// that is missing is replaced by the default, with a NoticeFallback, and taken back when it returns.
	Device string
	// FrameDuration is the size of the frames Stream delivers and of the device's buffers (20 ms).
	FrameDuration time.Duration
	// RingDuration is how much audio the ring holds (30 s); pre-roll can reach back this far.
	RingDuration time.Duration
	// OnLevel receives the input level about 15 times a second while Run runs.
	OnLevel func(Level)
	// OnNotice receives device events: lost, fallback, recovered, no signal, no device.
	OnNotice func(Notice)
	// Opener opens devices (PortAudio when nil); tests inject fakes.
	Opener Opener
	// StallTimeout is how long a running device may deliver nothing before it counts as lost (500 ms).
	StallTimeout time.Duration
	// StartTimeout is how long a freshly opened device may take to deliver its first buffer (2 s).
	StartTimeout time.Duration
	// NoSignalAfter is how long samples may be exactly zero before NoticeNoSignal (5 s).
	NoSignalAfter time.Duration
	// PollInterval is how often a missing named device is looked for while on the fallback (2 s).
	PollInterval time.Duration
	// WatchInterval is how often a named device being recorded is checked for presence (500 ms): a sound
	// server moves the stream of a vanished source elsewhere without any error, so it must be looked for.
	WatchInterval time.Duration
	// LevelInterval is the level meter's period (1/15 s).
	LevelInterval time.Duration
	// OpenTimeout bounds opening a device (5 s): a wedged sound server can block an open for ever.
	OpenTimeout time.Duration
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.FrameDuration, 20*time.Millisecond)
	def(&o.RingDuration, 30*time.Second)
	def(&o.StallTimeout, 500*time.Millisecond)
	def(&o.StartTimeout, 2*time.Second)
	def(&o.NoSignalAfter, 5*time.Second)
	def(&o.PollInterval, 2*time.Second)
	def(&o.WatchInterval, 500*time.Millisecond)
	def(&o.LevelInterval, time.Second/15)
	def(&o.OpenTimeout, 5*time.Second)
	if o.Opener == nil {
		o.Opener = PortAudioOpener{}
	}
}

// Level is the input level over the last meter period, in dBFS (0 is full scale, -100 is digital silence).
type Level struct {
	RMS  float64 `json:"rms"`
	Peak float64 `json:"peak"`
}

// NoticeKind names a device event.
type NoticeKind string

// Device events reported through Options.OnNotice.
const (
	NoticeFallback  NoticeKind = "fallback"    // recording from the default device instead of the chosen one
	NoticeLost      NoticeKind = "device-lost" // the device stopped delivering samples
	NoticeRecovered NoticeKind = "recovered"   // the chosen device is back and recording again
	NoticeNoSignal  NoticeKind = "no-signal"   // the device delivers only digital silence
	NoticeSignal    NoticeKind = "signal"      // sound arrives again after NoticeNoSignal
	NoticeNoDevice  NoticeKind = "no-device"   // no input device could be opened; retrying
)

// Notice is a device event for the user: Message is ready to show.
type Notice struct {
	Kind    NoticeKind `json:"kind"`
	Device  string     `json:"device"`
	Message string     `json:"message"`
	Err     error      `json:"-"`
}

// Frame is FrameDuration of consecutive samples starting at Pos.
type Frame struct {
	Pos     Position
	Samples []int16
}

// Stats are counters for diagnostics and benchmarks.
type Stats struct {
	Device    string   // device being recorded now
	Fallback  bool     // recording from the default because the chosen device is missing
	End       Position // samples captured so far
	Overflows uint64   // buffers the device reported as overflowed (input dropped before us)
	Overruns  uint64   // samples readers lost by falling more than the ring behind
	Switches  uint64   // device reopenings
	// MaxGap is the longest time between two buffers from one device: with 20 ms buffers anything near
	// 100 ms means the audio thread was starved.
	MaxGap time.Duration
}

// Capturer records from one input device at 16 kHz mono into a ring buffer, watches the device and
// switches to the default (and back) when it goes away. The device is open from Open on, so audio from
// any moment since then can be read (pre-roll: Mark at key-down, then read from that mark).
type Capturer struct {
	opts  Options
	frame int
	ring  *Ring

	gen       atomic.Uint64 // generation of the current stream; only its callbacks write (0: none)
	nextGen   atomic.Uint64 // generations handed out so far
	lastCB    atomic.Int64  // unix nanos of the last callback
	gotCB     atomic.Bool   // the current stream delivered at least once
	overflows atomic.Uint64
	maxGap    atomic.Int64 // longest time between two callbacks of one stream, in nanoseconds

	mu       sync.Mutex
	stream   InputStream
	device   string
	fallback bool
	switches uint64
	closed   bool
	done     chan struct{} // closed by Close
}

// Open opens the device and starts recording at once. If the named device is missing or fails it opens the
// default (NoticeFallback); if no device opens it returns an error. Opening is bounded in time.
func Open(opts Options) (*Capturer, error) {
	opts.defaults()
	c := &Capturer{opts: opts, frame: int(SampleRate * opts.FrameDuration / time.Second), done: make(chan struct{})}
	if c.frame < 1 {
		c.frame = 1
	}
	c.ring = NewRing(int(SampleRate * opts.RingDuration / time.Second))
	var named error
	if opts.Device != "" {
		if named = c.switchTo(opts.Device); named == nil {
			return c, nil
		}
	}
	if err := c.switchTo(""); err != nil {
		if named != nil {
			return nil, fmt.Errorf("no audio input: %w; default device: %w", named, err)
		}
		return nil, fmt.Errorf("no audio input: %w", err)
	}
	if named != nil {
		c.mu.Lock()
		c.fallback = true
		dev := c.device
		c.mu.Unlock()
		c.notify(Notice{Kind: NoticeFallback, Device: dev, Err: named,
			Message: fmt.Sprintf("Microphone %q is not available; using %q instead.", opts.Device, dev)})
	}
	return c, nil
}

func (c *Capturer) notify(n Notice) {
	if c.opts.OnNotice != nil {
		c.opts.OnNotice(n)
	}
}

// callback is the audio-thread path: copy into the ring, stamp the time, nothing else.
func (c *Capturer) callback(gen uint64) Callback {
	return func(s []int16, overflow bool) {
		if c.gen.Load() != gen {
			return
		}
		c.ring.Write(s)
		now := time.Now().UnixNano()
		if c.gotCB.Load() {
			if gap := now - c.lastCB.Load(); gap > c.maxGap.Load() {
				c.maxGap.Store(gap)
			}
		}
		c.lastCB.Store(now)
		c.gotCB.Store(true)
		if overflow {
			c.overflows.Add(1)
		}
	}
}

// switchTo opens name ("" = default) and makes it the current stream, closing the previous one in the
// background (a wedged device can block Close for ever). The previous stream keeps recording until the new
// one has opened, and stays current if it fails to.
func (c *Capturer) switchTo(name string) error {
	gen := c.nextGen.Add(1)
	stream, dev, err := c.openBounded(name, c.callback(gen))
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		go stream.Close()
		return errors.New("capturer closed")
	}
	old := c.stream
	c.stream, c.device = stream, dev
	c.fallback = c.opts.Device != "" && name == ""
	c.switches++
	c.gotCB.Store(false)
	c.lastCB.Store(time.Now().UnixNano())
	c.gen.Store(gen)
	c.mu.Unlock()
	if old != nil {
		go old.Close()
	}
	return nil
}

type openResult struct {
	stream InputStream
	dev    string
	err    error
}

// openBounded opens a device but gives up after OpenTimeout; a late success is closed again.
func (c *Capturer) openBounded(name string, cb Callback) (InputStream, string, error) {
	res := make(chan openResult, 1)
	var mu sync.Mutex // orders "gave up" against "answered", so a late stream is never left open
	gaveUp := false
	go func() {
		s, d, err := c.opts.Opener.Open(name, c.frame, cb)
		mu.Lock()
		defer mu.Unlock()
		if gaveUp {
			if err == nil {
				go s.Close()
			}
			return
		}
		res <- openResult{s, d, err}
	}()
	t := time.NewTimer(c.opts.OpenTimeout)
	defer t.Stop()
	select {
	case r := <-res:
		return r.stream, r.dev, r.err
	case <-t.C:
		mu.Lock()
		gaveUp = true
		mu.Unlock()
		select {
		case r := <-res: // answered just in time
			return r.stream, r.dev, r.err
		default:
		}
		label := name
		if label == "" {
			label = "default"
		}
		return nil, "", fmt.Errorf("open input device %q: no answer within %v", label, c.opts.OpenTimeout)
	}
}

// Mark returns the position the next captured sample will have: call it at key-down, read from it later.
func (c *Capturer) Mark() Position { return c.ring.End() }

// Read copies samples from pos on into dst without blocking; see Ring.ReadFrom.
func (c *Capturer) Read(pos Position, dst []int16) (int, Position) { return c.ring.ReadFrom(pos, dst) }

// Ring returns the capture ring (for waiting on new samples).
func (c *Capturer) Ring() *Ring { return c.ring }

// Stream delivers consecutive FrameDuration frames from pos on until ctx ends, then closes the channel. A
// reader that falls more than the ring behind skips ahead (counted in Stats.Overruns).
func (c *Capturer) Stream(ctx context.Context, from Position) <-chan Frame {
	return c.ring.Stream(ctx, from, c.frame)
}

// Stats returns the current counters.
func (c *Capturer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Device: c.device, Fallback: c.fallback, End: c.ring.End(), Overflows: c.overflows.Load(),
		Overruns: c.ring.Overruns(), Switches: c.switches, MaxGap: time.Duration(c.maxGap.Load())}
}

// Close stops recording. It does not wait for a wedged device longer than a second.
func (c *Capturer) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.done)
	s := c.stream
	c.stream = nil
	c.gen.Store(0)
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		return errors.New("closing the input device: no answer within 1s")
	}
}

// Run meters the level, watches the device and switches devices until ctx ends or Close is called, then
// closes the capturer. OnLevel and OnNotice are called from Run's goroutine (and OnNotice from Open's for a
// fallback at opening): keep them quick.
func (c *Capturer) Run(ctx context.Context) error {
	defer c.Close()
	tick := time.NewTicker(c.opts.LevelInterval)
	defer tick.Stop()
	w := watch{levelPos: c.ring.End(), lastSignal: time.Now(), scratch: make([]int16, SampleRate)}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.done:
			return nil
		case now := <-tick.C:
			c.meter(&w, now)
			c.watchdog(&w, now)
		case r := <-w.probe:
			w.probe = nil
			c.probed(&w, r, time.Now())
		}
	}
}

// watch is Run's state.
type watch struct {
	levelPos   Position
	lastSignal time.Time
	noSignal   bool
	nextOpen   time.Time // after a failed reopen, when to try again
	lost       bool      // the last reopen failed; keep trying
	nextPoll   time.Time
	probe      chan probeResult // answer of an Available check in flight
	nextWatch  time.Time
	probeSince time.Time // when the check in flight started; one that hangs is abandoned
	scratch    []int16
}

func (c *Capturer) isFallback() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fallback
}

// meter computes the level of everything since the last tick and tracks digital silence.
func (c *Capturer) meter(w *watch, now time.Time) {
	var sum float64
	var peak, count int
	for {
		n, next := c.ring.ReadFrom(w.levelPos, w.scratch)
		if n == 0 {
			w.levelPos = next
			break
		}
		for _, s := range w.scratch[:n] {
			v := int(s)
			if v < 0 {
				v = -v
			}
			if v > peak {
				peak = v
			}
			sum += float64(v) * float64(v)
		}
		count += n
		w.levelPos = next
	}
	if count == 0 {
		return
	}
	if peak > 0 {
		w.lastSignal = now
		if w.noSignal {
			w.noSignal = false
			c.notify(Notice{Kind: NoticeSignal, Device: c.Stats().Device, Message: "The microphone delivers sound again."})
		}
	} else if !w.noSignal && now.Sub(w.lastSignal) > c.opts.NoSignalAfter {
		w.noSignal = true
		c.notify(Notice{Kind: NoticeNoSignal, Device: c.Stats().Device,
			Message: "The microphone delivers no sound: check that it is connected and not muted."})
	}
	if c.opts.OnLevel != nil {
		c.opts.OnLevel(Level{RMS: dbfs(math.Sqrt(sum / float64(count))), Peak: dbfs(float64(peak))})
	}
}

func dbfs(v float64) float64 {
	if v <= 0 {
		return -100
	}
	return math.Max(-100, 20*math.Log10(v/32768))
}

// probeResult answers whether the chosen device is present; recovery tells why it was asked.
type probeResult struct {
	present, recovery bool
}

// watchdog reopens on the default device when the current one stops delivering or vanishes, and looks for
// the chosen device while on the fallback. Presence checks run off the loop: probing can block.
func (c *Capturer) watchdog(w *watch, now time.Time) {
	limit := c.opts.StallTimeout
	if !c.gotCB.Load() {
		limit = c.opts.StartTimeout
	}
	stalled := now.Sub(time.Unix(0, c.lastCB.Load())) > limit
	if (stalled || w.lost) && !now.Before(w.nextOpen) {
		c.fallBack(w, now, "stopped delivering sound")
		return
	}
	if w.probe != nil && now.Sub(w.probeSince) > c.opts.OpenTimeout {
		w.probe = nil // a wedged check: its goroutine answers into a buffered channel nobody reads
	}
	if w.probe != nil || c.opts.Device == "" || w.lost {
		return
	}
	fallback := c.isFallback()
	switch {
	case fallback && !now.Before(w.nextPoll):
		w.nextPoll = now.Add(c.opts.PollInterval)
	case !fallback && !now.Before(w.nextWatch):
		w.nextWatch = now.Add(c.opts.WatchInterval)
	default:
		return
	}
	w.probe, w.probeSince = make(chan probeResult, 1), now
	probe, name, opener := w.probe, c.opts.Device, c.opts.Opener
	go func() { probe <- probeResult{present: opener.Available(name), recovery: fallback} }()
}

// probed acts on a presence check: take the chosen device back, or leave it because it vanished.
func (c *Capturer) probed(w *watch, r probeResult, now time.Time) {
	fallback := c.isFallback()
	switch {
	case r.recovery && r.present && fallback:
		if err := c.switchTo(c.opts.Device); err == nil {
			w.nextWatch = now.Add(c.opts.WatchInterval)
			c.notify(Notice{Kind: NoticeRecovered, Device: c.opts.Device,
				Message: fmt.Sprintf("Microphone %q is back.", c.opts.Device)})
		}
	case !r.recovery && !r.present && !fallback:
		c.fallBack(w, now, "was disconnected")
	}
}

// fallBack reports the current device lost and opens the default one, retrying every second while none opens.
func (c *Capturer) fallBack(w *watch, now time.Time, why string) {
	dev := c.Stats().Device
	if !w.lost {
		c.notify(Notice{Kind: NoticeLost, Device: dev, Message: fmt.Sprintf("Microphone %q %s.", dev, why)})
	}
	if err := c.switchTo(""); err != nil {
		if !w.lost {
			c.notify(Notice{Kind: NoticeNoDevice, Err: err, Message: "No microphone could be opened; retrying."})
		}
		w.lost, w.nextOpen = true, now.Add(time.Second)
		return
	}
	w.lost = false
	st := c.Stats()
	c.notify(Notice{Kind: NoticeFallback, Device: st.Device, Message: fmt.Sprintf("Recording from %q now.", st.Device)})
	w.nextPoll = now.Add(c.opts.PollInterval)
}
