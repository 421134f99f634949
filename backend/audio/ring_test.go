package audio

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"
)

// seq returns n samples whose values encode their positions, so any misplaced sample shows.
func seq(from Position, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(uint64(from) + uint64(i))
	}
	return s
}

func TestRingWrapsAroundAndCountsOverrun(t *testing.T) {
	r := NewRing(10)
	for pos := Position(0); pos < 25; pos += 3 {
		r.Write(seq(pos, 3))
	}
	if r.End() != 27 || r.Start() != 17 {
		t.Fatalf("End, Start = %d, %d; want 27, 17", r.End(), r.Start())
	}
	dst := make([]int16, 20)
	n, next := r.ReadFrom(20, dst)
	if n != 7 || next != 27 {
		t.Fatalf("ReadFrom(20) = %d, %d; want 7, 27", n, next)
	}
	for i, v := range dst[:n] {
		if v != int16(20+i) {
			t.Fatalf("sample %d = %d, want %d", 20+i, v, 20+i)
		}
	}
	n, next = r.ReadFrom(5, dst)
	if n != 10 || next != 27 || dst[0] != 17 || r.Overruns() != 12 {
		t.Fatalf("ReadFrom(5) = %d, %d, first %d, overruns %d; want 10, 27, 17, 12", n, next, dst[0], r.Overruns())
	}
	if n, next = r.ReadFrom(27, dst); n != 0 || next != 27 {
		t.Fatalf("ReadFrom(end) = %d, %d", n, next)
	}
	// A write larger than the ring keeps its newest samples.
	r.Write(seq(27, 25))
	if n, next = r.ReadFrom(42, dst); n != 10 || next != 52 || dst[0] != 42 || dst[9] != 51 {
		t.Fatalf("after a big write: %d, %d, %v", n, next, dst[:n])
	}
}

func TestRingWaitWakesReader(t *testing.T) {
	r := NewRing(100)
	w := r.Wait(0)
	select {
	case <-w:
		t.Fatal("Wait(0) ready on an empty ring")
	default:
	}
	r.Write(seq(0, 5))
	select {
	case <-w:
	case <-time.After(5 * time.Second):
		t.Fatal("Wait not woken by Write")
	}
	select {
	case <-r.Wait(3):
	default:
		t.Fatal("Wait for a held position not ready at once")
	}
}

// One writer in random-sized chunks (as an audio callback would), several readers: every sample a reader
// gets is the one at its position, and what it got plus what it lost is everything written.
func TestRingConcurrentWriterReaders(t *testing.T) {
	const total = 200000
	r := NewRing(4096)
	var wg sync.WaitGroup
	reader := func(slow bool) {
		defer wg.Done()
		dst := make([]int16, 500)
		pos := Position(0)
		got, lost := 0, 0
		for slow && r.End() < 3*4096 { // start behind by more than the ring: at least one overrun
			<-r.Wait(r.End())
		}
		for pos < total {
			before := r.Overruns()
			n, next := r.ReadFrom(pos, dst)
			skipped := int(next) - n - int(pos)
			if skipped > 0 && r.Overruns() < before+uint64(skipped) {
				t.Errorf("skipped %d samples but overruns only grew by %d", skipped, r.Overruns()-before)
				return
			}
			lost += max(skipped, 0)
			for i, v := range dst[:n] {
				if want := int16(uint64(next) - uint64(n) + uint64(i)); v != want {
					t.Errorf("sample at %d = %d, want %d", int(next)-n+i, v, want)
					return
				}
			}
			got += n
			pos = next
			if n == 0 {
				select {
				case <-r.Wait(pos):
				case <-time.After(10 * time.Second):
					t.Error("reader starved")
					return
				}
			}
			if slow {
				time.Sleep(50 * time.Microsecond)
			}
		}
		if got+lost != total {
			t.Errorf("reader got %d and lost %d samples of %d", got, lost, total)
		}
	}
	wg.Add(2)
	go reader(false)
	go reader(true)
	rng := rand.New(rand.NewPCG(1, 2))
	for pos := Position(0); pos < total; {
		n := min(1+rng.IntN(400), int(total-pos))
		r.Write(seq(pos, n))
		pos += Position(n)
		if rng.IntN(8) == 0 {
			time.Sleep(20 * time.Microsecond) // let the fast reader keep up; the slow one still falls behind
		}
	}
	wg.Wait()
	if r.Overruns() == 0 {
		t.Error("no reader fell behind: the overrun path went untested")
	}
	t.Logf("overruns: %d samples", r.Overruns())
}

// A Stream reader that falls more than the ring behind skips ahead, and its frames still hold consecutive
// samples at the positions they claim.
func TestStreamSkipsAheadWithConsistentFrames(t *testing.T) {
	c := &Capturer{ring: NewRing(1000), frame: 320, done: make(chan struct{})}
	c.ring.Write(seq(0, 5000))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	frames := c.Stream(ctx, 100)
	go func() { // a writer far faster than real time, until the test ends
		for pos := Position(5000); ctx.Err() == nil; pos += 100 {
			c.ring.Write(seq(pos, 100))
			runtime.Gosched()
		}
	}()
	got := 0
	for f := range frames {
		if f.Pos < 4000 {
			t.Fatalf("frame at %d: older than the ring holds", f.Pos)
		}
		for i, v := range f.Samples {
			if v != int16(uint64(f.Pos)+uint64(i)) {
				t.Fatalf("frame at %d: sample %d = %d", f.Pos, i, v)
			}
		}
		if got++; got == 5 {
			return
		}
	}
	t.Fatal("stream ended early")
}
