package typing

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
)

// terminalClasses are the X11 WM_CLASS names and Wayland app_ids of terminal emulators, lowercase. Terminals
// read Ctrl+V as a control character and paste with Ctrl+Shift+V instead.
var terminalClasses = []string{
	"gnome-terminal-server", "gnome-terminal", "org.gnome.terminal", "org.gnome.console", "kgx",
	"konsole", "org.kde.konsole", "yakuake", "alacritty", "kitty", "foot", "footclient",
	"org.wezfurlong.wezterm", "wezterm", "terminator", "tilix", "com.gexperts.tilix", "xfce4-terminal",
	"st", "st-256color", "lxterminal", "mate-terminal", "qterminal", "terminology", "sakura", "guake",
	"tilda", "ghostty", "com.mitchellh.ghostty", "blackbox", "com.raggesilver.blackbox", "cool-retro-term",
	"deepin-terminal", "io.elementary.terminal", "contour", "rio", "tabby", "hyper", "warp",
}

// primaryTerminals paste with Shift+Insert only, and they paste the PRIMARY selection with it: stock xterm
// binds neither Ctrl+V nor Ctrl+Shift+V, and its Shift+Insert inserts PRIMARY (selectToClipboard is off by
// default); urxvt behaves the same. For these the paste path sets PRIMARY as well as CLIPBOARD and presses
// Shift+Insert, which reaches them without changing the user's terminal configuration.
var primaryTerminals = []string{"xterm", "uxterm", "urxvt", "rxvt", "urxvt-unicode", "rxvt-unicode"}

// focusTimeout bounds reading the focused window; on timeout the paste key falls back to Ctrl+V.
const focusTimeout = 2 * time.Second

// keyForClass picks the paste key for an application class or app_id.
func keyForClass(class string) pasteKey {
	class = strings.ToLower(class)
	switch {
	case slices.Contains(primaryTerminals, class):
		return keyShiftInsert
	case slices.Contains(terminalClasses, class):
		return keyCtrlShiftV
	}
	return keyCtrlV
}

// waylandFocusKnown reports whether the compositor tells us the focused app (so terminals get Ctrl+Shift+V).
func waylandFocusKnown(s Session) bool {
	d := strings.ToLower(s.Desktop)
	return strings.Contains(d, "sway") || strings.Contains(d, "hyprland")
}

// focusedPasteKey finds the paste key for the focused window; anything unknown gets Ctrl+V.
func focusedPasteKey(ctx context.Context, d Detection, sys system) pasteKey {
	switch {
	case d.Session.Kind == KindX11 && d.keyTool == MethodXdotool:
		return x11PasteKey(ctx, sys.path("xdotool"))
	case d.Session.Kind == KindWayland && strings.Contains(strings.ToLower(d.Session.Desktop), "sway"):
		if p := sys.path("swaymsg"); p != "" {
			out, err := run(ctx, focusTimeout, "", p, "-t", "get_tree", "-r")
			if err == nil {
				return keyForClass(swayFocused([]byte(out)))
			}
		}
	case d.Session.Kind == KindWayland && strings.Contains(strings.ToLower(d.Session.Desktop), "hyprland"):
		if p := sys.path("hyprctl"); p != "" {
			out, err := run(ctx, focusTimeout, "", p, "activewindow", "-j")
			var w struct{ Class string }
			if err == nil && json.Unmarshal([]byte(out), &w) == nil {
				return keyForClass(w.Class)
			}
		}
	}
	return keyCtrlV
}

// x11PasteKey asks xdotool for the focused window, then whether it is one of the terminals. Debian 12's
// xdotool (3.20160805) has no getwindowclassname, so the class is matched with "search --class --classname"
// (case-insensitive regular expressions) and the focused window's id compared with the hits.
func x11PasteKey(ctx context.Context, xdotool string) pasteKey {
	out, err := run(ctx, focusTimeout, "", xdotool, "getwindowfocus")
	focus := strings.TrimSpace(out)
	if err != nil || focus == "" {
		return keyCtrlV
	}
	matches := func(classes []string) bool {
		quoted := make([]string, len(classes))
		for i, c := range classes {
			quoted[i] = regexp.QuoteMeta(c)
		}
		// No match makes search exit 1 with empty output; either way the id is not in it.
		out, _ := run(ctx, focusTimeout, "", xdotool, "search", "--class", "--classname", "^("+strings.Join(quoted, "|")+")$")
		return slices.Contains(strings.Fields(out), focus)
	}
	switch {
	case !matches(append(slices.Clone(terminalClasses), primaryTerminals...)):
		return keyCtrlV // the common case costs two quick xdotool runs
	case matches(primaryTerminals):
		return keyShiftInsert
	}
	return keyCtrlShiftV
}

// swayFocused returns the app_id (or X11 class under XWayland) of the focused node in swaymsg's tree.
func swayFocused(tree []byte) string {
	type node struct {
		Focused          bool    `json:"focused"`
		AppID            *string `json:"app_id"`
		WindowProperties struct {
			Class string `json:"class"`
		} `json:"window_properties"`
		Nodes         []node `json:"nodes"`
		FloatingNodes []node `json:"floating_nodes"`
	}
	var root node
	if json.Unmarshal(tree, &root) != nil {
		return ""
	}
	var walk func(n node) (string, bool)
	walk = func(n node) (string, bool) {
		if n.Focused {
			if n.AppID != nil && *n.AppID != "" {
				return *n.AppID, true
			}
			return n.WindowProperties.Class, true
		}
		for _, c := range append(n.Nodes, n.FloatingNodes...) {
			if s, ok := walk(c); ok {
				return s, true
			}
		}
		return "", false
	}
	s, _ := walk(root)
	return s
}
