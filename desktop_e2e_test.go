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

	"github.com/creack/pty"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/store"
	"github.com/tonnytray/tonnytray/backend/tray/snihost"
	"github.com/tonnytray/tonnytray/backend/trigger/ptytest"
)

// app is one run of the production binary.
type app struct {
	t      *testing.T
	bin    string
	env    []string
	db     string // the database file the app will use
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
	return &app{t: t, bin: bin, env: env, db: filepath.Join(home, "data", "tonnytray", "tonnytray.db"),
		socket: filepath.Join(run, "tonnytray", "control.sock")}
}

// cli runs a tonnytray command and returns its output, exit code and how long the process took.
func (a *app) cli(args ...string) (string, int, time.Duration) { return a.exec(a.bin, args...) }

// ctl runs the lean trigger binary built beside tonnytray.
func (a *app) ctl(args ...string) (string, int, time.Duration) { return a.exec(a.bin+"-ctl", args...) }

func (a *app) exec(bin string, args ...string) (string, int, time.Duration) {
	cmd := exec.Command(bin, args...)
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
	bus := privateBus(t)
	host := trayHost(t, bus.Address)
	a := newApp(t, bus.Address)

	a.importSettings(t)
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

	// The lean trigger does the same without loading WebKit; Settings tells users to bind it.
	a.eventually("idle before the lean trigger", func() bool { return a.state() == "idle" })
	var ctlTook []time.Duration
	for _, step := range []struct{ args, want string }{{"pause", "paused"}, {"resume", "idle"}, {"toggle", "listening"}, {"toggle", ""}} {
		out, code, d := a.ctl(step.args)
		ctlTook = append(ctlTook, d)
		if code != 0 || !strings.Contains(out, step.want) {
			t.Errorf("tonnytray-ctl %s: exit %d %q, want %q", step.args, code, out, step.want)
		}
	}
	slices.Sort(ctlTook)
	t.Logf("tonnytray-ctl trigger round trips (process start included): median %.1f ms, worst %.1f ms",
		float64(ctlTook[len(ctlTook)/2].Microseconds())/1000, float64(ctlTook[len(ctlTook)-1].Microseconds())/1000)
	var st daemon.Status
	out, code, _ := a.cli("status", "--json")
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.State.State == "" || !st.Hotkeys.Available {
		t.Fatalf("status --json: exit %d, %v, %+v", code, err, st)
	}
	if cmd := st.Hotkeys.Commands["toggle"]; cmd != a.bin+"-ctl toggle" {
		t.Errorf("Settings tells users to bind %q, want the lean trigger", cmd)
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
	host = trayHost(t, bus.Address)
	if _, err := host.WaitItem(ctx); err != nil {
		t.Fatalf("a late tray host never got the item: %v", err)
	}
}

// importSettings writes settings with no instance running (the CLI starts the backend in-process for it).
func (a *app) importSettings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(cfg, speechSettings(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code, _ := a.cli("config", "import", cfg); code != 0 {
		t.Fatalf("config import: exit %d\n%s", code, out)
	}
}

// familyPIN is the admin PIN TestDesktopFamily sets.
const familyPIN = "2468"

// setUpFamily gives the app's database an admin PIN and a child "Mia" (with a quick action), and makes Mia
// active, as the admin would on the family screen.
func (a *app) setUpFamily(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, a.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := profile.New(ctx, st, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin := svc.Active()
	if err := svc.SetPIN(ctx, admin.Name, "", familyPIN, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, profile.Profile{Name: "Mia", Role: profile.RoleChild, Allowed: []string{"lights"},
		QuickActions: []profile.QuickAction{{Name: "Lights", Command: "lights on"}}}, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Switch(ctx, "Mia", ""); err != nil {
		t.Fatal(err)
	}
}

func (a *app) profile() string {
	st, err := a.status()
	if err != nil {
		a.t.Fatal(err)
	}
	return st.State.Profile
}

// TestDesktopFamily: the child's limits hold from the CLI and the tray, switching up asks for the PIN on a
// real terminal and nowhere else, and the tray opens the window's PIN pad instead.
func TestDesktopFamily(t *testing.T) {
	bus := privateBus(t)
	host := trayHost(t, bus.Address)
	a := newApp(t, bus.Address)
	a.importSettings(t)
	a.setUpFamily(t)
	a.start("--start-hidden")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	it, err := host.WaitItem(ctx)
	if err != nil {
		t.Fatalf("the tray item never registered: %v", err)
	}
	if a.profile() != "Mia" {
		t.Fatalf("active profile %q after restart, want Mia", a.profile())
	}
	a.eventually("the tray's profile and quick action submenus", func() bool {
		m, err := host.Menu(ctx, it)
		if err != nil {
			return false
		}
		mia, _ := snihost.Find(m, "Mia")
		_, lights := snihost.Find(m, "Lights")
		return mia.ToggleState == 1 && lights
	})

	// The child's limits from the CLI.
	if out, code, _ := a.cli("send", "order a pizza"); code != 1 || !strings.Contains(out, "grown-up") {
		t.Errorf("a child's command off the list: exit %d %q, want 1 and the refusal", code, out)
	}
	if out, code, _ := a.cli("action", "Nope"); code != 1 || !strings.Contains(out, "no such quick action") {
		t.Errorf("an unknown quick action: exit %d %q", code, out)
	}
	if out, code, _ := a.cli("action", "Lights", "--no-wait"); code != 5 || !strings.Contains(out, "queued") {
		t.Errorf("an allowed quick action: exit %d %q, want 5 (queued: no webhook here)", code, out)
	}

	// Switching up without a terminal is refused, and says how.
	if out, code, _ := a.cli("profile", "Admin"); code != 1 || !strings.Contains(out, "terminal") || a.profile() != "Mia" {
		t.Fatalf("profile Admin without a terminal: exit %d %q, profile %s", code, out, a.profile())
	}

	// On a real terminal it asks, without echo: a wrong PIN, then the right one.
	cmd := exec.Command(a.bin, "profile", "Admin")
	cmd.Env = a.env
	term, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	screen := make(chan string, 64)
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := term.Read(buf)
			if n > 0 {
				screen <- string(buf[:n])
			}
			if err != nil {
				close(screen)
				return
			}
		}
	}()
	var seen strings.Builder
	const prompt = "Admin PIN to switch to Admin: "
	waitFor := func(what string, ok func(string) bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for !ok(seen.String()) {
			select {
			case chunk, open := <-screen:
				if !open {
					t.Fatalf("the terminal closed before %s; it showed %q", what, seen.String())
				}
				seen.WriteString(chunk)
			case <-deadline:
				t.Fatalf("the terminal never showed %s; it showed %q", what, seen.String())
			}
		}
	}
	waitFor("the PIN prompt", func(s string) bool { return strings.Contains(s, prompt) })
	if err := ptytest.WaitEchoOff(term); err != nil {
		t.Fatal(err)
	}
	if _, err := term.Write([]byte("1357\n")); err != nil {
		t.Fatal(err)
	}
	waitFor("Wrong PIN and a second prompt", func(s string) bool { return strings.Contains(s, "Wrong PIN") && strings.Count(s, prompt) == 2 })
	if a.profile() != "Mia" {
		t.Fatal("a wrong PIN switched the profile")
	}
	if err := ptytest.WaitEchoOff(term); err != nil {
		t.Fatal(err)
	}
	if _, err := term.Write([]byte(familyPIN + "\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("profile Admin with the right PIN: %v; the terminal showed %q", err, seen.String())
	}
	for chunk := range screen {
		seen.WriteString(chunk)
	}
	if strings.Contains(seen.String(), familyPIN) {
		t.Errorf("the PIN was echoed: %q", seen.String())
	}
	if a.profile() != "Admin" {
		t.Fatalf("after the right PIN the profile is %q", a.profile())
	}

	// Down again from the CLI: no PIN. Up from the tray: the window opens (on the PIN pad) and nothing switches.
	if out, code, _ := a.cli("profile", "Mia"); code != 0 || !strings.Contains(out, "Mia") {
		t.Fatalf("profile Mia: exit %d %q", code, out)
	}
	if windowVisible() {
		t.Fatal("the window is visible before the tray asked for a PIN")
	}
	if err := host.Click(ctx, it, "Admin"); err != nil {
		t.Fatal(err)
	}
	a.eventually("the window shown for the PIN", windowVisible)
	if a.profile() != "Mia" {
		t.Fatalf("the tray switched up without a PIN: %q", a.profile())
	}
}

// privateBus is a session bus of the test's own, closed when the test ends.
func privateBus(t *testing.T) *snihost.Bus {
	bus, err := snihost.StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus
}

// trayHost is a StatusNotifier host on the bus at address, closed when the test ends.
func trayHost(t *testing.T, address string) *snihost.Host {
	host, err := snihost.Start(address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { host.Close() })
	return host
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
	bus := privateBus(t)
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
