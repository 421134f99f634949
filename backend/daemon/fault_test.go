package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// faultChildEnv makes the test binary run as a TonnyTray backend (see TestMain); its value is the harness's
// directory, the other paths follow from it.
const faultChildEnv = "TONNYTRAY_FAULT_CHILD"

// runFaultChild is the backend process the fault suite kills: the daemon as headless mode runs it.
func runFaultChild() int {
	dir, sock := os.Getenv(faultChildEnv), os.Getenv("TONNYTRAY_FAULT_SOCKET")
	inst, err := control.AcquireInstance(filepath.Join(dir, "run", "instance.lock"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault child:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	d, err := New(ctx, Options{Version: "fault", DBPath: filepath.Join(dir, "data", "tonnytray.db"), LogFile: filepath.Join(dir, "state", "tonnytray.log"),
		Socket: sock, Instance: inst, FilePassword: func(string) (string, error) { return "file-keyring-password", nil }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fault child:", err)
		return 1
	}
	if err := d.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "fault child:", err)
		return 1
	}
	return 0
}

// startChild runs a TonnyTray backend process on the harness's files and waits until it answers.
func startChild(t *testing.T, h *harness) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), faultChildEnv+"="+h.dir, "TONNYTRAY_FAULT_SOCKET="+h.socket)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st Status
		if err := control.Call(context.Background(), h.socket, "status", nil, &st); err == nil && st.PID == cmd.Process.Pid {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatal("the backend process did not answer within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sendN(t *testing.T, h *harness, from, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		var st event.CommandStatePayload
		if err := control.Call(context.Background(), h.socket, "send", map[string]any{"text": fmt.Sprintf("command %03d", i)}, &st); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		ids = append(ids, st.ID)
	}
	return ids
}

func outboxOf(t *testing.T, h *harness) OutboxView {
	t.Helper()
	var v OutboxView
	if err := control.Call(context.Background(), h.socket, "outbox", map[string]any{"action": "list"}, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFaultOutageAndKillLoseNoCommand: the webhook is down while 500 commands are sent; the app is killed
// with SIGKILL halfway and started again; when the webhook comes back every command arrives, in order, once,
// without anyone pressing "retry" (the circuit's probe finds it), and the outbox ends empty.
func TestFaultOutageAndKillLoseNoCommand(t *testing.T) {
	sim, err := n8nsim.Start(n8nsim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if err := sim.SetDown(true); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) {
		s.N8N.WebhookURL, s.N8N.AuthHeaderName = sim.URL(), "" // keys are covered elsewhere; this child has none
		s.Audio.Mode, s.Audio.KeepWarm = "push_to_talk", false // this process needs no microphone
	})

	child := startChild(t, h)
	want := sendN(t, h, 0, 250)
	if err := child.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	if err := child.Wait(); err == nil || !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("killed process: %v", err)
	}

	startChild(t, h)
	if v := outboxOf(t, h); v.State.Pending != 250 {
		t.Fatalf("after SIGKILL the outbox holds %d commands, want 250", v.State.Pending)
	}
	want = append(want, sendN(t, h, 250, 250)...)
	if v := outboxOf(t, h); v.State.Pending != 500 || len(sim.Received()) != 0 {
		t.Fatalf("outbox %d, received %d; want 500 waiting and nothing received", v.State.Pending, len(sim.Received()))
	}

	// Let the circuit open, so the webhook's return is found by the circuit's own probe, not a lucky retry.
	deadline := time.Now().Add(60 * time.Second)
	for outboxOf(t, h).State.Breaker != "open" {
		if time.Now().After(deadline) {
			t.Fatalf("the circuit did not open while the webhook was down: %+v", outboxOf(t, h).State)
		}
		time.Sleep(100 * time.Millisecond)
	}
	back := time.Now()
	if err := sim.SetDown(false); err != nil {
		t.Fatal(err)
	}
	// The circuit opens after 3 failures and probes 30 s later; the head's backoff is at most 30 s.
	deadline = time.Now().Add(100 * time.Second)
	for outboxOf(t, h).State.Pending > 0 {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(h.dir, "state", "tonnytray.log"))
			t.Fatalf("still waiting 100 s after the webhook came back: %+v\nlog tail:\n%s", outboxOf(t, h).State, tail(log, 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	got := make([]string, 0, 500)
	for _, r := range sim.Received() {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("received %d commands (want 500) or out of order", len(got))
	}
	for _, id := range want {
		if n := sim.Count(id); n != 1 {
			t.Fatalf("command %s arrived %d times", id, n)
		}
	}
	if v := outboxOf(t, h); v.State.Pending+v.State.Failed != 0 || len(v.Items) != 0 {
		t.Fatalf("outbox not empty: %+v", v.State)
	}
	rec := sim.Received()
	drain := rec[len(rec)-1].At.Sub(rec[0].At)
	t.Logf("all 500 delivered %.1f s after the webhook came back (the circuit's probe included); drain %.0f commands/s",
		time.Since(back).Seconds(), 499/drain.Seconds())
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
