package audiotest

import (
	"bytes"
	"encoding/binary"
	"math"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Recorder records the virtual speaker's monitor (vspeaker.monitor) at 24 kHz mono, s16le.
type Recorder struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

// RecordRate is the rate of a Recorder's samples.
const RecordRate = 24000

// RecordSpeaker starts recording the virtual speaker and returns once the recording flows steadily; the
// recording stops when the test ends, or at Stop.
func RecordSpeaker(t testing.TB) *Recorder {
	t.Helper()
	r := &Recorder{done: make(chan struct{})}
	r.cmd = exec.Command("parec", "--raw", "--format=s16le", "--channels=1", "--rate=24000",
		"--latency-msec=20", "--device=vspeaker.monitor")
	out, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("parec: %v", err)
	}
	go func() {
		defer close(r.done)
		b := make([]byte, 4096)
		for {
			n, err := out.Read(b)
			r.mu.Lock()
			r.buf.Write(b[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { r.Stop() })
	// Wait until the recording flows steadily: a new record stream skips ~40 ms somewhere in its first ~2 s
	// (seen at ~1 s; recordings started 2 s ahead match at 0.9999).
	deadline := time.Now().Add(10 * time.Second)
	for r.len() < 2*RecordRate*5/2 {
		if time.Now().After(deadline) {
			t.Fatal("parec records nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

func (r *Recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Len()
}

// Stop ends the recording and returns it (again on a second call).
func (r *Recorder) Stop() []int16 {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
	r.cmd.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return Samples(r.buf.Bytes())
}

// Samples reads s16le PCM.
func Samples(b []byte) []int16 {
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// BestLag finds where a appears in b: a coarse search on 10 ms energy envelopes, then an exact one on
// samples around it. It returns the lag (b[i+lag] ≈ a[i]) and the normalized cross-correlation there.
func BestLag(a, b []int16, rate int) (int, float64) {
	win := rate / 100
	env := func(x []int16) []float64 {
		e := make([]float64, len(x)/win)
		for i := range e {
			for _, v := range x[i*win : (i+1)*win] {
				e[i] += math.Abs(float64(v))
			}
		}
		return e
	}
	ea, eb := env(a), env(b)
	// a's whole energy, not just the overlapping part: otherwise a sliver of overlap at the edges scores as
	// well as the real match when a's envelope is flat (a steady tone sequence).
	var aa float64
	for _, v := range ea {
		aa += v * v
	}
	coarse, best := 0, math.Inf(-1)
	for l := -len(ea); l < len(eb); l++ {
		var s, bb float64
		for i := range ea {
			if j := i + l; j >= 0 && j < len(eb) {
				s += ea[i] * eb[j]
				bb += eb[j] * eb[j]
			}
		}
		if aa > 0 && bb > 0 && s/math.Sqrt(aa*bb) > best {
			coarse, best = l*win, s/math.Sqrt(aa*bb)
		}
	}
	lag, ncc := coarse, -1.0
	for l := coarse - 2*win; l <= coarse+2*win; l++ {
		if c := NCCAt(a, b, l); c > ncc {
			lag, ncc = l, c
		}
	}
	return lag, ncc
}

// NCCAt is the normalized cross-correlation of a[i] with b[i+lag], counting b outside its range as silence.
func NCCAt(a, b []int16, lag int) float64 {
	var ab, aa, bb float64
	for i, x := range a {
		fa := float64(x)
		aa += fa * fa
		if j := i + lag; j >= 0 && j < len(b) {
			fb := float64(b[j])
			ab += fa * fb
			bb += fb * fb
		}
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// RMS is the root mean square of x.
func RMS(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}
