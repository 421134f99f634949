package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/hotkey"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// hotkeys holds the global shortcuts' manager and what they can do on this session.
type hotkeys struct {
	mu     sync.Mutex
	mgr    *hotkey.Manager
	status hotkey.Status
	rebind chan struct{}
}

// HotkeyStatus is what Settings shows about the global shortcuts.
type HotkeyStatus struct {
	Available bool              `json:"available"`
	Reason    string            `json:"reason"`    // why they are unavailable, or a caveat (XWayland)
	Conflicts map[string]string `json:"conflicts"` // binding → why it could not be grabbed
	Active    []string          `json:"active"`
	// Commands are what to bind in the desktop's own shortcut settings where grabbing is not possible.
	Commands map[string]string `json:"commands"`
}

// bindings are the configured shortcuts; an empty or unparsable one is left out (validation names it).
func bindings(h settings.HotkeySettings) []hotkey.Binding {
	var out []hotkey.Binding
	for _, b := range []struct{ name, key string }{{"toggle", h.Toggle}, {"pause", h.Pause}, {"push_to_talk", h.PushToTalk}} {
		if k, err := settings.ParseHotkey(b.key); b.key != "" && err == nil {
			out = append(out, hotkey.Binding{Name: b.name, Key: k})
		}
	}
	return out
}

// HotkeyStatus reports the global shortcuts.
func (d *Daemon) HotkeyStatus() HotkeyStatus {
	d.keys.mu.Lock()
	st := d.keys.status
	d.keys.mu.Unlock()
	exe := triggerCommand()
	return HotkeyStatus{Available: st.Available, Reason: st.Reason, Conflicts: st.Conflicts, Active: st.Active,
		Commands: map[string]string{"toggle": exe + " toggle", "pause": exe + " pause", "push_to_talk": exe + " ptt-start / " + exe + " ptt-stop"}}
}

// triggerCommand is the program to bind in a desktop's shortcut settings: tonnytray-ctl beside this binary
// when it is there (it starts in milliseconds; this binary loads WebKit first), else this binary.
func triggerCommand() string {
	exe, err := os.Executable()
	if err != nil {
		return "tonnytray"
	}
	if ctl := filepath.Join(filepath.Dir(exe), "tonnytray-ctl"); fileExists(ctl) {
		return ctl
	}
	return exe
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// runHotkeys is the service behind the global shortcuts: it grabs them on the X display (never touching X
// without one) and turns presses into listening, pause and push-to-talk.
func (d *Daemon) runHotkeys(ctx context.Context) error {
	h := d.settings.Get().Hotkeys
	mgr, events := hotkey.Start(bindings(h), os.Getenv)
	defer mgr.Stop()
	d.setHotkeyStatus(mgr.Status())
	ptt := &hotkey.PTT{HoldThreshold: time.Duration(h.HoldThresholdMs) * time.Millisecond, DoubleTapLock: h.DoubleTapLock}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.keys.rebind:
			h = d.settings.Get().Hotkeys
			ptt = &hotkey.PTT{HoldThreshold: time.Duration(h.HoldThresholdMs) * time.Millisecond, DoubleTapLock: h.DoubleTapLock}
			d.setHotkeyStatus(mgr.Rebind(bindings(h)))
		case ev, ok := <-events:
			if !ok { // the X server went away: the shortcuts are off, the rest of the app goes on
				d.setHotkeyStatus(mgr.Status())
				<-ctx.Done()
				return ctx.Err()
			}
			d.onHotkey(ev, ptt)
		}
	}
}

// onHotkey does what a shortcut asks; a refusal (paused, no microphone) is shown as a notice.
func (d *Daemon) onHotkey(ev hotkey.Event, ptt *hotkey.PTT) {
	var err error
	switch ev.Name {
	case "toggle":
		if ev.Down {
			err = d.ToggleListening()
		}
	case "pause":
		if ev.Down {
			d.TogglePause()
		}
	case "push_to_talk":
		action := ptt.Release(ev.At)
		if ev.Down {
			action = ptt.Press(ev.At)
		}
		switch action {
		case hotkey.ActionStart:
			err = d.StartListening("push_to_talk", "")
		case hotkey.ActionStop:
			err = d.StopListening()
		case hotkey.ActionCancel:
			d.component("hotkey").Info("push-to-talk tap shorter than the hold threshold: ignored")
			d.pipe.Cancel()
		}
	}
	if err != nil {
		d.component("hotkey").Warn("shortcut not carried out", "shortcut", ev.Name, "err", err)
		d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Shortcut", Message: err.Error()})
	}
}

// setHotkeyStatus keeps the status and tells the user about shortcuts that could not be grabbed.
func (d *Daemon) setHotkeyStatus(st hotkey.Status) {
	d.keys.mu.Lock()
	d.keys.status = st
	d.keys.mu.Unlock()
	log := d.component("hotkey")
	if !st.Available {
		log.Info("global shortcuts unavailable", "reason", st.Reason)
		return
	}
	log.Info("global shortcuts", "active", strings.Join(st.Active, ","), "note", st.Reason)
	names := make([]string, 0, len(st.Conflicts))
	for name := range st.Conflicts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		msg := fmt.Sprintf("%s: %s. Choose another key in Settings → Hotkeys.", name, st.Conflicts[name])
		log.Warn("shortcut not available", "shortcut", name, "why", st.Conflicts[name])
		d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Shortcut taken", Message: msg})
	}
}

// rebindHotkeys applies changed shortcut settings.
func (d *Daemon) rebindHotkeys() {
	select {
	case d.keys.rebind <- struct{}{}:
	default:
	}
}
