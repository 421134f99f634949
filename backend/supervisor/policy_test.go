package supervisor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Policy tests: a fake clock and fake processes, so backoff, window and uptime rules run instantly and
// exactly. The real-process behaviour is in process_test.go.

func fakeSpec(clk *fakeClock, sp *fakeSpawner) Spec {
	return Spec{
		Name:      "p",
		AutoStart: true,
		Command:   func(context.Context) (Command, error) { return Command{Path: "/bin/fake"}, nil },
		Clock:     clk,
		Spawner:   sp,
	}
}

// nextProc returns the next spawned fake process (bounded wait).
func nextProc(t *testing.T, sp *fakeSpawner) *fakeProc {
	t.Helper()
	select {
	case p := <-sp.procs:
		return p
	case <-time.After(30 * time.Second):
		t.Fatal("no process spawned")
		return nil
	}
}

// crash makes the running process exit with status 1 and returns the Backoff (or Failed) status.
func crash(t *testing.T, sup *Supervisor, p *fakeProc) Status {
	t.Helper()
	waitState(t, sup, "running", func(st Status) bool { return st.State == Running && st.PID == p.pid })
	p.exit(exitStatus(1))
	return waitState(t, sup, "backoff or failed", func(st Status) bool {
		return st.State == Backoff || st.State == Failed
	})
}

func checkDelay(t *testing.T, st Status, nominal time.Duration) {
	t.Helper()
	d := st.NextTry.Sub(st.Since)
	lo, hi := time.Duration(float64(nominal)*0.8), time.Duration(float64(nominal)*1.2)+time.Nanosecond
	if d < lo || d > hi {
		t.Fatalf("restart %d: delay %s, want %s ±20%% [%s, %s]", st.Restarts, d, nominal, lo, hi)
	}
}

func TestBackoffDoublesWithJitterUpToMax(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	spec.MaxRestarts, spec.RestartWindow, spec.MinUptime = 100, time.Hour, time.Hour
	sup := New(spec)
	serve(t, sup)

	for i, nominal := range []time.Duration{1, 2, 4, 8, 16, 32, 32, 32} {
		st := crash(t, sup, nextProc(t, sp))
		if st.State != Backoff || st.Restarts != i+1 {
			t.Fatalf("crash %d: %+v, want backoff with restarts %d", i+1, st, i+1)
		}
		if st.LastError != "exit status 1" {
			t.Fatalf("LastError %q", st.LastError)
		}
		checkDelay(t, st, nominal*time.Second)
		clk.AdvanceTo(st.NextTry)
	}
	waitState(t, sup, "running after the last backoff", is(Running))
}

func TestCrashLoopFailsWithReasonAndStartRetries(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	sup := New(fakeSpec(clk, sp)) // defaults: 3 restarts in 5m
	serve(t, sup)

	var st Status
	for i := range 4 {
		p := nextProc(t, sp)
		waitState(t, sup, "running", func(st Status) bool { return st.State == Running && st.PID == p.pid })
		p.stderr("Traceback (most recent call last):")
		p.stderr("RuntimeError: CUDA out of memory")
		st = crash(t, sup, p)
		if i < 3 {
			if st.State != Backoff || st.Restarts != i+1 {
				t.Fatalf("crash %d: %+v", i+1, st)
			}
			clk.AdvanceTo(st.NextTry)
		}
	}
	if st.State != Failed {
		t.Fatalf("after 4 crashes: %+v, want failed", st)
	}
	want := "p crashed 4 times in 5m0s; last error: exit status 1; last output: " +
		"Traceback (most recent call last): | RuntimeError: CUDA out of memory"
	if st.Reason != want {
		t.Fatalf("Reason\n got %q\nwant %q", st.Reason, want)
	}
	if st.Restarts != 3 || st.PID != 0 || len(st.LastLines) != 2 {
		t.Fatalf("failed status %+v", st)
	}

	// Failed stays failed: no timer brings it back.
	clk.Advance(time.Hour)
	if got := sup.Status(); got.State != Failed || sp.count() != 4 {
		t.Fatalf("after an hour: %+v, %d spawns", got, sp.count())
	}
	// Start tries again with a fresh window.
	sup.Start()
	p := nextProc(t, sp)
	st = waitState(t, sup, "running again", runningPID(0))
	if st.Restarts != 0 || st.LastError != "" || st.PID != p.pid {
		t.Fatalf("after Start from failed: %+v", st)
	}
	if st = crash(t, sup, p); st.State != Backoff || st.Restarts != 1 {
		t.Fatalf("first crash after Start: %+v", st)
	}
}

func TestRestartWindowForgetsOldCrashes(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	spec.MinUptime = time.Hour // only the window may forget crashes here
	sup := New(spec)
	serve(t, sup)

	st := crash(t, sup, nextProc(t, sp))
	clk.AdvanceTo(st.NextTry)
	st = crash(t, sup, nextProc(t, sp))
	if st.Restarts != 2 {
		t.Fatalf("second crash: %+v", st)
	}
	checkDelay(t, st, 2*time.Second)
	clk.AdvanceTo(st.NextTry)

	p := nextProc(t, sp)
	waitState(t, sup, "running", runningPID(0))
	clk.Advance(6 * time.Minute) // both crashes leave the 5-minute window while it runs
	if st = crash(t, sup, p); st.State != Backoff || st.Restarts != 1 {
		t.Fatalf("crash after the window passed: %+v, want restarts 1", st)
	}
	checkDelay(t, st, time.Second) // the backoff started over too
}

func TestMinUptimeResetsCrashCount(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	spec.MinUptime = 10 * time.Second
	sup := New(spec)
	serve(t, sup)

	st := crash(t, sup, nextProc(t, sp))
	clk.AdvanceTo(st.NextTry)
	st = crash(t, sup, nextProc(t, sp))
	clk.AdvanceTo(st.NextTry)

	p := nextProc(t, sp)
	st = waitState(t, sup, "running", runningPID(0))
	if st.Restarts != 2 {
		t.Fatalf("running after 2 crashes: %+v", st)
	}
	clk.Advance(9 * time.Second)
	if got := sup.Status(); got.Restarts != 2 {
		t.Fatalf("before MinUptime: %+v", got)
	}
	clk.Advance(time.Second)
	waitState(t, sup, "crash count reset after MinUptime", func(st Status) bool {
		return st.State == Running && st.Restarts == 0 && st.LastError == ""
	})
	if st = crash(t, sup, p); st.State != Backoff || st.Restarts != 1 {
		t.Fatalf("crash after a good run: %+v", st)
	}
	checkDelay(t, st, time.Second)
}

func TestNegativeMaxRestartsFailsOnFirstCrash(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	spec.MaxRestarts = -1
	sup := New(spec)
	serve(t, sup)
	st := crash(t, sup, nextProc(t, sp))
	if st.State != Failed || !strings.HasPrefix(st.Reason, "p crashed 1 times in 5m0s") {
		t.Fatalf("%+v", st)
	}
}

func TestStopIsGracefulAndStaysStopped(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	sup := New(fakeSpec(clk, sp))
	serve(t, sup)

	p := nextProc(t, sp)
	waitState(t, sup, "running", is(Running))
	sup.Stop()
	st := waitState(t, sup, "stopped", is(Stopped))
	if st.PID != 0 || st.LastError != "" {
		t.Fatalf("stopped: %+v", st)
	}
	if got := p.gotSignals(); len(got) != 1 || got[0] != syscall.SIGTERM {
		t.Fatalf("signals %v, want just SIGTERM", got)
	}
	clk.Advance(time.Hour)
	if sup.Status().State != Stopped || sp.count() != 1 {
		t.Fatalf("restarted after Stop: %+v, %d spawns", sup.Status(), sp.count())
	}
}

func TestStopEscalatesToSIGKILLAfterGrace(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	sup := New(fakeSpec(clk, sp))
	serve(t, sup)

	p := nextProc(t, sp)
	p.mu.Lock()
	p.ignoreTerm = true
	p.mu.Unlock()
	waitState(t, sup, "running", is(Running))
	sup.Stop()
	waitState(t, sup, "stopping", is(Stopping))
	eventually(t, 10*time.Second, "SIGTERM sent", func() bool { return len(p.gotSignals()) == 1 })
	clk.Advance(DefaultStopGrace - time.Millisecond)
	if got := p.gotSignals(); len(got) != 1 {
		t.Fatalf("before the grace period ended: signals %v", got)
	}
	clk.Advance(time.Millisecond)
	waitState(t, sup, "stopped", is(Stopped))
	if got := p.gotSignals(); len(got) != 2 || got[1] != syscall.SIGKILL {
		t.Fatalf("signals %v, want SIGTERM then SIGKILL", got)
	}
}

func TestStopDuringBackoffCancelsRestart(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	sup := New(fakeSpec(clk, sp))
	serve(t, sup)
	crash(t, sup, nextProc(t, sp))
	sup.Stop()
	waitState(t, sup, "stopped", is(Stopped))
	clk.Advance(time.Hour)
	if sup.Status().State != Stopped || sp.count() != 1 {
		t.Fatalf("restarted after Stop: %+v, %d spawns", sup.Status(), sp.count())
	}
}

func TestStartDuringBackoffTriesNow(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	sup := New(fakeSpec(clk, sp))
	serve(t, sup)
	crash(t, sup, nextProc(t, sp))
	sup.Start()
	p := nextProc(t, sp)
	st := waitState(t, sup, "running without the clock moving", runningPID(0))
	if st.PID != p.pid || st.Restarts != 1 {
		t.Fatalf("%+v", st) // still restart 1 of the window: Start skips the wait, not the count
	}
}

func TestRestartStopsAndStartsFresh(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	sup := New(fakeSpec(clk, sp))
	serve(t, sup)
	st := crash(t, sup, nextProc(t, sp))
	clk.AdvanceTo(st.NextTry)
	p1 := nextProc(t, sp)
	waitState(t, sup, "running", runningPID(0))

	sup.Restart()
	p2 := nextProc(t, sp)
	st = waitState(t, sup, "running the new process", runningPID(p1.pid))
	if st.PID != p2.pid || st.Restarts != 0 || st.LastError != "" {
		t.Fatalf("after Restart: %+v", st)
	}
	if got := p1.gotSignals(); len(got) == 0 || got[0] != syscall.SIGTERM {
		t.Fatalf("old process got %v, want SIGTERM", got)
	}
}

func TestCommandAndSpawnErrorsCountAsCrashes(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	calls := 0
	spec.Command = func(context.Context) (Command, error) {
		calls++
		if calls == 1 {
			return Command{}, errors.New("whisper.command is empty")
		}
		return Command{Path: "/bin/fake"}, nil
	}
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "backoff", is(Backoff))
	if st.LastError != "build the command: whisper.command is empty" || st.Restarts != 1 {
		t.Fatalf("%+v", st)
	}
	sp.setErr(errors.New("exec: no such file"))
	clk.AdvanceTo(st.NextTry)
	st = waitState(t, sup, "second backoff", func(st Status) bool { return st.State == Backoff && st.Restarts == 2 })
	if st.LastError != "spawn: exec: no such file" {
		t.Fatalf("%+v", st)
	}
}

func TestStartBeforeServeAndManualStart(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	spec.AutoStart = false
	sup := New(spec)
	if st := sup.Status(); st.State != Stopped {
		t.Fatalf("initial %+v", st)
	}
	sup.Start() // before Serve: remembered
	serve(t, sup)
	waitState(t, sup, "running", is(Running))

	sup2 := New(spec)
	serve(t, sup2)
	clk.Advance(time.Hour)
	if st := sup2.Status(); st.State != Stopped || sp.count() != 1 {
		t.Fatalf("without AutoStart or Start: %+v", st)
	}
}

func TestOnStateSeesEveryTransitionInOrder(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	seen := make(chan State, 100)
	spec.OnState = func(st Status) { seen <- st.State }
	sup := New(spec)
	cancel := serve(t, sup)
	st := crash(t, sup, nextProc(t, sp))
	clk.AdvanceTo(st.NextTry)
	nextProc(t, sp)
	waitState(t, sup, "running", is(Running))
	cancel()
	want := []State{Starting, Running, Backoff, Starting, Running, Stopping, Stopped}
	for i, w := range want {
		select {
		case got := <-seen:
			if got != w {
				t.Fatalf("transition %d: %s, want %s (sequence %v)", i, got, w, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("transition %d (%s) never came", i, w)
		}
	}
}

func TestServeErrors(t *testing.T) {
	if err := New(Spec{}).Serve(context.Background()); err == nil {
		t.Fatal("Serve without Command: no error")
	}
	sup := New(fakeSpec(newFakeClock(), newFakeSpawner()))
	serve(t, sup)
	waitState(t, sup, "running", is(Running))
	if err := sup.Serve(context.Background()); err == nil {
		t.Fatal("second concurrent Serve: no error")
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	sup := New(fakeSpec(newFakeClock(), newFakeSpawner()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := sup.Wait(ctx, is(Running))
	if !errors.Is(err, context.Canceled) || st.State != Stopped {
		t.Fatalf("Wait = %+v, %v", st, err)
	}
}

func TestStatusJSON(t *testing.T) {
	b, err := json.Marshal(Status{State: Backoff, Restarts: 2, LastLines: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"state":"backoff"`, `"pid":0`, `"since":`, `"startedAt":`, `"restarts":2`,
		`"lastError":""`, `"nextTry":`, `"reason":""`, `"external":false`, `"lastLines":["x"]`, `"droppedLines":0`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
	if got := New(Spec{}).Status().LastLines; got == nil {
		t.Error("LastLines is nil (JSON null) instead of empty")
	}
}

func TestStopAcknowledgesFailed(t *testing.T) {
	clk, sp := newFakeClock(), newFakeSpawner()
	spec := fakeSpec(clk, sp)
	spec.MaxRestarts = -1
	sup := New(spec)
	serve(t, sup)
	if st := crash(t, sup, nextProc(t, sp)); st.State != Failed {
		t.Fatalf("%+v", st)
	}
	sup.Stop()
	if st := waitState(t, sup, "stopped", is(Stopped)); st.Reason != "" {
		t.Fatalf("%+v", st)
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", 3*maxLineBytes)
	in := "plain\r\n" + long + "\n\nbad \xff byte\nno newline at the end"
	br := bufio.NewReaderSize(strings.NewReader(in), 4096)
	var got []string
	for range 10 {
		line, err := readLine(br)
		if line != "" || err == nil {
			got = append(got, line)
		}
		if err != nil {
			break
		}
	}
	want := []string{"plain", long[:maxLineBytes], "", "bad \uFFFD byte", "no newline at the end"}
	if !slices.Equal(got, want) {
		t.Fatalf("lines %q", got)
	}
}
