package audio

import (
	"sync"
)

// Position is the sequence number of one sample since the capturer opened: it only grows, across device
// switches too, so "everything since key-down" is simply everything from the Position taken at key-down.
type Position uint64

// Ring holds the most recent samples. The writer (the audio callback) only copies under a tiny mutex and
// wakes waiting readers; readers that fall more than the ring's length behind lose the oldest samples and
// the loss is counted.
type Ring struct {
	mu      sync.Mutex
	buf     []int16
	end     Position      // position one past the newest sample
	wake    chan struct{} // closed and replaced on every write
	overrun uint64        // samples readers asked for that had already been overwritten
}

// NewRing returns a ring that holds size samples.
func NewRing(size int) *Ring {
	if size < 1 {
		size = 1
	}
	return &Ring{buf: make([]int16, size), wake: make(chan struct{})}
}

// Write appends samples, overwriting the oldest ones when full. It never blocks on readers.
func (r *Ring) Write(s []int16) {
	r.mu.Lock()
	n := len(r.buf)
	if len(s) > n {
		r.end += Position(len(s) - n)
		s = s[len(s)-n:]
	}
	for len(s) > 0 {
		i := int(uint64(r.end) % uint64(n))
		c := copy(r.buf[i:], s)
		s = s[c:]
		r.end += Position(c)
	}
	close(r.wake)
	r.wake = make(chan struct{})
	r.mu.Unlock()
}

// End returns the position one past the newest sample: the position the next written sample will get.
func (r *Ring) End() Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.end
}

// Start returns the oldest position still held.
func (r *Ring) Start() Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.start()
}

func (r *Ring) start() Position {
	if uint64(r.end) < uint64(len(r.buf)) {
		return 0
	}
	return r.end - Position(len(r.buf))
}

// ReadFrom copies samples from pos on into dst and returns how many it copied and the position after them.
// If pos has already been overwritten, reading starts at the oldest held sample and the skipped samples are
// counted as an overrun. It never blocks: with nothing new it returns 0, pos.
func (r *Ring) ReadFrom(pos Position, dst []int16) (int, Position) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st := r.start(); pos < st {
		r.overrun += uint64(st - pos)
		pos = st
	}
	if pos >= r.end {
		return 0, pos
	}
	avail := int(r.end - pos)
	if avail > len(dst) {
		avail = len(dst)
	}
	n := len(r.buf)
	done := 0
	for done < avail {
		i := int(uint64(pos+Position(done)) % uint64(n))
		done += copy(dst[done:avail], r.buf[i:])
	}
	return avail, pos + Position(avail)
}

// Wait returns a channel that is closed as soon as a sample at or after pos is written (at once if one is).
func (r *Ring) Wait(pos Position) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pos < r.end {
		return closedChan
	}
	return r.wake
}

// Overruns returns how many samples readers lost because they fell behind by more than the ring holds.
func (r *Ring) Overruns() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overrun
}

// closedChan is a constant: an always-ready channel.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()
