//go:build linux

package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Real-process tests: the children are this test binary re-executed as a helper (see helper_test.go).

func helperSpec(script string, env ...string) Spec {
	return Spec{
		Name:      "helper",
		AutoStart: true,
		Command:   func(context.Context) (Command, error) { return helperCommand(script, env...), nil },
	}
}

func TestRealStartReadyRunningStop(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	spec := helperSpec("sleep:100;touch:"+ready+";forever", "TT_SECRET=hunter2")
	spec.Ready = fileExists(ready)
	spec.ReadyInterval = 10 * time.Millisecond
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "running", is(Running))
	if st.PID <= 0 || st.External || st.StartedAt.IsZero() || st.Since.Before(st.StartedAt) {
		t.Fatalf("running: %+v", st)
	}
	if !alive(st.PID) {
		t.Fatalf("pid %d is not a live process", st.PID)
	}
	if ps, err := readStat(st.PID); err != nil || ps.pgr != st.PID || ps.ppid != os.Getpid() {
		t.Fatalf("child stat %+v, %v: want its own process group, our child", ps, err)
	}
	// The secret reached the child through its environment, not its command line.
	environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", st.PID))
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", st.PID))
	if !strings.Contains(string(environ), "TT_SECRET=hunter2") || strings.Contains(string(cmdline), "hunter2") {
		t.Fatalf("secret: in environ %v, in cmdline %v", strings.Contains(string(environ), "hunter2"),
			strings.Contains(string(cmdline), "hunter2"))
	}

	sup.Stop()
	waitState(t, sup, "stopped", is(Stopped))
	if alive(st.PID) {
		t.Fatalf("pid %d still alive after Stop", st.PID)
	}
}

func TestRealKill9IsDetectedAndRestartedAfterBackoff(t *testing.T) {
	clk := newFakeClock()
	spec := helperSpec("forever")
	spec.Clock = clk
	var backoffAt atomic.Int64
	spec.OnState = func(st Status) {
		if st.State == Backoff {
			backoffAt.Store(time.Now().UnixNano())
		}
	}
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "running", is(Running))
	killed := time.Now()
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	bo := waitState(t, sup, "backoff", is(Backoff))
	t.Logf("kill -9 detected in %s", time.Duration(backoffAt.Load()-killed.UnixNano()))
	if bo.Restarts != 1 || bo.LastError != "signal: killed" || bo.PID != 0 {
		t.Fatalf("backoff: %+v", bo)
	}
	checkDelay(t, bo, time.Second)
	if got := sup.Status(); got.State != Backoff {
		t.Fatalf("restarted before the backoff elapsed: %+v", got) // the fake clock has not moved
	}
	clk.AdvanceTo(bo.NextTry)
	st2 := waitState(t, sup, "running again", runningPID(st.PID))
	if st2.Restarts != 1 || !alive(st2.PID) {
		t.Fatalf("restarted: %+v", st2)
	}
}

func TestRealCrashLoopFailsWithLastStderr(t *testing.T) {
	clk := newFakeClock()
	spec := helperSpec("stderr:loading model;stderr:RuntimeError: CUDA out of memory;exit:1")
	spec.Name = "whisper-server"
	spec.Clock = clk
	sup := New(spec)
	serve(t, sup)

	for i := 1; i <= 3; i++ {
		st := waitState(t, sup, "backoff", func(st Status) bool { return st.State == Backoff && st.Restarts == i })
		clk.AdvanceTo(st.NextTry)
	}
	st := waitState(t, sup, "failed", is(Failed))
	want := "whisper-server crashed 4 times in 5m0s; last error: exit status 1; last output: " +
		"loading model | RuntimeError: CUDA out of memory"
	if st.Reason != want {
		t.Fatalf("Reason\n got %q\nwant %q", st.Reason, want)
	}
	if len(st.LastLines) != 2 || st.LastLines[1] != "RuntimeError: CUDA out of memory" {
		t.Fatalf("LastLines %q", st.LastLines)
	}
}

func TestRealStopSendsSIGTERM(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	spec := helperSpec("onterm:0;touch:" + ready + ";forever")
	spec.Ready = fileExists(ready)
	spec.ReadyInterval = 10 * time.Millisecond
	spec.StopGrace = time.Minute // an exit now can only be the child's own answer to SIGTERM
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "running", is(Running))
	start := time.Now()
	sup.Stop()
	stopped := waitState(t, sup, "stopped", is(Stopped))
	t.Logf("stopped in %s", time.Since(start))
	if alive(st.PID) {
		t.Fatal("child still alive")
	}
	if n := len(stopped.LastLines); n == 0 || stopped.LastLines[n-1] != "got SIGTERM" {
		t.Fatalf("last lines %q, want the child's SIGTERM handler output", stopped.LastLines)
	}
}

func TestRealStopKillsAfterGraceWhenSIGTERMIsIgnored(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	spec := helperSpec("ignoreterm;touch:" + ready + ";forever")
	spec.Ready = fileExists(ready)
	spec.ReadyInterval = 10 * time.Millisecond
	spec.StopGrace = 300 * time.Millisecond
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "running", is(Running))
	start := time.Now()
	sup.Stop()
	waitState(t, sup, "stopping", is(Stopping))
	if !alive(st.PID) {
		t.Fatal("the child died of SIGTERM, which it ignores")
	}
	waitState(t, sup, "stopped", is(Stopped))
	took := time.Since(start)
	t.Logf("stopped in %s with a %s grace", took, spec.StopGrace)
	if took < spec.StopGrace {
		t.Fatalf("stopped after %s, before the grace period", took)
	}
	if alive(st.PID) {
		t.Fatal("child still alive after SIGKILL")
	}
}

// grandchildPID finds the "grandchild PID" line the helper printed.
func grandchildPID(t *testing.T, st Status) int {
	t.Helper()
	for _, l := range st.LastLines {
		if v, ok := strings.CutPrefix(l, "grandchild "); ok {
			pid, err := strconv.Atoi(v)
			if err == nil {
				return pid
			}
		}
	}
	t.Fatalf("no grandchild line in %q", st.LastLines)
	return 0
}

func TestRealStopKillsTheWholeProcessGroup(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	spec := helperSpec("grandchild:forever;touch:" + ready + ";forever")
	spec.Ready = fileExists(ready)
	spec.ReadyInterval = 10 * time.Millisecond
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "running", is(Running))
	gc := grandchildPID(t, st)
	if ps, err := readStat(gc); err != nil || ps.pgr != st.PID {
		t.Fatalf("grandchild %d stat %+v, %v: want it in group %d", gc, ps, err, st.PID)
	}
	if m := groupMembers(st.PID); len(m) != 2 {
		t.Fatalf("group %d members %v, want child and grandchild", st.PID, m)
	}
	sup.Stop()
	waitState(t, sup, "stopped", is(Stopped))
	eventually(t, 10*time.Second, "an empty process group", func() bool { return len(groupMembers(st.PID)) == 0 })
}

func TestRealCrashKillsOrphansOfTheGroup(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	spec := helperSpec("grandchild:ignoreterm,forever;touch:" + ready + ";forever")
	spec.Ready = fileExists(ready)
	spec.ReadyInterval = 10 * time.Millisecond
	spec.BackoffInitial = time.Hour // no restart during the test
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "running", is(Running))
	gc := grandchildPID(t, st)
	// Only the leader dies; the grandchild, which would even ignore SIGTERM, must not outlive it (it
	// would hold the port and the pipes).
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitState(t, sup, "backoff", is(Backoff))
	eventually(t, 10*time.Second, "grandchild gone", func() bool { return !alive(gc) })
	eventually(t, 10*time.Second, "an empty process group", func() bool { return len(groupMembers(st.PID)) == 0 })
}

func TestRealChildDiesWithTheApp(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	app := exec.Command(exe)
	app.Env = append(os.Environ(), helperEnv+"=app", helperChildEnv+"=forever")
	app.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so the test can clean up after a failure
	out, err := app.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-app.Process.Pid, syscall.SIGKILL)
		_ = app.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var child int
	select {
	case l := <-lines:
		if _, err := fmt.Sscanf(l, "child %d", &child); err != nil {
			t.Fatalf("app said %q", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the app never reported its child")
	}
	if ps, err := readStat(child); err != nil || ps.ppid != app.Process.Pid {
		t.Fatalf("child %d: %+v, %v; want a child of the app %d", child, ps, err, app.Process.Pid)
	}
	t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })

	if err := app.Process.Signal(syscall.SIGKILL); err != nil { // no chance to clean up
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, fmt.Sprintf("child %d gone after the app was killed", child), func() bool {
		return !alive(child)
	})
}

func TestRealReadyTimeoutIsAClearError(t *testing.T) {
	spec := helperSpec("stderr:loading model;forever")
	spec.Ready = func(context.Context) error { return errors.New("dial tcp 127.0.0.1:8888: connect: connection refused") }
	spec.ReadyInterval = 20 * time.Millisecond
	spec.ReadyTimeout = 300 * time.Millisecond
	spec.MaxRestarts = -1
	var pid atomic.Int64
	spec.OnState = func(st Status) {
		if st.State == Starting {
			pid.Store(int64(st.PID))
		}
	}
	sup := New(spec)
	serve(t, sup)

	st := waitState(t, sup, "failed", is(Failed))
	want := "not ready after 300ms; last probe: dial tcp 127.0.0.1:8888: connect: connection refused; " +
		"last output: loading model"
	if st.LastError != want {
		t.Fatalf("LastError\n got %q\nwant %q", st.LastError, want)
	}
	if alive(int(pid.Load())) {
		t.Fatal("the process that never got ready is still alive")
	}
}

func TestRealExitBeforeReadyFailsFast(t *testing.T) {
	spec := helperSpec("stderr:No module named 'whisperlivekit';exit:2")
	spec.Ready = func(context.Context) error { return errors.New("connection refused") }
	spec.ReadyInterval = 10 * time.Millisecond
	spec.ReadyTimeout = time.Hour
	spec.MaxRestarts = -1
	sup := New(spec)
	start := time.Now()
	serve(t, sup)

	st := waitState(t, sup, "failed", is(Failed))
	t.Logf("failed %s after Serve started", time.Since(start))
	want := "exited before it was ready: exit status 2; last output: No module named 'whisperlivekit'"
	if st.LastError != want {
		t.Fatalf("LastError\n got %q\nwant %q", st.LastError, want)
	}
}

func TestRealAdoptsAnExternalServerAndNeverSignalsIt(t *testing.T) {
	// The "external" server: a helper the test starts itself, listening on a free port.
	exe, _ := os.Executable()
	ext := exec.Command(exe)
	ext.Env = append(os.Environ(), helperEnv+"=listen:127.0.0.1:0;forever")
	out, err := ext.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ext.Process.Kill(); _ = ext.Wait() })
	var port int
	if _, err := fmt.Fscanf(bufio.NewReader(out), "port %d\n", &port); err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	probe := func(ctx context.Context) error {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	}

	spec := helperSpec("listen:" + addr + ";forever") // our own server, for when the external one is gone
	spec.Adopt = func(ctx context.Context) bool { return probe(ctx) == nil }
	spec.Ready = probe
	spec.ReadyInterval = 10 * time.Millisecond
	spec.HealthInterval = 50 * time.Millisecond
	spawns := &countingSpawner{Spawner: ExecSpawner{}}
	spec.Spawner = spawns
	sup := New(spec)
	cancel := serve(t, sup)

	st := waitState(t, sup, "running (adopted)", is(Running))
	if !st.External || st.PID != 0 || spawns.n.Load() != 0 {
		t.Fatalf("adopted: %+v, %d spawns", st, spawns.n.Load())
	}
	sup.Stop()
	waitState(t, sup, "stopped", is(Stopped))
	sup.Start()
	waitState(t, sup, "running (adopted again)", func(st Status) bool { return st.State == Running && st.External })
	if !alive(ext.Process.Pid) || probe(context.Background()) != nil {
		t.Fatal("Stop touched the external server")
	}

	// The external server goes away: the supervisor notices and starts its own.
	_ = ext.Process.Kill()
	_ = ext.Wait()
	own := waitState(t, sup, "running our own", runningPID(0))
	if own.External || spawns.n.Load() != 1 || !alive(own.PID) {
		t.Fatalf("own server: %+v, %d spawns", own, spawns.n.Load())
	}
	if !strings.HasPrefix(own.LastError, "the adopted server stopped answering: ") {
		t.Fatalf("LastError %q", own.LastError)
	}
	cancel()
	eventually(t, 10*time.Second, "our own server stopped on shutdown", func() bool { return !alive(own.PID) })
}

func TestRealAdoptedServerSurvivesShutdown(t *testing.T) {
	exe, _ := os.Executable()
	ext := exec.Command(exe)
	ext.Env = append(os.Environ(), helperEnv+"=forever")
	if err := ext.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ext.Process.Kill(); _ = ext.Wait() })
	spec := helperSpec("forever")
	spec.Adopt = func(context.Context) bool { return true }
	spec.Ready = func(context.Context) error { return nil }
	spawns := &countingSpawner{Spawner: ExecSpawner{}}
	spec.Spawner = spawns
	sup := New(spec)
	cancel := serve(t, sup)
	waitState(t, sup, "running (adopted)", is(Running))
	cancel()
	waitState(t, sup, "stopped", is(Stopped))
	if !alive(ext.Process.Pid) || spawns.n.Load() != 0 {
		t.Fatal("shutdown touched the adopted server or spawned one")
	}
}

type countingSpawner struct {
	Spawner
	n atomic.Int64
}

func (c *countingSpawner) Spawn(ctx context.Context, cmd Command) (Process, error) {
	c.n.Add(1)
	return c.Spawner.Spawn(ctx, cmd)
}

func TestRealSlowOnLineNeverBlocksTheChild(t *testing.T) {
	const n = 100_000
	spec := helperSpec("lines:" + strconv.Itoa(n) + ";exit:0")
	spec.MaxRestarts = -1 // the exit is a crash: fail, don't restart
	release := make(chan struct{})
	var delivered atomic.Int64
	spec.OnLine = func(stream, line string) {
		<-release // a consumer stuck for the whole run
		delivered.Add(1)
	}
	sup := New(spec)
	serve(t, sup)

	// The child can only finish 100k lines (far more than a pipe holds) if nobody waits for OnLine.
	st := waitState(t, sup, "failed after the child exited", is(Failed))
	if st.LastError != "exited with status 0; last output: line 99995 | line 99996 | line 99997 | line 99998 | line 99999" {
		t.Fatalf("LastError %q", st.LastError)
	}
	if st.DroppedLines == 0 || st.DroppedLines > n {
		t.Fatalf("dropped %d of %d lines", st.DroppedLines, n)
	}
	close(release)
	eventually(t, 10*time.Second, "every line delivered or counted", func() bool {
		return delivered.Load()+int64(sup.Status().DroppedLines) == n
	})
	t.Logf("%d lines delivered, %d dropped", delivered.Load(), sup.Status().DroppedLines)
}
