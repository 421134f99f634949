package audio

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// percentile returns the p-th percentile (0–100) of ds in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return float64(s[i]) / float64(time.Millisecond)
}

// Key-down → first captured sample with the mic kept warm (pre-roll): Mark, then wait for the first
// sample at or after the mark to arrive in the ring.
func BenchmarkKeyDownToFirstSample(b *testing.B) {
	c, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	waitPos(b, c, 1)
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		mark := c.Mark()
		waitPos(b, c, mark+1)
		lat = append(lat, time.Since(t0))
		time.Sleep(time.Duration(len(lat)%7) * 3 * time.Millisecond) // key presses fall anywhere in a buffer
	}
	b.ReportMetric(percentile(lat, 50), "ms-p50")
	b.ReportMetric(percentile(lat, 95), "ms-p95")
	b.ReportMetric(percentile(lat, 100), "ms-max")
}

// Cold start, the mic not kept warm: Open → first sample in the ring.
func BenchmarkOpenToFirstSample(b *testing.B) {
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		c, err := Open(Options{})
		if err != nil {
			b.Fatal(err)
		}
		waitPos(b, c, 1)
		lat = append(lat, time.Since(t0))
		c.Close()
	}
	b.ReportMetric(percentile(lat, 50), "ms-p50")
	b.ReportMetric(percentile(lat, 100), "ms-max")
}

// listen runs a full listening pipeline (Run with level meter and watchdog, a Stream consumer feeding the
// VAD) for d and returns the process CPU time it used and the capturer's stats over that time.
func listen(tb testing.TB, device string, d time.Duration) (cpu time.Duration, before, after Stats, wall time.Duration) {
	c, err := Open(Options{Device: device, OnLevel: func(Level) {}})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.Run(ctx) }()
	vad, err := NewVAD(VADOptions{Aggressiveness: 2})
	if err != nil {
		tb.Fatal(err)
	}
	defer vad.Close()
	go func() {
		defer wg.Done()
		for f := range c.Stream(ctx, c.Mark()) {
			vad.Push(f.Pos, f.Samples)
		}
	}()
	waitPos(tb, c, SampleRate/2) // past the stream's start-up
	before = c.Stats()
	r0, t0 := rusage(tb), time.Now()
	time.Sleep(d)
	cpu, wall, after = rusage(tb)-r0, time.Since(t0), c.Stats()
	cancel()
	wg.Wait()
	return cpu, before, after, wall
}

func rusage(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// CPU while listening: the whole process's CPU time (PortAudio's thread, ring, meter, watchdog, VAD) as a
// percentage of one core, on the default device and on a device chosen by name (which adds the presence
// check every WatchInterval).
func BenchmarkCPUWhileListening(b *testing.B) {
	for _, dev := range []string{"", "pulse"} {
		name := dev
		if name == "" {
			name = "default"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				cpu, _, _, wall := listen(b, dev, 3*time.Second)
				b.ReportMetric(100*float64(cpu)/float64(wall), "%cpu")
			}
		})
	}
}

// Drops over time with every core busy (bounded: the load stops with the measurement): samples captured
// against samples due by the clock, device overflows, ring overruns and the longest gap between buffers.
// TONNYTRAY_DROPS_SECONDS sets how long (5 s by default; CI runs 300).
func BenchmarkDropsUnderCPULoad(b *testing.B) {
	secs := 5.0
	if v, err := strconv.ParseFloat(os.Getenv("TONNYTRAY_DROPS_SECONDS"), 64); err == nil && v > 0 && v <= 600 {
		secs = v
	}
	for b.Loop() {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				x := 1.0
				for {
					select {
					case <-stop:
						return
					default:
					}
					for range 10000 {
						x = x*1.0000001 + 1e-9
					}
				}
			}()
		}
		_, before, after, wall := listen(b, "", time.Duration(secs*float64(time.Second)))
		close(stop)
		wg.Wait()
		got := float64(after.End - before.End)
		due := wall.Seconds() * SampleRate
		b.ReportMetric(got/due, "captured/due")
		b.ReportMetric(float64(after.Overflows-before.Overflows), "overflows")
		b.ReportMetric(float64(after.Overruns-before.Overruns), "overrun-samples")
		b.ReportMetric(float64(after.MaxGap)/float64(time.Millisecond), "ms-max-gap")
		b.ReportMetric(float64(after.Switches-before.Switches), "switches")
	}
}
