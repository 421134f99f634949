//go:build desktope2e

package main

// The real app on the headless desktop: the production binary (build/bin/tonnytray) under Xvfb, a private
// session bus with a test StatusNotifier host, the speech server simulator, PulseAudio. Run by
// scripts/test-inner.sh after the build: go test -tags desktope2e,webkit2_41 -run TestDesktop .

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/tray/snihost"
)

// app is one run of the production binary.
type app struct {
	t      *testing.T
	bin    string
	env    []string
	socket string
	cmd    *exec.Cmd
	exited chan error
}

func newApp(t *testing.T, bus string) *app {
	t.Helper()
	bin, err := filepath.Abs("build/bin/tonnytray")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("build the app first (make build): %v", err)
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("this test needs an X display: run it inside scripts/desktop.sh")
	}
	home := t.TempDir()
	run, err := os.MkdirTemp("/tmp", "tt-e2e") // short: a socket path has 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	env := append(slices.DeleteFunc(os.Environ(), func(v string) bool {
		return strings.HasPrefix(v, "HOME=") || strings.HasPrefix(v, "XDG_") || strings.HasPrefix(v, "DBUS_SESSION_BUS_ADDRESS=")
	}), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data", "XDG_STATE_HOME="+home+"/state",
		"XDG_CACHE_HOME="+home+"/cache", "XDG_RUNTIME_DIR="+run, "DBUS_SESSION_BUS_ADDRESS="+bus)
	return &app{t: t, bin: bin, env: env, socket: filepath.Join(run, "tonnytray", "control.sock")}
}

// cli runs a tonnytray command and returns its output and exit code.
func (a *app) cli(args ...string) (string, int, time.Duration) {
	cmd := exec.Command(a.bin, args...)
	cmd.Env = a.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		a.t.Fatalf("tonnytray %v: %v", args, err)
	}
	return string(out), code, took
}

// start launches the window app and waits until its control socket answers.
func (a *app) start(args ...string) {
	a.t.Helper()
	a.cmd = exec.Command(a.bin, args...)
	a.cmd.Env = a.env
	a.cmd.Stdout, a.cmd.Stderr = os.Stderr, os.Stderr
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	a.exited = make(chan error, 1)
	go func() { a.exited <- a.cmd.Wait() }()
	a.t.Cleanup(func() { a.stop() })
	a.eventually("the app answers on its control socket", func() bool {
		_, err := a.status()
		return err == nil
	})
}

func (a *app) stop() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-a.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
		<-a.exited
	}
	a.cmd = nil
}

func (a *app) status() (daemon.Status, error) {
	var st daemon.Status
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := control.Call(ctx, a.socket, "status", nil, &st)
	return st, err
}

func (a *app) state() string {
	st, err := a.status()
	if err != nil {
		a.t.Fatal(err)
	}
	return st.State.State
}

func (a *app) eventually(what string, ok func() bool) {
	a.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			a.t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// windowVisible asks X whether a TonnyTray window is mapped.
func windowVisible() bool {
	return exec.Command("xdotool", "search", "--onlyvisible", "--name", "^TonnyTray$").Run() == nil
}

// wlksim builds the speech server simulator and returns settings that make the app start it.
func speechSettings(t *testing.T) []byte {
	sim := filepath.Join(t.TempDir(), "wlksim")
	if out, err := exec.Command("go", "build", "-o", sim, "./cmd/wlksim").CombinedOutput(); err != nil {
		t.Fatalf("build the simulator: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	b, _ := json.Marshal(map[string]any{"version": 1,
		"whisper":  map[string]any{"command": sim, "port": port},
		"audio":    map[string]any{"mode": "toggle"},
		"general":  map[string]any{"keyring_backend": "keyctl", "close_to_tray": true},
		"response": map[string]any{"cues_enabled": false},
	})
	return b
}

func TestDesktopTrayHotkeysAndTriggers(t *testing.T) {
	bus, err := snihost.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	host, err := snihost.Start(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, bus.Address)

	// Settings first, with no instance running: the CLI starts the backend in-process for the import.
	cfg := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(cfg, speechSettings(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code, _ := a.cli("config", "import", cfg); code != 0 {
		t.Fatalf("config import: exit %d\n%s", code, out)
	}
	if out, code, _ := a.cli("toggle"); code != 3 || !strings.Contains(out, "not running") {
		t.Fatalf("a trigger with no instance: exit %d %q, want 3 and a clear message", code, out)
	}

	a.start("--start-hidden")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	it, err := host.WaitItem(ctx)
	if err != nil {
		t.Fatalf("the tray item never registered: %v", err)
	}
	a.eventually("the speech server runs", func() bool {
		st, _ := a.status()
		return slices.ContainsFunc(st.Services, func(s daemon.ServiceStatus) bool { return s.Service == "whisper-server" && s.State == "ok" })
	})
	if windowVisible() {
		t.Fatal("--start-hidden showed the window")
	}
	menu, err := host.Menu(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"Start listening", "Pause", "Open window", "Quit"} {
		if _, ok := snihost.Find(menu, label); !ok {
			t.Fatalf("tray menu lacks %q: %+v", label, menu)
		}
	}

	// The tray drives the app, and the icon and tooltip follow.
	before, err := host.Props(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Click(ctx, it, "Start listening"); err != nil {
		t.Fatal(err)
	}
	a.eventually("listening after the tray click", func() bool { return a.state() == "listening" })
	a.eventually("the tray showing listening", func() bool {
		p, err := host.Props(ctx, it)
		return err == nil && strings.Contains(p.Title+p.ToolTipTitle, "listening") && !samePixmaps(p, before)
	})
	if err := host.Click(ctx, it, "Stop listening"); err != nil {
		t.Fatal(err)
	}
	a.eventually("not listening after the second click", func() bool { return a.state() != "listening" })

	// The global shortcut, as the user presses it.
	a.eventually("idle before the shortcut", func() bool { return a.state() == "idle" })
	if out, err := exec.Command("xdotool", "key", "ctrl+shift+v").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	a.eventually("listening after Ctrl+Shift+V", func() bool { return a.state() == "listening" })
	if out, err := exec.Command("xdotool", "key", "ctrl+shift+v").CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v %s", err, out)
	}
	a.eventually("not listening after the second Ctrl+Shift+V", func() bool { return a.state() != "listening" })
	a.eventually("idle again", func() bool { return a.state() == "idle" })

	// Every CLI trigger against the running instance.
	var took []time.Duration
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"pause"}, "paused"}, {[]string{"toggle"}, ""}, {[]string{"resume"}, "idle"},
		{[]string{"ptt-start"}, "listening"}, {[]string{"ptt-stop"}, ""}, {[]string{"profile", "Nobody"}, ""},
	} {
		out, code, d := a.cli(step.args...)
		took = append(took, d)
		switch {
		case step.args[0] == "toggle" && (code != 1 || !strings.Contains(out, "paused")):
			t.Errorf("toggle while paused: exit %d %q, want 1 and the pause named", code, out)
		case step.args[0] == "profile" && (code != 1 || !strings.Contains(out, "no such profile")):
			t.Errorf("profile Nobody: exit %d %q", code, out)
		case step.want != "" && (code != 0 || !strings.Contains(out, step.want)):
			t.Errorf("tonnytray %v: exit %d %q, want %q", step.args, code, out, step.want)
		}
	}
	slices.Sort(took)
	t.Logf("CLI trigger round trips (process start included): median %d ms, worst %d ms", took[len(took)/2].Milliseconds(), took[len(took)-1].Milliseconds())
	var st daemon.Status
	out, code, _ := a.cli("status", "--json")
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.State.State == "" || !st.Hotkeys.Available {
		t.Fatalf("status --json: exit %d, %v, %+v", code, err, st)
	}

	// "Open window" shows the hidden window.
	if err := host.Click(ctx, it, "Open window"); err != nil {
		t.Fatal(err)
	}
	a.eventually("the window shown from the tray", windowVisible)

	// Quit from the tray ends the process cleanly.
	if err := host.Click(ctx, it, "Quit"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-a.exited:
		if err != nil {
			t.Fatalf("the app quit with %v", err)
		}
		a.cmd = nil
	case <-time.After(20 * time.Second):
		t.Fatal("the app did not quit from the tray")
	}
	if err := host.WaitGone(ctx, it); err != nil {
		t.Fatalf("the tray item stayed after quitting: %v", err)
	}

	// A tray host that appears after the app still gets the item.
	host.Close()
	a.start("--start-hidden")
	time.Sleep(time.Second) // the app runs without a host for a while
	host, err = snihost.Start(bus.Address)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	if _, err := host.WaitItem(ctx); err != nil {
		t.Fatalf("a late tray host never got the item: %v", err)
	}
}

func samePixmaps(a, b snihost.ItemProps) bool {
	if len(a.IconPixmaps) != len(b.IconPixmaps) {
		return false
	}
	for i := range a.IconPixmaps {
		if fmt.Sprint(a.IconPixmaps[i]) != fmt.Sprint(b.IconPixmaps[i]) {
			return false
		}
	}
	return true
}

// TestDesktopHeadlessWithoutDisplay starts the backend with no display at all: it runs, and says the
// shortcuts are unavailable instead of crashing.
func TestDesktopHeadlessWithoutDisplay(t *testing.T) {
	bus, err := snihost.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	a := newApp(t, bus.Address)
	a.env = slices.DeleteFunc(a.env, func(v string) bool {
		return strings.HasPrefix(v, "DISPLAY=") || strings.HasPrefix(v, "WAYLAND_DISPLAY=")
	})
	a.start("headless")
	st, err := a.status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Hotkeys.Available || !strings.Contains(st.Hotkeys.Reason, "toggle") {
		t.Fatalf("hotkeys without a display = %+v, want unavailable with the commands to bind", st.Hotkeys)
	}
	if out, code, _ := a.cli("pause"); code != 0 || !strings.Contains(out, "paused") {
		t.Fatalf("pause headless: exit %d %q", code, out)
	}
}
