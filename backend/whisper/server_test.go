package whisper_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/supervisor"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// These tests supervise a real child: the WhisperLiveKit simulator binary (cmd/wlksim), built once.

var (
	simOnce sync.Once
	simPath string
	simErr  error
)

func simBinary(t *testing.T) string {
	t.Helper()
	simOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wlksim-bin")
		if err != nil {
			simErr = err
			return
		}
		simPath = filepath.Join(dir, "wlksim")
		out, err := exec.Command("go", "build", "-o", simPath, "github.com/tonnytray/tonnytray/cmd/wlksim").CombinedOutput()
		if err != nil {
			simErr = fmt.Errorf("build the simulator: %v\n%s", err, out)
		}
	})
	if simErr != nil {
		t.Fatal(simErr)
	}
	return simPath
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func simSettings(t *testing.T, flags ...string) settings.WhisperSettings {
	w := settings.Defaults().Whisper
	w.Command = strings.Join(append([]string{simBinary(t)}, flags...), " ")
	w.Managed, w.Host, w.Port, w.StartupTimeoutS = true, "127.0.0.1", freePort(t), 20
	return w
}

// run supervises a server with settings w until the test ends.
func run(t *testing.T, w settings.WhisperSettings, token string) *whisper.Server {
	t.Helper()
	srv := whisper.NewServer(whisper.ServerOptions{
		Settings:  func() settings.WhisperSettings { return w },
		Token:     func() (string, error) { return token, nil },
		StopGrace: 500 * time.Millisecond,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("the server supervisor did not stop within 15 s")
		}
	})
	return srv
}

func wait(t *testing.T, srv *whisper.Server, what string, within time.Duration, ok func(whisper.ServerState) bool) whisper.ServerState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	st, err := srv.Wait(ctx, ok)
	if err != nil {
		t.Fatalf("waiting for %s: %v (state %+v)", what, err, st)
	}
	return st
}

func running(st whisper.ServerState) bool { return st.State == supervisor.Running }

func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// A zombie ("Z") has exited; only its parent's wait is missing.
	fields := strings.Fields(string(b)[strings.LastIndexByte(string(b), ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still alive after %s", pid, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartsReadyWithTokenOnlyInTheEnvironment(t *testing.T) {
	w := simSettings(t)
	srv := run(t, w, "tok-Zz91")
	st := wait(t, srv, "running", 30*time.Second, running)
	if st.PID <= 0 || st.External || st.Address != whisper.BaseURL(w) {
		t.Fatalf("state = %+v", st)
	}
	resp, err := http.Get(whisper.BaseURL(w) + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/health: %v %v", resp, err)
	}
	resp.Body.Close()
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", st.PID))
	environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", st.PID))
	if strings.Contains(string(cmdline), "tok-Zz91") || !strings.Contains(string(environ), whisper.TokenEnv+"=tok-Zz91") {
		t.Fatalf("token must be in the environment only; cmdline %q", cmdline)
	}
	if !strings.Contains(string(cmdline), "--pcm-input") {
		t.Fatalf("the server was started without --pcm-input: %q", cmdline)
	}
}

func TestKilledServerIsRestartedWithBackoff(t *testing.T) {
	srv := run(t, simSettings(t), "")
	first := wait(t, srv, "running", 30*time.Second, running)
	if err := syscall.Kill(first.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	st := wait(t, srv, "backoff after kill -9", 5*time.Second, func(st whisper.ServerState) bool { return st.State == supervisor.Backoff })
	if st.Restarts != 1 || !strings.Contains(st.LastError, "killed") {
		t.Fatalf("backoff state = %+v", st)
	}
	if wait := st.NextTry.Sub(st.Since); wait < 700*time.Millisecond || wait > 1300*time.Millisecond {
		t.Fatalf("first backoff %s, want 1 s ± 20 %%", wait)
	}
	again := wait(t, srv, "running again", 30*time.Second, func(st whisper.ServerState) bool { return running(st) && st.PID != first.PID })
	if alive(first.PID) {
		t.Fatalf("old process %d still alive beside the new %d", first.PID, again.PID)
	}
}

func TestCrashLoopFailsWithTheServersLastWords(t *testing.T) {
	srv := run(t, simSettings(t, "--crash-on-start"), "")
	// Backoff 1 s, 2 s, 4 s (± 20 %) between the four attempts.
	st := wait(t, srv, "failed", 30*time.Second, func(st whisper.ServerState) bool { return st.State == supervisor.Failed })
	if !strings.Contains(st.Reason, "crashed 4 times") || !strings.Contains(st.Reason, "Traceback") && !strings.Contains(st.Reason, "Error") {
		t.Fatalf("reason = %q, want the crash count and the server's last output", st.Reason)
	}
	if len(st.LastLines) == 0 {
		t.Fatal("no output lines kept for the failure")
	}
}

func TestStopSendsSIGTERMThenSIGKILL(t *testing.T) {
	for _, c := range []struct {
		name  string
		flags []string
	}{{"graceful", nil}, {"ignores SIGTERM", []string{"--ignore-sigterm"}}} {
		t.Run(c.name, func(t *testing.T) {
			srv := run(t, simSettings(t, c.flags...), "")
			st := wait(t, srv, "running", 30*time.Second, running)
			start := time.Now()
			srv.Stop()
			wait(t, srv, "stopped", 10*time.Second, func(st whisper.ServerState) bool { return st.State == supervisor.Stopped })
			waitGone(t, st.PID, 5*time.Second)
			took := time.Since(start)
			if c.flags != nil && took < 450*time.Millisecond {
				t.Fatalf("a server ignoring SIGTERM was gone after %s, before the 500 ms grace", took)
			}
			t.Logf("stop took %s", took)
		})
	}
}

func TestRunningServerOnThePortIsAdoptedNotKilled(t *testing.T) {
	w := simSettings(t)
	other := exec.Command(simBinary(t), "--host", w.Host, "--port", strconv.Itoa(w.Port), "--pcm-input")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get(whisper.BaseURL(w) + "/health"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other server did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	srv := run(t, w, "")
	st := wait(t, srv, "adopted", 20*time.Second, running)
	if !st.External || st.PID != 0 {
		t.Fatalf("state = %+v, want an external server", st)
	}
	srv.Stop()
	wait(t, srv, "let go", 10*time.Second, func(st whisper.ServerState) bool { return st.State == supervisor.Stopped })
	if !alive(other.Process.Pid) {
		t.Fatal("TonnyTray killed a server it did not start")
	}
}

func TestReadinessTimeoutIsExplained(t *testing.T) {
	w := simSettings(t, "--never-ready")
	w.StartupTimeoutS = 5
	srv := run(t, w, "")
	st := wait(t, srv, "backoff after the readiness timeout", 30*time.Second, func(st whisper.ServerState) bool { return st.State == supervisor.Backoff })
	if !strings.Contains(st.LastError, "ready") || !strings.Contains(st.LastError, "5s") {
		t.Fatalf("last error = %q, want the readiness timeout explained", st.LastError)
	}
}

// envApp marks the helper run of TestNoOrphanWhenTheAppIsKilled: the test binary acting as TonnyTray.
const envApp = "TONNYTRAY_WHISPER_TEST_APP"

func TestNoOrphanWhenTheAppIsKilled(t *testing.T) {
	if cmd := os.Getenv(envApp); cmd != "" {
		appMain(cmd)
		return
	}
	w := simSettings(t)
	app := exec.Command(os.Args[0], "-test.run=^TestNoOrphanWhenTheAppIsKilled$")
	app.Env = append(os.Environ(), envApp+"="+w.Command+"|"+strconv.Itoa(w.Port))
	out, err := app.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Process.Kill(); app.Wait() })
	pid := 0
	lines := bufio.NewScanner(out)
	for lines.Scan() { // the helper prints "PID n" once its server is running; EOF ends the loop
		if n, ok := strings.CutPrefix(lines.Text(), "PID "); ok {
			pid, _ = strconv.Atoi(n)
			break
		}
	}
	if pid <= 0 || !alive(pid) {
		t.Fatalf("the helper app reported no running server (pid %d)", pid)
	}
	if err := app.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	app.Wait()
	waitGone(t, pid, 10*time.Second)
}

// appMain runs a supervised server like TonnyTray does, prints its PID, then waits to be killed.
func appMain(spec string) {
	command, port, _ := strings.Cut(spec, "|")
	w := settings.Defaults().Whisper
	w.Command, w.Managed, w.Host, w.StartupTimeoutS = command, true, "127.0.0.1", 20
	w.Port, _ = strconv.Atoi(port)
	srv := whisper.NewServer(whisper.ServerOptions{Settings: func() settings.WhisperSettings { return w }})
	go srv.Serve(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := srv.Wait(ctx, running)
	if err != nil {
		fmt.Println("ERROR", errors.Join(err, errors.New(st.LastError)))
		os.Exit(1)
	}
	fmt.Printf("PID %d\n", st.PID)
	time.Sleep(time.Minute) // killed by the test long before this ends
	os.Exit(0)
}
