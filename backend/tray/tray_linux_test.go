//go:build linux

package tray_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/tray"
	"github.com/tonnytray/tonnytray/backend/tray/snihost"
)

// fyne.io/systray is process-global and starts once per process, so each
// scenario runs in a child process of this test binary (same flags, -race
// included) with its own private bus; the parent only relays the result.
const scenarioEnv = "TONNYTRAY_TRAY_SCENARIO"

const wait = 10 * time.Second

func TestMain(m *testing.M) {
	bus, err := snihost.StartBus()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tray tests need a private session bus:", err)
		os.Exit(1)
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	code := m.Run()
	bus.Close()
	os.Exit(code)
}

// scenario runs body in a fresh child process.
func scenario(t *testing.T, body func(t *testing.T)) {
	if os.Getenv(scenarioEnv) == t.Name() {
		body(t)
		t.Log("scenario ran: " + t.Name())
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), scenarioEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("scenario ran: "+t.Name())) {
		t.Fatalf("scenario %s failed (%v):\n%s", t.Name(), err, out)
	}
	if testing.Verbose() {
		t.Logf("child output:\n%s", out)
	}
}

type calls struct {
	toggle, pause, open, quit chan struct{}
	profile, action           chan string
}

func newCalls() (*calls, tray.Options) {
	c := &calls{
		toggle: make(chan struct{}, 8), pause: make(chan struct{}, 8),
		open: make(chan struct{}, 8), quit: make(chan struct{}, 8),
		profile: make(chan string, 8), action: make(chan string, 8),
	}
	o := tray.Options{
		OnToggleListening: func() { c.toggle <- struct{}{} },
		OnPause:           func() { c.pause <- struct{}{} },
		OnProfile:         func(name string) { c.profile <- name },
		OnQuickAction:     func(name string) { c.action <- name },
		OnOpen:            func() { c.open <- struct{}{} },
		OnQuit:            func() { c.quit <- struct{}{} },
	}
	return c, o
}

func ctxWait(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

func got[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("%s: no callback within %v", what, wait)
		panic("unreachable")
	}
}

// eventually polls cond every 20 ms for at most 10 s.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; last: %s", what, wait, detail)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func labels(entries []snihost.MenuEntry) string {
	var parts []string
	for _, e := range entries {
		s := e.Label
		if e.Type == "separator" {
			s = "—"
		}
		if !e.Visible {
			s = "(" + s + ")"
		}
		if e.ToggleState == 1 {
			s += "✓"
		}
		if len(e.Children) > 0 {
			s += " [" + labels(e.Children) + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func menuIs(t *testing.T, h *snihost.Host, it snihost.Item, want string) {
	t.Helper()
	eventually(t, "menu "+want, func() (bool, string) {
		m, err := h.Menu(ctxWait(t), it)
		if err != nil {
			return false, err.Error()
		}
		return labels(m) == want, labels(m)
	})
}

func TestHostFirst(t *testing.T) {
	scenario(t, func(t *testing.T) {
		h, err := snihost.Start(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		c, opts := newCalls()
		tr, err := tray.Start(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Stop()
		defer tray.RaceBridge(tr)()
		if _, err := tray.Start(opts); err != tray.ErrStarted {
			t.Fatalf("second Start: %v, want ErrStarted", err)
		}

		it, err := h.WaitItem(ctxWait(t))
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "Available", func() (bool, string) { return tr.Available(), "false" })
		menuIs(t, h, it, "Start listening, Pause, Profile, Quick actions, —, Open window, Quit")
		m, _ := h.Menu(ctxWait(t), it)
		for _, sub := range []string{"Profile", "Quick actions"} {
			if p, _ := snihost.Find(m, sub); p.Enabled {
				t.Errorf("%s enabled with no entries", sub)
			}
		}

		p0, err := h.Props(ctxWait(t), it)
		if err != nil {
			t.Fatal(err)
		}
		if p0.Title != "TonnyTray" || p0.Status != "Active" || len(p0.IconPixmaps) != 1 ||
			p0.IconPixmaps[0].Width != 44 || len(p0.IconPixmaps[0].ARGB) != 44*44*4 ||
			!strings.Contains(p0.ToolTipTitle, "idle") {
			t.Fatalf("initial props: %+v", p0)
		}

		tr.SetProfiles([]tray.Profile{{Name: "Mum"}, {Name: "Dad", Current: true}, {Name: "Kid"}})
		menuIs(t, h, it, "Start listening, Pause, Profile [Mum, Dad✓, Kid], Quick actions, —, Open window, Quit")

		if err := h.Click(ctxWait(t), it, "Start listening"); err != nil {
			t.Fatal(err)
		}
		got(t, c.toggle, "Start listening")

		tr.SetState(tray.StateListening, "TonnyTray — listening · profile Dad")
		menuIs(t, h, it, "Stop listening, Pause, Profile [Mum, Dad✓, Kid], Quick actions, —, Open window, Quit")
		eventually(t, "listening icon and tooltip", func() (bool, string) {
			p, err := h.Props(ctxWait(t), it)
			if err != nil {
				return false, err.Error()
			}
			ok := strings.Contains(p.ToolTipTitle, "listening") && len(p.IconPixmaps) == 1 &&
				len(p.IconPixmaps[0].ARGB) > 0 && !bytes.Equal(p.IconPixmaps[0].ARGB, p0.IconPixmaps[0].ARGB)
			return ok, fmt.Sprintf("tooltip %q", p.ToolTipTitle)
		})
		if err := h.Click(ctxWait(t), it, "Stop listening"); err != nil {
			t.Fatal(err)
		}
		got(t, c.toggle, "Stop listening")

		tr.SetState(tray.StatePaused, "")
		menuIs(t, h, it, "Start listening, Resume, Profile [Mum, Dad✓, Kid], Quick actions, —, Open window, Quit")
		m, _ = h.Menu(ctxWait(t), it)
		if e, _ := snihost.Find(m, "Start listening"); e.Enabled {
			t.Errorf("Start listening enabled while paused")
		}
		if err := h.Click(ctxWait(t), it, "Resume"); err != nil {
			t.Fatal(err)
		}
		got(t, c.pause, "Resume")
		tr.SetState(tray.StateIdle, "")
		menuIs(t, h, it, "Start listening, Pause, Profile [Mum, Dad✓, Kid], Quick actions, —, Open window, Quit")

		if err := h.Click(ctxWait(t), it, "Kid"); err != nil {
			t.Fatal(err)
		}
		if name := got(t, c.profile, "profile"); name != "Kid" {
			t.Fatalf("OnProfile(%q), want Kid", name)
		}
		// Fewer profiles: the spare entry hides; a renamed one reports its new name.
		tr.SetProfiles([]tray.Profile{{Name: "Kid", Current: true}, {Name: "Guest"}})
		menuIs(t, h, it, "Start listening, Pause, Profile [Kid✓, Guest, (Kid)], Quick actions, —, Open window, Quit")
		if err := h.Click(ctxWait(t), it, "Guest"); err != nil {
			t.Fatal(err)
		}
		if name := got(t, c.profile, "profile"); name != "Guest" {
			t.Fatalf("OnProfile(%q), want Guest", name)
		}

		// The active profile's quick actions, without checkboxes; an emptied list disables the submenu.
		tr.SetQuickActions([]string{"Lights on", "Good night"})
		menuIs(t, h, it, "Start listening, Pause, Profile [Kid✓, Guest, (Kid)], Quick actions [Lights on, Good night], —, Open window, Quit")
		if err := h.Click(ctxWait(t), it, "Good night"); err != nil {
			t.Fatal(err)
		}
		if name := got(t, c.action, "quick action"); name != "Good night" {
			t.Fatalf("OnQuickAction(%q), want Good night", name)
		}
		tr.SetQuickActions(nil)
		menuIs(t, h, it, "Start listening, Pause, Profile [Kid✓, Guest, (Kid)], Quick actions [(Lights on), (Good night)], —, Open window, Quit")
		m, _ = h.Menu(ctxWait(t), it)
		if e, _ := snihost.Find(m, "Quick actions"); e.Enabled {
			t.Errorf("Quick actions enabled with none")
		}

		if err := h.Click(ctxWait(t), it, "Open window"); err != nil {
			t.Fatal(err)
		}
		got(t, c.open, "Open window")
		if err := h.Click(ctxWait(t), it, "Quit"); err != nil {
			t.Fatal(err)
		}
		got(t, c.quit, "Quit")

		tr.Stop()
		if err := h.WaitGone(ctxWait(t), it); err != nil {
			t.Fatal(err)
		}
		if tr.Available() {
			t.Fatal("Available after Stop")
		}
		tr.SetState(tray.StateListening, "") // after Stop: a no-op, not a panic
	})
}

func TestNoHostAtStart(t *testing.T) {
	scenario(t, func(t *testing.T) {
		_, opts := newCalls()
		started := make(chan error, 1)
		var tr *tray.Tray
		go func() {
			var err error
			tr, err = tray.Start(opts)
			started <- err
		}()
		select {
		case err := <-started:
			if err != nil {
				t.Fatalf("Start without a host: %v", err)
			}
		case <-time.After(wait):
			t.Fatal("Start hangs without a host")
		}
		defer tr.Stop()
		defer tray.RaceBridge(tr)()
		if tr.Available() {
			t.Fatal("Available without a host")
		}
		tr.SetState(tray.StateListening, "")
		tr.SetProfiles([]tray.Profile{{Name: "Dad", Current: true}})

		h, err := snihost.Start(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		if err != nil {
			t.Fatal(err)
		}
		it, err := h.WaitItem(ctxWait(t))
		if err != nil {
			t.Fatal(err)
		}
		eventually(t, "Available after the host appeared", func() (bool, string) { return tr.Available(), "false" })
		menuIs(t, h, it, "Stop listening, Pause, Profile [Dad✓], Quick actions, —, Open window, Quit")

		// The host goes and comes back (a panel restart): the item follows.
		h.Close()
		eventually(t, "not Available after the host left", func() (bool, string) { return !tr.Available(), "true" })
		h, err = snihost.Start(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if _, err := h.WaitItem(ctxWait(t)); err != nil {
			t.Fatal(err)
		}
		eventually(t, "Available after the host came back", func() (bool, string) { return tr.Available(), "false" })
	})
}
