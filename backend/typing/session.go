// Package typing puts dictated text into the focused window: it detects which insertion tools work on the
// running desktop session (X11, wlroots Wayland, GNOME or KDE Wayland), pastes through the clipboard or types
// key by key, and when nothing works it leaves the text on the clipboard and says why — never a silent no-op.
package typing

import "strings"

// Session kinds.
const (
	// KindX11 is an X11 session (xdotool and xclip work).
	KindX11 = "x11"
	// KindWayland is a Wayland session; what works depends on the compositor.
	KindWayland = "wayland"
	// KindNone means no graphical session is visible to this process.
	KindNone = "none"
)

// Session describes the graphical session this process runs in.
type Session struct {
	// Kind is KindX11, KindWayland or KindNone.
	Kind string
	// Desktop is XDG_CURRENT_DESKTOP ("GNOME", "KDE", "sway", "Hyprland"…); when it is unset, Sway and
	// Hyprland are still recognised by their own variables.
	Desktop string
	// Display and WaylandDisplay are DISPLAY and WAYLAND_DISPLAY.
	Display, WaylandDisplay string
}

// DetectSession reads the session from the environment. XDG_SESSION_TYPE=x11 wins over a stray
// WAYLAND_DISPLAY (a nested compositor); otherwise WAYLAND_DISPLAY means Wayland and DISPLAY alone means X11.
func DetectSession(getenv func(string) string) Session {
	s := Session{
		Desktop:        getenv("XDG_CURRENT_DESKTOP"),
		Display:        getenv("DISPLAY"),
		WaylandDisplay: getenv("WAYLAND_DISPLAY"),
	}
	if s.Desktop == "" {
		switch {
		case getenv("SWAYSOCK") != "":
			s.Desktop = "sway"
		case getenv("HYPRLAND_INSTANCE_SIGNATURE") != "":
			s.Desktop = "Hyprland"
		}
	}
	switch {
	case strings.EqualFold(getenv("XDG_SESSION_TYPE"), "x11") && s.Display != "":
		s.Kind = KindX11
	case s.WaylandDisplay != "":
		s.Kind = KindWayland
	case s.Display != "":
		s.Kind = KindX11
	default:
		s.Kind = KindNone
	}
	return s
}

// compositor families that decide whether wtype can work.
const (
	compWlroots = "wlroots" // implements zwp_virtual_keyboard_manager_v1
	compGNOME   = "GNOME"
	compKDE     = "KDE"
	compUnknown = ""
)

// wlrootsDesktops are compositors known to implement the virtual-keyboard protocol wtype needs: the wlroots
// family, plus niri (Smithay) which implements it too.
var wlrootsDesktops = []string{"sway", "hyprland", "river", "wayfire", "labwc", "dwl", "qtile", "cage", "niri"}

// compositor classifies the Wayland compositor from XDG_CURRENT_DESKTOP, which may be a colon-separated list
// such as "ubuntu:GNOME".
func (s Session) compositor() string {
	for _, part := range strings.Split(strings.ToLower(s.Desktop), ":") {
		switch {
		case strings.Contains(part, "gnome"), part == "unity", part == "pop", part == "budgie":
			return compGNOME
		case strings.Contains(part, "kde"), part == "plasma":
			return compKDE
		}
		for _, w := range wlrootsDesktops {
			if part == w {
				return compWlroots
			}
		}
	}
	return compUnknown
}

// label names the session for Summary, e.g. "X11" or "Wayland (GNOME)".
func (s Session) label() string {
	switch s.Kind {
	case KindX11:
		return "X11"
	case KindWayland:
		if s.Desktop != "" {
			return "Wayland (" + s.Desktop + ")"
		}
		return "Wayland"
	}
	return "No graphical session"
}
