package player

import (
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
)

// The test binary brings its own sound server (audiotest.Main); unit tests use fakeDevice and ignore it.
func TestMain(m *testing.M) { os.Exit(audiotest.Main(m, audiotest.Asoundrc)) }

// signal is a non-repeating test sound at rate: tone bursts of random pitch (200–2000 Hz), level and length
// with short pauses, so both its waveform and its 10 ms envelope identify any stretch of it.
func signal(seed uint64, rate int, d time.Duration) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]int16, int(d.Seconds()*float64(rate)))
	for i := 0; i < len(out); {
		n := min(len(out)-i, rate*(40+r.IntN(80))/1000)
		hz, amp := 200+1800*r.Float64(), 3000+12000*r.Float64()
		for k := range n {
			env := math.Sin(math.Pi * float64(k) / float64(n))
			out[i+k] = int16(amp * env * math.Sin(2*math.Pi*hz*float64(k)/float64(rate)))
		}
		i += n + min(len(out)-i-n, rate*(10+r.IntN(30))/1000)
	}
	return out
}

func bytesOf(pcm []int16) []byte {
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// pacedReader hands out PCM in real time, 20 ms at a time, and stalls for stall once at stallAt bytes.
type pacedReader struct {
	data     []byte
	pos      int
	rate     int
	start    time.Time
	stallAt  int
	stall    time.Duration
	stalled  bool
	extraLag time.Duration
}

func (r *pacedReader) Read(p []byte) (int, error) {
	if r.pos >= len(r.data) {
		return 0, io.EOF
	}
	if r.start.IsZero() {
		r.start = time.Now()
	}
	if r.stall > 0 && !r.stalled && r.pos >= r.stallAt {
		r.stalled = true
		time.Sleep(r.stall)
		r.extraLag = r.stall
	}
	// Deliver what is due by now (bytes at 2 per sample), at least one 20 ms chunk.
	due := int(time.Since(r.start)-r.extraLag) * r.rate / int(time.Second) * 2
	chunk := r.rate / 50 * 2
	if due <= r.pos {
		time.Sleep(20 * time.Millisecond)
		due = r.pos + chunk
	}
	end := min(len(r.data), due, r.pos+len(p))
	if r.stall > 0 && !r.stalled && r.pos < r.stallAt {
		end = min(end, r.stallAt)
	}
	n := copy(p, r.data[r.pos:end])
	r.pos += n
	return n, nil
}

// fakeDevice stands in for the sound card: a goroutine calling fill every 10 ms with 10 ms of samples at
// 48 kHz, keeping everything it was handed.
type fakeDevice struct {
	mu     sync.Mutex
	out    []int16
	opens  int
	closes int
	hang   bool  // Open never returns
	fail   error // Open fails
}

const fakeRate = 48000

type fakeStream struct {
	stop chan struct{}
	done chan struct{}
	once sync.Once
	d    *fakeDevice
}

func (s *fakeStream) Close() error {
	s.once.Do(func() {
		close(s.stop)
		<-s.done
		s.d.mu.Lock()
		s.d.closes++
		s.d.mu.Unlock()
	})
	return nil
}

func (d *fakeDevice) open(name string, rate, frame int, fill func([]int16)) (audio.OutputStream, string, int, error) {
	d.mu.Lock()
	hang, fail := d.hang, d.fail
	d.mu.Unlock()
	if hang {
		select {}
	}
	if fail != nil {
		return nil, "", 0, fail
	}
	d.mu.Lock()
	d.opens++
	d.mu.Unlock()
	s := &fakeStream{stop: make(chan struct{}), done: make(chan struct{}), d: d}
	go func() {
		defer close(s.done)
		buf := make([]int16, fakeRate/100)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
			fill(buf)
			d.mu.Lock()
			d.out = append(d.out, buf...)
			d.mu.Unlock()
		}
	}()
	return s, "fake", fakeRate, nil
}

func (d *fakeDevice) samples() []int16 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]int16(nil), d.out...)
}

// stateLog records OnState calls with their times.
type stateLog struct {
	mu     sync.Mutex
	states []State
	times  []time.Time
	ch     chan State
}

func newStateLog() *stateLog { return &stateLog{ch: make(chan State, 100)} }

func (l *stateLog) on(st State) {
	l.mu.Lock()
	l.states = append(l.states, st)
	l.times = append(l.times, time.Now())
	l.mu.Unlock()
	select {
	case l.ch <- st:
	default:
	}
}

// waitFor waits for a state matching ok, bounded, and returns when it was reported.
func (l *stateLog) waitFor(t testing.TB, what string, ok func(State) bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		l.mu.Lock()
		for i, st := range l.states {
			if ok(st) {
				at := l.times[i]
				l.mu.Unlock()
				return at
			}
		}
		l.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no state %s; got %+v", what, l.all())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (l *stateLog) all() []State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]State(nil), l.states...)
}

// serve runs p until the test ends.
func serve(t testing.TB, p *Player) {
	t.Helper()
	ctx, cancel := contextWithCancel()
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
		}
	})
}

// wait waits for an item's result, bounded.
func wait(t testing.TB, done <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		t.Fatalf("item not over within %v", within)
		return nil
	}
}
