//go:build linux

package supervisor

import (
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Benchmarks report their figures with ReportMetric; goals (death seen in < 100 ms) are read, not asserted.

// reportDurations reports the mean, median and worst of ds.
func reportDurations(b *testing.B, ds []time.Duration, unit string) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	b.ReportMetric(float64(sum.Nanoseconds())/float64(len(ds)), "ns/"+unit)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns/"+unit)
	b.ReportMetric(float64(ds[len(ds)-1].Nanoseconds()), "max-ns/"+unit)
}

// BenchmarkDeathDetection: a running child is killed with SIGKILL; how long until the supervisor reports the
// crash (state Backoff, with the exit status and last output gathered)?
func BenchmarkDeathDetection(b *testing.B) {
	clk := newFakeClock() // restarts happen when the benchmark says, not after real backoff delays
	spec := helperSpec("forever")
	spec.Clock = clk
	spec.MaxRestarts = 1 << 30
	var seen atomic.Int64
	spec.OnState = func(st Status) {
		if st.State == Backoff {
			seen.Store(time.Now().UnixNano())
		}
	}
	sup := New(spec)
	serve(b, sup)

	ds := make([]time.Duration, 0, b.N)
	pid := 0
	for b.Loop() {
		st := waitState(b, sup, "running", runningPID(pid))
		pid = st.PID
		killed := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		bo := waitState(b, sup, "backoff", is(Backoff))
		ds = append(ds, time.Duration(seen.Load()-killed.UnixNano()))
		clk.AdvanceTo(bo.NextTry)
	}
	reportDurations(b, ds, "death")
}

// BenchmarkStop: Stop on a running child (which exits on SIGTERM, as uvicorn does); how long until the
// process is gone (reaped, its group swept) and the state is Stopped?
func BenchmarkStop(b *testing.B) {
	spec := helperSpec("forever")
	spec.AutoStart = false
	var stoppedAt atomic.Int64
	spec.OnState = func(st Status) {
		if st.State == Stopped {
			stoppedAt.Store(time.Now().UnixNano())
		}
	}
	sup := New(spec)
	serve(b, sup)

	ds := make([]time.Duration, 0, b.N)
	for b.Loop() {
		sup.Start()
		st := waitState(b, sup, "running", is(Running))
		start := time.Now()
		sup.Stop()
		waitState(b, sup, "stopped", is(Stopped))
		ds = append(ds, time.Duration(stoppedAt.Load()-start.UnixNano()))
		if alive(st.PID) {
			b.Fatalf("pid %d alive after Stopped", st.PID)
		}
	}
	reportDurations(b, ds, "stop")
}

// BenchmarkIdleCPU: the CPU this whole process (supervisor, Go runtime, test framework) uses over 5 s while
// a supervised child runs and nothing happens, as CPU seconds per minute. Children's CPU is not counted.
func BenchmarkIdleCPU(b *testing.B) {
	sup := New(helperSpec("forever"))
	serve(b, sup)
	waitState(b, sup, "running", is(Running))
	const window = 5 * time.Second
	var cpu time.Duration
	for b.Loop() {
		before := selfCPU(b)
		time.Sleep(window)
		cpu = selfCPU(b) - before
	}
	b.ReportMetric(cpu.Seconds()*float64(time.Minute/window), "cpu-s/min")
}

func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
