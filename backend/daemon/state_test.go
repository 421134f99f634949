package daemon

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/store"
	"github.com/tonnytray/tonnytray/backend/supervisor"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// call sends a trigger over the control socket, as `tonnytray NAME` does, and returns the state it answers.
func call(t *testing.T, h *harness, name string, args any) (AppStateInfo, error) {
	t.Helper()
	var st AppStateInfo
	err := control.Call(context.Background(), h.socket, name, args, &st)
	return st, err
}

func waitState(t *testing.T, d *Daemon, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for d.AppState().State != want {
		if time.Now().After(deadline) {
			t.Fatalf("app state %q, want %q", d.AppState().State, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTriggersDriveListeningPauseAndProfile(t *testing.T) {
	sim, port := simulator(t)
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) {
		s.Whisper.Command, s.Whisper.Port = sim, port
		s.Audio.Mode = "push_to_talk"
	})
	d, _ := h.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := d.speech.Wait(ctx, func(st whisper.ServerState) bool { return st.State == supervisor.Running }); err != nil {
		t.Fatalf("speech server: %v", err)
	}
	states := d.Bus().Subscribe(64, event.AppState)
	defer states.Close()

	st, err := call(t, h, "toggle", nil)
	if err != nil || st.State != StateListening {
		t.Fatalf("toggle = %+v, %v; want listening", st, err)
	}
	if st, err = call(t, h, "toggle", nil); err != nil || st.State == StateListening {
		t.Fatalf("second toggle = %+v, %v; want the utterance to end", st, err)
	}
	waitState(t, d, StateIdle) // the final text came back: processing is over

	if st, err = call(t, h, "ptt-start", nil); err != nil || st.State != StateListening {
		t.Fatalf("ptt-start = %+v, %v", st, err)
	}
	if _, err = call(t, h, "ptt-stop", nil); err != nil {
		t.Fatal(err)
	}
	waitState(t, d, StateIdle)
	if _, err = call(t, h, "ptt-stop", nil); err == nil || !strings.Contains(err.Error(), "no utterance in progress") {
		t.Fatalf("ptt-stop with nothing to stop: %v", err)
	}

	if st, err = call(t, h, "pause", nil); err != nil || st.State != StatePaused {
		t.Fatalf("pause = %+v, %v", st, err)
	}
	if _, err = call(t, h, "toggle", nil); err == nil || !strings.Contains(err.Error(), "paused") {
		t.Fatalf("toggle while paused: %v, want the pause named", err)
	}
	if !errors.Is(d.StartListening("", ""), ErrPaused) {
		t.Fatal("StartListening while paused did not refuse")
	}
	var status Status
	if err := control.Call(context.Background(), h.socket, "status", nil, &status); err != nil || status.State.State != StatePaused {
		t.Fatalf("status = %+v, %v; want the state paused", status.State, err)
	}
	if st, err = call(t, h, "resume", nil); err != nil || st.State != StateIdle {
		t.Fatalf("resume = %+v, %v", st, err)
	}

	if _, err = call(t, h, "profile", map[string]string{"name": "Grandpa"}); err == nil || !strings.Contains(err.Error(), "no such profile") {
		t.Fatalf("unknown profile: %v", err)
	}
	if err := d.store.DB().Create(&store.Profile{Name: "Mia", Role: "child"}).Error; err != nil {
		t.Fatal(err)
	}
	if st, err = call(t, h, "profile", map[string]string{"name": "Mia"}); err != nil || st.Profile != "Mia" {
		t.Fatalf("profile Mia = %+v, %v", st, err)
	}
	if id := d.identity(); id.Profile != "Mia" || id.Role != "child" || !id.SafeMode {
		t.Errorf("identity after the switch = %+v", id)
	}

	// Every change went out as app:state, in order.
	var seen []string
	for len(states.C) > 0 {
		seen = append(seen, (<-states.C).Payload.(event.AppStatePayload).State)
	}
	for _, want := range []string{StateListening, StateProcessing, StateIdle, StatePaused} {
		if !strings.Contains(strings.Join(seen, " "), want) {
			t.Errorf("app:state events %v lack %q", seen, want)
		}
	}
}

func TestPauseStopsVoiceActivation(t *testing.T) {
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) { s.Audio.Mode = "voice_activation" })
	d, _ := h.start(t)
	deadline := time.Now().Add(20 * time.Second)
	for d.mic.service().State != "ok" {
		if time.Now().After(deadline) {
			t.Fatalf("voice activation did not open the microphone: %+v", d.mic.service())
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.Pause()
	for d.mic.service().State == "ok" {
		if time.Now().After(deadline) {
			t.Fatal("the microphone stayed open while paused")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.Resume()
	for d.mic.service().State != "ok" {
		if time.Now().After(deadline) {
			t.Fatal("voice activation did not come back after resume")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLaunchAtLoginWritesAndRemovesTheAutostartEntry(t *testing.T) {
	h := newHarness(t)
	d, _ := h.start(t)
	file := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart", "tonnytray.desktop")
	s := d.Settings()
	s.General.LaunchAtLogin = true
	if _, err := d.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), "--start-hidden") {
		t.Fatalf("autostart entry: %v\n%s", err, b)
	}
	s.General.LaunchAtLogin = false
	if _, err := d.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("the entry is still there after turning it off: %v", err)
	}
}

// TestHotkeyTogglesListening presses the toggle shortcut on the private X display, as a user would, and
// checks the state through `status`.
func TestHotkeyTogglesListening(t *testing.T) {
	if xErr != nil {
		t.Fatalf("this test needs a private X display: %v", xErr)
	}
	sim, port := simulator(t)
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) {
		s.Whisper.Command, s.Whisper.Port = sim, port
		s.Hotkeys.Toggle, s.Hotkeys.Pause = "Ctrl+Alt+K", "Ctrl+Alt+J" // keys no other test binds
	})
	d, _ := h.start(t)
	deadline := time.Now().Add(20 * time.Second)
	for st := d.HotkeyStatus(); len(st.Active) < 2; st = d.HotkeyStatus() {
		if time.Now().After(deadline) {
			t.Fatalf("shortcuts not grabbed: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	press := func(keys string) {
		if out, err := exec.Command("xdotool", "key", keys).CombinedOutput(); err != nil {
			t.Fatalf("xdotool key %s: %v %s", keys, err, out)
		}
	}
	status := func() string {
		var st Status
		if err := control.Call(context.Background(), h.socket, "status", nil, &st); err != nil {
			t.Fatal(err)
		}
		return st.State.State
	}
	press("ctrl+alt+j")
	for status() != StatePaused {
		if time.Now().After(deadline) {
			t.Fatalf("the pause shortcut did not pause: %s", status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	press("ctrl+alt+j")
	press("ctrl+alt+k")
	for status() != StateListening {
		if time.Now().After(deadline) {
			t.Fatalf("the toggle shortcut did not start listening: %s", status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	press("ctrl+alt+k")
	for status() == StateListening {
		if time.Now().After(deadline) {
			t.Fatal("the toggle shortcut did not stop listening")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// A new key in Settings applies without a restart.
	s := d.Settings()
	s.Hotkeys.Toggle = "Ctrl+Alt+U"
	if _, err := d.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	for st := d.HotkeyStatus(); ; st = d.HotkeyStatus() {
		if out, err := exec.Command("xdotool", "key", "ctrl+alt+u").CombinedOutput(); err != nil {
			t.Fatalf("xdotool: %v %s", err, out)
		}
		if status() == StateListening {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rebound shortcut does nothing: %+v", st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
