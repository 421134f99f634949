// Package player plays TonnyTray's voice: spoken replies and sound cues, one at a time from a queue ordered
// by priority, through a jitter buffer so a stalling network stream plays silence instead of gapping or
// hanging, with barge-in (Interrupt), volume and speed.
//
// The signal chain is gopxl/beep (the item's PCM as a beep.Streamer → beep.Resampler to the device rate and
// speed → effects.Volume), rendered into audio.OpenOutput's callback. beep's own speaker package is not
// used: its Init does not fail when no device opens and playback then hangs.
//
// Priority is simple: the queue is ordered by Priority, then FIFO, and the item playing is never pre-empted
// by a later one of higher priority; it finishes first unless Interrupt is called.
package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
)

// Priority orders the queue.
type Priority int

// Priorities: cues and alerts are Urgent, replies Normal.
const (
	Low Priority = iota
	Normal
	Urgent
)

// Item is one thing to play.
type Item struct {
	ID   string // for the UI and the log
	Text string
	// PCM is signed 16-bit little-endian mono at Rate. It may be a network stream that stalls; it is read
	// on its own goroutine and closed (when it is an io.Closer) once the item ends or is dropped.
	PCM      io.Reader
	Rate     int
	Priority Priority
}

// State is what the player is doing.
type State struct {
	Speaking bool
	ID, Text string
	// Underruns counts the times an item's buffer ran dry mid-item (silence was played), since New.
	Underruns int
}

// Options configure a Player.
type Options struct {
	Device string  // output device name, "" = default
	Volume float64 // 0..1, linear gain; the zero value mutes (pass the user's setting)
	Speed  float64 // 0.7..1.2, 1 = normal; 0 means 1
	// Jitter is how much audio is buffered before an item starts (default 150 ms).
	Jitter time.Duration
	// OpenTimeout bounds opening the device (default 2 s).
	OpenTimeout time.Duration
	// OnState is called when speaking starts, moves to the next item or stops (the daemon gates the
	// microphone with it). It is called from Serve's goroutine and must not block.
	OnState func(State)
	Log     *slog.Logger
}

// Errors an item can end with (besides its reader's error and the device's).
var (
	ErrInterrupted = errors.New("playback interrupted")
	ErrCleared     = errors.New("playback cleared")
	ErrStopped     = errors.New("player stopped")
)

const (
	deviceRate   = 48000                  // asked of the device; it may give its own rate
	deviceFrame  = deviceRate / 100       // 10 ms callbacks
	idleClose    = 2 * time.Second        // close the device after this long with nothing to play
	ringSeconds  = 4                      // read-ahead per item
	stopDeadline = 200 * time.Millisecond // force an interrupted item off if the device stopped calling back
)

// opener opens the output device; audio.OpenOutput in production, a fake in unit tests.
type opener func(name string, rate, frameSamples int, fill func(out []int16)) (audio.OutputStream, string, int, error)

// entry is a queued item.
type entry struct {
	item      Item
	seq       uint64
	j         *jitter
	prebuffer int
	done      chan error
	enqueued  time.Time
}

// Player is the playback queue; Serve runs it.
type Player struct {
	o    Options
	open opener
	log  *slog.Logger

	volume atomic.Uint64 // float64 bits
	speed  atomic.Uint64
	cur    atomic.Pointer[voice] // read by the audio callback
	wake   chan struct{}         // poked by every request and by the callback when an item ends

	mu        sync.Mutex
	queue     []*entry
	seq       uint64
	state     State
	gen       uint64       // bumped by Clear
	ended     func(*entry) // test hook: an entry left the device
	stopped   bool         // Serve returned
	underruns int          // from finished items
}

// New makes a Player; nothing opens until Serve runs and something is queued.
func New(o Options) *Player {
	if o.Jitter <= 0 {
		o.Jitter = 150 * time.Millisecond
	}
	if o.OpenTimeout <= 0 {
		o.OpenTimeout = 2 * time.Second
	}
	if o.Jitter > ringSeconds*time.Second/2 {
		o.Jitter = ringSeconds * time.Second / 2
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	p := &Player{o: o, open: audio.OpenOutput, log: o.Log, wake: make(chan struct{}, 1)}
	p.SetVolume(o.Volume)
	if o.Speed == 0 {
		o.Speed = 1
	}
	p.SetSpeed(o.Speed)
	return p
}

// SetVolume sets the linear gain, clamped to 0..1; it applies at once, also to the item playing.
func (p *Player) SetVolume(v float64) {
	if math.IsNaN(v) {
		v = 1
	}
	p.volume.Store(math.Float64bits(max(0, min(1, v))))
}

// SetSpeed sets the speaking rate, clamped to 0.7..1.2 (1 = normal; pitch moves with it); it applies at
// once, also to the item playing.
func (p *Player) SetSpeed(s float64) {
	if math.IsNaN(s) {
		s = 1
	}
	p.speed.Store(math.Float64bits(max(0.7, min(1.2, s))))
}

// State reports what is playing.
func (p *Player) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state
	st.Underruns = p.totalUnderruns()
	return st
}

func (p *Player) totalUnderruns() int {
	n := p.underruns
	if v := p.cur.Load(); v != nil {
		n += int(v.e.j.underruns.Load())
	}
	return n
}

// Enqueue queues it and starts reading its PCM into its jitter buffer at once. The returned channel (buffered)
// receives exactly one value when the item is over: nil when it played to the end; ErrInterrupted,
// ErrCleared or ErrStopped when it was dropped; its reader's error (after what arrived before it played);
// or the device's error when the output could not be opened — within OpenTimeout, naming the device and the
// reason (audio.ErrNoOutput). Nobody has to read it.
func (p *Player) Enqueue(it Item) <-chan error {
	done := make(chan error, 1)
	if it.PCM == nil || it.Rate <= 0 {
		done <- fmt.Errorf("play %q: no PCM or no sample rate", it.ID)
		return done
	}
	e := &entry{item: it, j: newJitter(ringSeconds * it.Rate), done: done, enqueued: time.Now(),
		prebuffer: max(1, int(p.o.Jitter.Seconds()*float64(it.Rate)))}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		done <- ErrStopped
		return done
	}
	p.seq++
	e.seq = p.seq
	// Ordered by priority, then FIFO: insert after the last entry of the same or higher priority.
	i := len(p.queue)
	for i > 0 && p.queue[i-1].item.Priority < it.Priority {
		i--
	}
	p.queue = append(p.queue, nil)
	copy(p.queue[i+1:], p.queue[i:])
	p.queue[i] = e
	p.mu.Unlock()
	go e.j.fill(it.PCM)
	p.poke()
	return done
}

// Interrupt stops the item playing (barge-in): it fades out within a few milliseconds and the queue goes on
// with the next item. It also works while the item is stalled waiting for data.
func (p *Player) Interrupt() {
	if v := p.cur.Load(); v != nil {
		v.stop.Store(true) // the callback fades it at once, without waiting for Serve
	}
	p.poke()
}

// Clear stops the item playing and drops everything queued.
func (p *Player) Clear() {
	p.mu.Lock()
	dropped := p.queue
	p.queue = nil
	p.gen++ // an entry Serve has taken but not started yet is dropped too
	p.mu.Unlock()
	for _, e := range dropped {
		p.finish(e, ErrCleared)
	}
	p.Interrupt()
}

func (p *Player) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// finish ends an entry: stops its reader, closes its PCM and reports err.
func (p *Player) finish(e *entry, err error) {
	close(e.j.quit)
	if c, ok := e.item.PCM.(io.Closer); ok {
		go c.Close() // a network body may block in Close while its Read is stuck
	}
	if err != nil && !errors.Is(err, ErrInterrupted) && !errors.Is(err, ErrCleared) && !errors.Is(err, ErrStopped) {
		p.log.Warn("playback failed", "id", e.item.ID, "err", err)
	}
	e.done <- err
}

// fill is the device callback: the current voice renders, or silence.
func (p *Player) fill(out []int16) {
	v := p.cur.Load()
	if v == nil || v.finished.Load() {
		clear(out)
		return
	}
	speed := math.Float64frombits(p.speed.Load())
	volume := math.Float64frombits(p.volume.Load())
	if !v.render(out, speed, volume) {
		v.finished.Store(true)
		p.poke()
	}
}

// Serve owns the device: it opens it when there is something to play, plays the queue, and closes it after
// ~2 s idle. It returns nil when ctx ends, after dropping what is queued (ErrStopped).
func (p *Player) Serve(ctx context.Context) error {
	var (
		out    audio.OutputStream
		rate   int
		idle   = time.NewTimer(time.Hour)
		force  = time.NewTimer(time.Hour)
		forced *voice // the stopping voice force is armed for
	)
	idle.Stop()
	force.Stop()
	closeOut := func() {
		if out != nil {
			go out.Close() // may block on a hung device; the next open waits for it under audio's lock
			out = nil
		}
	}
	defer func() {
		p.mu.Lock()
		p.stopped = true
		dropped := p.queue
		p.queue = nil
		p.mu.Unlock()
		if v := p.cur.Load(); v != nil {
			p.end(v, ErrStopped, false)
		}
		for _, e := range dropped {
			p.finish(e, ErrStopped)
		}
		closeOut()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		case <-idle.C:
			if p.cur.Load() == nil {
				closeOut()
			}
			continue
		case <-force.C:
			// The device stopped calling back during a stop: take the voice off without it.
			if v := p.cur.Load(); v != nil && v == forced {
				v.finished.Store(true)
			}
		}
		v := p.cur.Load()
		if v != nil && !v.finished.Load() {
			if v.stop.Load() && forced != v {
				forced = v
				force.Reset(stopDeadline)
			}
			continue
		}
		var next *entry
		p.mu.Lock()
		if len(p.queue) > 0 {
			next, p.queue = p.queue[0], p.queue[1:]
		}
		gen := p.gen
		p.mu.Unlock()
		if v != nil {
			var err error
			if v.e.j.eof.Load() { // err is written before eof is set; reading it earlier races the reader
				err = v.e.j.err
			}
			if v.stop.Load() {
				err = ErrInterrupted
			}
			p.end(v, err, next != nil)
		}
		if next == nil {
			if out != nil {
				idle.Reset(idleClose)
			}
			continue
		}
		idle.Stop()
		if out == nil {
			var err error
			if out, rate, err = p.openDevice(); err != nil {
				p.failAll(next, err)
				continue
			}
		}
		nv := newVoice(next, rate, math.Float64frombits(p.speed.Load()), math.Float64frombits(p.volume.Load()))
		p.mu.Lock()
		if gen != p.gen { // cleared while the device opened
			p.state = State{}
			st := State{Underruns: p.underruns}
			p.mu.Unlock()
			p.finish(next, ErrCleared)
			p.notify(st)
			p.poke() // something may have been queued since
			continue
		}
		p.state = State{Speaking: true, ID: next.item.ID, Text: next.item.Text}
		p.cur.Store(nv)
		st := p.state
		st.Underruns = p.underruns
		p.mu.Unlock()
		p.notify(st)
	}
}

// end retires a voice; unless another item follows at once, the player stops speaking.
func (p *Player) end(v *voice, err error, more bool) {
	p.mu.Lock()
	p.underruns += int(v.e.j.underruns.Load())
	p.cur.Store(nil)
	var st State
	if !more {
		p.state = State{}
	}
	st = p.state
	st.Underruns = p.underruns
	p.mu.Unlock()
	if p.ended != nil {
		p.ended(v.e)
	}
	p.finish(v.e, err)
	if !more {
		p.notify(st)
	}
}

func (p *Player) notify(st State) {
	if p.o.OnState != nil {
		p.o.OnState(st)
	}
}

// failAll reports a device error to the entry taken and everything queued: they cannot play.
func (p *Player) failAll(first *entry, err error) {
	p.mu.Lock()
	dropped := p.queue
	p.queue = nil
	p.mu.Unlock()
	p.log.Warn("cannot play", "err", err)
	for _, e := range append([]*entry{first}, dropped...) {
		e.done <- err
		close(e.j.quit)
		if c, ok := e.item.PCM.(io.Closer); ok {
			go c.Close()
		}
	}
}

// openDevice opens the output within OpenTimeout. A late open is closed when it completes.
func (p *Player) openDevice() (audio.OutputStream, int, error) {
	type result struct {
		s    audio.OutputStream
		name string
		rate int
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		s, name, rate, err := p.open(p.o.Device, deviceRate, deviceFrame, p.fill)
		ch <- result{s, name, rate, err}
	}()
	timer := time.NewTimer(p.o.OpenTimeout)
	defer timer.Stop()
	label := p.o.Device
	if label == "" {
		label = "default"
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, 0, fmt.Errorf("play: %w", r.err)
		}
		p.log.Info("output open", "device", r.name, "rate", r.rate)
		return r.s, r.rate, nil
	case <-timer.C:
		go func() {
			if r := <-ch; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, 0, fmt.Errorf("play: %w: output device %q did not open within %v", audio.ErrNoOutput, label, p.o.OpenTimeout)
	}
}
