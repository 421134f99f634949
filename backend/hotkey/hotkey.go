// Package hotkey grabs TonnyTray's global shortcuts (toggle, pause, push-to-talk) on X11 and turns
// push-to-talk presses into listening actions.
//
// Why our own cgo Xlib code and not golang.design/x/hotkey: v0.6.1 (checked for this package) fixed two of the
// pitfalls found on v0.4.1 — it grabs the NumLock/CapsLock variants and reports a grab conflict as an error
// instead of exiting — but its init() still opens the X display and panics when there is none, so merely
// linking it crashes the app (and the `tonnytray toggle` CLI) on Wayland without XWayland, over SSH or
// headless, before main runs. It also selects KeyPress on the root window and never checks the keycode, so
// under Xvfb one `xdotool key ctrl+shift+v` gave 3 presses and 3 releases (Ctrl, Shift and V; any key typed
// while the root window has focus fires it), it passes autorepeat through (a key held 1.5 s gave 4 and 4,
// which breaks push-to-talk), and it opens one X connection and one OS thread per shortcut.
// The Xlib code needed here is short: one connection, a chaining error handler that records BadAccess,
// XkbSetDetectableAutoRepeat, and a poll loop with a wake pipe so Stop and Rebind return promptly.
//
// Wayland has no global grab; there Start reports the shortcuts unavailable and says which CLI commands to
// bind in the desktop's own shortcut settings.
package hotkey

import (
	"time"

	"github.com/tonnytray/tonnytray/backend/settings"
)

// Binding names a global shortcut.
type Binding struct {
	// Name is what the shortcut does: "toggle", "pause" or "push_to_talk".
	Name string
	// Key is the shortcut; a zero Key (no key) means the binding is off and is skipped.
	Key settings.Hotkey
}

// Event is one press or release of a bound shortcut.
type Event struct {
	// Name is the Binding's name.
	Name string
	// Down is true for a press and false for the release. A held key gives one press and one release:
	// autorepeat is suppressed.
	Down bool
	// At is when the event was read from the X connection.
	At time.Time
}

// Status says which shortcuts work and why the others do not.
type Status struct {
	// Available is true when shortcuts can be grabbed on this session (an X display is open).
	Available bool
	// Reason explains why shortcuts are unavailable, or warns when they only partly work (XWayland). Empty
	// when all is well.
	Reason string
	// Conflicts maps a binding name to why it could not be grabbed, e.g. "Ctrl+Shift+V is already taken by
	// another application". The other bindings still work.
	Conflicts map[string]string
	// Active lists the names of the bindings that are grabbed, sorted.
	Active []string
	// Dropped counts events lost because the receiver did not keep up (the channel holds 64).
	Dropped uint64
}

// ReasonNoDisplay is Status.Reason when there is no X display to grab keys on.
const ReasonNoDisplay = "no X display (Wayland or headless): bind `tonnytray toggle` (or `tonnytray ptt-start` " +
	"on press and `tonnytray ptt-stop` on release, and `tonnytray pause`) in your desktop's shortcut settings"

// ReasonXWayland warns that X grabs on a Wayland session only see keys typed into X11 windows.
const ReasonXWayland = "Wayland session: these shortcuts only fire while an X11 (XWayland) window has focus; " +
	"for reliable shortcuts bind `tonnytray toggle` (or `tonnytray ptt-start`/`ptt-stop`) in your desktop's " +
	"shortcut settings"

// eventBuffer is the capacity of the event channel; beyond it events are dropped and counted, so a stalled
// receiver never stalls the X connection.
const eventBuffer = 64

// sessionReason decides from the environment whether X may be touched at all: it returns "" and the display
// name when it may, or the reason it may not. When both Wayland and X are present (XWayland) it returns the
// display with a warning.
func sessionReason(getenv func(string) string) (display, reason string, ok bool) {
	display = getenv("DISPLAY")
	if display == "" {
		return "", ReasonNoDisplay, false
	}
	if getenv("WAYLAND_DISPLAY") != "" || getenv("XDG_SESSION_TYPE") == "wayland" {
		return display, ReasonXWayland, true
	}
	return display, "", true
}
