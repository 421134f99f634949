//go:build linux && cgo

package hotkey

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/hotkey/internal/xinject"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/typing/xtest"
)

// holderEnv makes the test binary a separate X client that grabs one shortcut and holds it until stdin closes.
const holderEnv = "HOTKEY_TEST_HOLD"

func TestMain(m *testing.M) {
	if key := os.Getenv(holderEnv); key != "" {
		os.Exit(hold(key))
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		fmt.Fprintln(os.Stderr, "hotkey tests need xdotool (apt-get install xdotool):", err)
		os.Exit(1)
	}
	stop, err := xtest.StartXvfb()
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotkey tests need a private Xvfb:", err)
		os.Exit(1)
	}
	// Xvfb resets (and refuses connections for a moment, and forgets NumLock) whenever its last client
	// disconnects; one idle connection for the whole run keeps it steady between tests.
	keeper, _ := Start(nil, os.Getenv)
	if !keeper.Status().Available {
		fmt.Fprintln(os.Stderr, "cannot connect to the private Xvfb:", keeper.Status().Reason)
		stop()
		os.Exit(1)
	}
	code := m.Run()
	keeper.Stop()
	stop()
	os.Exit(code)
}

// hold is the other application of the conflict test.
func hold(key string) int {
	mgr, _ := Start([]Binding{{Name: "other", Key: mustKey(key)}}, os.Getenv)
	st := mgr.Status()
	if len(st.Active) != 1 {
		fmt.Printf("failed %+v\n", st)
		return 1
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until the parent closes stdin
	mgr.Stop()
	return 0
}

func mustKey(s string) settings.Hotkey {
	h, err := settings.ParseHotkey(s)
	if err != nil {
		panic(err)
	}
	return h
}

var defaultBindings = []Binding{
	{Name: "toggle", Key: mustKey("Ctrl+Shift+V")},
	{Name: "pause", Key: mustKey("Ctrl+Alt+P")},
	{Name: "push_to_talk", Key: mustKey("F9")},
}

func xdotool(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// next waits for one event, with a generous bound for a busy machine.
func next(t testing.TB, events <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("event channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no hotkey event within 5 s")
	}
	return Event{}
}

// expectKey sends one xdotool chord and expects its press and release as the named binding.
func expectKey(t *testing.T, events <-chan Event, chord, name string) {
	t.Helper()
	before := time.Now()
	xdotool(t, "key", chord)
	down := next(t, events)
	if down.Name != name || !down.Down {
		t.Fatalf("%s: got %+v, want a press of %s", chord, down, name)
	}
	if down.At.Before(before) {
		t.Fatalf("%s: event time %v is before the key was sent (%v)", chord, down.At, before)
	}
	up := next(t, events)
	if up.Name != name || up.Down {
		t.Fatalf("%s: got %+v, want the release of %s", chord, up, name)
	}
}

// quiet checks that nothing else arrives for a while.
func quiet(t *testing.T, events <-chan Event, d time.Duration) {
	t.Helper()
	select {
	case ev := <-events:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(d):
	}
}

func start(t *testing.T, bindings []Binding) (*Manager, <-chan Event) {
	t.Helper()
	m, events := Start(bindings, os.Getenv)
	t.Cleanup(m.Stop)
	st := m.Status()
	if !st.Available || len(st.Conflicts) != 0 {
		t.Fatalf("status %+v", st)
	}
	return m, events
}

func TestToggleKey(t *testing.T) {
	m, events := start(t, defaultBindings)
	if got := m.Status().Active; !slices.Equal(got, []string{"pause", "push_to_talk", "toggle"}) {
		t.Fatalf("active %v", got)
	}
	expectKey(t, events, "ctrl+shift+v", "toggle")
	expectKey(t, events, "ctrl+alt+p", "pause")
	// Another modifier set is not the shortcut.
	xdotool(t, "key", "ctrl+v")
	quiet(t, events, 300*time.Millisecond)
}

// TestLockKeys: the grab must fire with NumLock and/or CapsLock on (an exact-mask grab would not).
func TestLockKeys(t *testing.T) {
	_, events := start(t, defaultBindings)
	display := os.Getenv("DISPLAY")
	locks := []struct {
		name, key string
	}{{"NumLock", "Num_Lock"}, {"CapsLock", "Caps_Lock"}}
	for _, l := range locks {
		before := lockedModifiers(display)
		xdotool(t, "key", l.key)
		on := lockedModifiers(display)
		if on == before {
			t.Fatalf("%s did not change the locked modifiers (%#x)", l.name, on)
		}
		t.Logf("%s on: locked modifiers %#x", l.name, on)
		expectKey(t, events, "ctrl+shift+v", "toggle")
		expectKey(t, events, "F9", "push_to_talk")
	}
	// Both on now; turn them off again for the other tests.
	for _, l := range locks {
		xdotool(t, "key", l.key)
	}
	if got := lockedModifiers(display); got != 0 {
		t.Fatalf("locked modifiers left on: %#x", got)
	}
	expectKey(t, events, "ctrl+shift+v", "toggle")
}

// TestPushToTalkHold: a key held past the autorepeat delay gives exactly one press and one release.
func TestPushToTalkHold(t *testing.T) {
	_, events := start(t, defaultBindings)
	xdotool(t, "keydown", "F9")
	first := next(t, events)
	time.Sleep(1200 * time.Millisecond) // Xvfb repeats after 660 ms at 25 Hz
	xdotool(t, "keyup", "F9")
	got := []Event{first}
	for done := false; !done; {
		select {
		case ev := <-events:
			got = append(got, ev)
		case <-time.After(500 * time.Millisecond):
			done = true
		}
	}
	if len(got) != 2 || !got[0].Down || got[1].Down || got[0].Name != "push_to_talk" || got[1].Name != "push_to_talk" {
		t.Fatalf("a 1.2 s hold gave %d events, want one press and one release: %+v", len(got), got)
	}
	down, up := got[0], got[1]
	if held := up.At.Sub(down.At); held < time.Second {
		t.Fatalf("held %v, want about 1.2 s", held)
	}

	// And through the state machine: a hold is Start then Stop.
	p := &PTT{HoldThreshold: 200 * time.Millisecond}
	if a, b := p.Press(down.At), p.Release(up.At); a != ActionStart || b != ActionStop {
		t.Fatalf("PTT gave %v, %v", a, b)
	}
}

// TestConflict: another application holds Ctrl+Shift+V; Start reports it, keeps the others, and the process
// lives on (Xlib's default handler would have exited on the BadAccess).
func TestConflict(t *testing.T) {
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), holderEnv+"=Ctrl+Shift+V")
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	holder.Stderr = os.Stderr
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		_ = holder.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("holder: %q, %v", line, err)
	}

	m, events := Start(defaultBindings, os.Getenv)
	defer m.Stop()
	st := m.Status()
	if !st.Available {
		t.Fatalf("status %+v", st)
	}
	if got, want := st.Conflicts["toggle"], "Ctrl+Shift+V is already taken by another application"; got != want {
		t.Fatalf("conflict %q, want %q (status %+v)", got, want, st)
	}
	if len(st.Conflicts) != 1 || !slices.Equal(st.Active, []string{"pause", "push_to_talk"}) {
		t.Fatalf("status %+v", st)
	}
	expectKey(t, events, "ctrl+alt+p", "pause")
	expectKey(t, events, "F9", "push_to_talk")
	// The key goes to the holder, not to us.
	xdotool(t, "key", "ctrl+shift+v")
	quiet(t, events, 300*time.Millisecond)

	// Once the other application lets go, a Rebind gets it.
	stdin.Close()
	_ = holder.Wait()
	st = m.Rebind(defaultBindings)
	if len(st.Conflicts) != 0 || len(st.Active) != 3 {
		t.Fatalf("after the holder quit: %+v", st)
	}
	expectKey(t, events, "ctrl+shift+v", "toggle")
}

// TestNoDisplay: without DISPLAY no X call is made and the reason names the CLI commands.
func TestNoDisplay(t *testing.T) {
	for _, env := range []map[string]string{
		{},
		{"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"},
	} {
		var asked []string
		getenv := func(k string) string { asked = append(asked, k); return env[k] }
		m, events := Start(defaultBindings, getenv)
		st := m.Status()
		if st.Available || len(st.Active) != 0 {
			t.Fatalf("env %v: status %+v", env, st)
		}
		for _, cmd := range []string{"tonnytray toggle", "tonnytray ptt-start", "tonnytray ptt-stop"} {
			if !strings.Contains(st.Reason, cmd) {
				t.Fatalf("reason %q does not mention %q", st.Reason, cmd)
			}
		}
		if m.cmds != nil {
			t.Fatal("an X event loop was started")
		}
		if st2 := m.Rebind(defaultBindings); st2.Available {
			t.Fatalf("rebind: %+v", st2)
		}
		m.Stop()
		m.Stop()
		if _, ok := <-events; ok {
			t.Fatal("event channel not closed after Stop")
		}
		t.Logf("env %v: asked %v; reason %q", env, asked, st.Reason)
	}
}

// TestXWaylandWarning: with both DISPLAY and WAYLAND_DISPLAY the grab is made, with a warning.
func TestXWaylandWarning(t *testing.T) {
	getenv := func(k string) string {
		if k == "WAYLAND_DISPLAY" {
			return "wayland-0"
		}
		return os.Getenv(k)
	}
	m, events := Start(defaultBindings, getenv)
	defer m.Stop()
	st := m.Status()
	if !st.Available || !strings.Contains(st.Reason, "XWayland") || len(st.Active) != 3 {
		t.Fatalf("status %+v", st)
	}
	expectKey(t, events, "ctrl+shift+v", "toggle")
}

func TestBadDisplay(t *testing.T) {
	getenv := func(k string) string {
		if k == "DISPLAY" {
			return ":4242"
		}
		return ""
	}
	m, events := Start(defaultBindings, getenv)
	st := m.Status()
	if st.Available || !strings.Contains(st.Reason, `":4242"`) {
		t.Fatalf("status %+v", st)
	}
	m.Stop()
	if _, ok := <-events; ok {
		t.Fatal("event channel not closed")
	}
}

// TestRebindAndStop: Rebind moves the shortcut; Stop releases the grab so another client can take it.
func TestRebindAndStop(t *testing.T) {
	m, events := start(t, defaultBindings)
	moved := slices.Clone(defaultBindings)
	moved[0].Key = mustKey("Super+Shift+D")
	moved = append(moved, Binding{Name: "off"}, Binding{Name: "dup", Key: mustKey("F9")},
		Binding{Name: "missing", Key: settings.Hotkey{Key: "F24"}})
	st := m.Rebind(moved)
	if !st.Available || !slices.Equal(st.Active, []string{"pause", "push_to_talk", "toggle"}) {
		t.Fatalf("rebind: %+v", st)
	}
	if !strings.Contains(st.Conflicts["dup"], "push_to_talk") {
		t.Fatalf("duplicate not reported: %+v", st.Conflicts)
	}
	t.Logf("conflicts after rebind: %v", st.Conflicts)
	xdotool(t, "key", "ctrl+shift+v")
	quiet(t, events, 300*time.Millisecond)
	expectKey(t, events, "super+shift+d", "toggle")

	// A second client (its own X connection) cannot grab Ctrl+Alt+P while we hold it...
	other, _ := Start([]Binding{{Name: "pause", Key: mustKey("Ctrl+Alt+P")}}, os.Getenv)
	if why := other.Status().Conflicts["pause"]; !strings.Contains(why, "already taken") {
		t.Fatalf("second client got the grab: %+v", other.Status())
	}
	other.Stop()
	// ...and can once we stop.
	m.Stop()
	if _, ok := <-events; ok {
		t.Fatal("event channel not closed after Stop")
	}
	if st := m.Status(); st.Available || len(st.Active) != 0 {
		t.Fatalf("after stop: %+v", st)
	}
	other, otherEvents := Start([]Binding{{Name: "pause", Key: mustKey("Ctrl+Alt+P")}}, os.Getenv)
	defer other.Stop()
	if st := other.Status(); len(st.Active) != 1 {
		t.Fatalf("grab still held after Stop: %+v", st)
	}
	expectKey(t, otherEvents, "ctrl+alt+p", "pause")
	m.Stop() // idempotent
	if st := m.Rebind(defaultBindings); st.Available {
		t.Fatalf("rebind after stop: %+v", st)
	}
}

// TestStopWhileHeld: Stop delivers the release of a key that is down, so push-to-talk never sticks.
func TestStopWhileHeld(t *testing.T) {
	m, events := Start(defaultBindings, os.Getenv)
	xdotool(t, "keydown", "F9")
	defer xdotool(t, "keyup", "F9")
	if ev := next(t, events); !ev.Down {
		t.Fatalf("got %+v", ev)
	}
	m.Stop()
	var got []Event
	for ev := range events {
		got = append(got, ev)
	}
	if len(got) != 1 || got[0].Down || got[0].Name != "push_to_talk" {
		t.Fatalf("after stop: %+v", got)
	}
}

// TestConcurrentUse: Rebind, Status and Stop from several goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	m, events := Start(defaultBindings, os.Getenv)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				m.Rebind(defaultBindings)
				_ = m.Status()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(20 * time.Millisecond)
		m.Stop()
	}()
	wg.Wait()
	m.Stop()
	for range events { // closed after Stop
	}
	if st := m.Status(); st.Available {
		t.Fatalf("after stop: %+v", st)
	}
}

// TestLostDisplay: the X server goes away under a running Manager; the process keeps running (Xlib's
// default would exit) and Status says the shortcuts are off.
func TestLostDisplay(t *testing.T) {
	mine := os.Getenv("DISPLAY")
	stop, err := xtest.StartXvfb()
	if err != nil {
		t.Fatal(err)
	}
	second := os.Getenv("DISPLAY")
	os.Setenv("DISPLAY", mine)
	getenv := func(k string) string {
		if k == "DISPLAY" {
			return second
		}
		return ""
	}
	m, events := Start(defaultBindings, getenv)
	defer m.Stop()
	if st := m.Status(); len(st.Active) != 3 {
		stop()
		t.Fatalf("status %+v", st)
	}
	stop()
	select {
	case _, ok := <-events:
		if ok {
			t.Fatal("unexpected event")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the loss of the X server was not noticed within 10 s")
	}
	st := m.Status()
	if st.Available || !strings.Contains(st.Reason, "lost the connection") {
		t.Fatalf("status %+v", st)
	}
	if st := m.Rebind(defaultBindings); st.Available {
		t.Fatalf("rebind: %+v", st)
	}
}

// BenchmarkHotkeyLatency measures key press → Event. "xdotool" includes starting the xdotool process (with
// --delay 0: its default 12 ms pause between keys would otherwise dominate);
// "xtest" injects the chord in-process through XTest on a second X connection, leaving the X round trip and
// this package's loop.
func BenchmarkHotkeyLatency(b *testing.B) {
	m, events := Start(defaultBindings, os.Getenv)
	defer m.Stop()
	if len(m.Status().Active) != 3 {
		b.Fatalf("status %+v", m.Status())
	}
	measure := func(b *testing.B, press func() func()) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			wait := press()
			ev := next(b, events)
			lat = append(lat, ev.At.Sub(t0))
			if up := next(b, events); up.Down {
				b.Fatalf("got %+v", up)
			}
			wait()
		}
		b.StopTimer()
		slices.Sort(lat)
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.95), "p95-ms")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("xdotool", func(b *testing.B) {
		measure(b, func() func() {
			cmd := exec.Command("xdotool", "key", "--delay", "0", "ctrl+shift+v")
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			return func() { _ = cmd.Wait() }
		})
	})
	b.Run("xtest", func(b *testing.B) {
		in, err := xinject.Open(os.Getenv("DISPLAY"))
		if err != nil {
			b.Fatal(err)
		}
		defer in.Close()
		const controlL, shiftL, v = 0xffe3, 0xffe1, 0x76
		measure(b, func() func() {
			if err := in.Chord(controlL, shiftL, v); err != nil {
				b.Fatal(err)
			}
			return func() {}
		})
	})
}
