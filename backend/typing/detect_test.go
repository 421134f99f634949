package typing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// fakeSystem describes a machine: environment, installed tools, /dev/uinput access and existing sockets.
func fakeSystem(env map[string]string, tools []string, uinput bool, sockets ...string) system {
	return system{
		getenv: func(k string) string { return env[k] },
		lookPath: func(name string) (string, error) {
			if slices.Contains(tools, name) {
				return "/usr/bin/" + name, nil
			}
			return "", errors.New("not found")
		},
		writable: func(p string) bool { return uinput && p == "/dev/uinput" },
		isSocket: func(p string) bool { return slices.Contains(sockets, p) },
		uid:      1000,
	}
}

func TestDetectSession(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Session
	}{
		{"x11", map[string]string{"DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "XFCE"},
			Session{Kind: KindX11, Desktop: "XFCE", Display: ":0"}},
		{"wayland with XWayland", map[string]string{"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"},
			Session{Kind: KindWayland, Desktop: "ubuntu:GNOME", Display: ":0", WaylandDisplay: "wayland-0"}},
		{"x11 declared wins over a nested compositor", map[string]string{"DISPLAY": ":1", "WAYLAND_DISPLAY": "wayland-1", "XDG_SESSION_TYPE": "x11"},
			Session{Kind: KindX11, Display: ":1", WaylandDisplay: "wayland-1"}},
		{"sway without XDG_CURRENT_DESKTOP", map[string]string{"WAYLAND_DISPLAY": "wayland-1", "SWAYSOCK": "/run/user/1000/sway.sock"},
			Session{Kind: KindWayland, Desktop: "sway", WaylandDisplay: "wayland-1"}},
		{"hyprland without XDG_CURRENT_DESKTOP", map[string]string{"WAYLAND_DISPLAY": "wayland-1", "HYPRLAND_INSTANCE_SIGNATURE": "x"},
			Session{Kind: KindWayland, Desktop: "Hyprland", WaylandDisplay: "wayland-1"}},
		{"none", map[string]string{}, Session{Kind: KindNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectSession(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("DetectSession = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	x11 := map[string]string{"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}
	sway := map[string]string{"WAYLAND_DISPLAY": "wayland-1", "XDG_CURRENT_DESKTOP": "sway", "DISPLAY": ":0"}
	gnome := map[string]string{"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME", "DISPLAY": ":0"}
	kde := map[string]string{"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE", "DISPLAY": ":1"}
	all := []string{"xdotool", "xclip", "xsel", "wtype", "wl-copy", "wl-paste", "ydotool", "dotool"}
	ysock := "/run/user/1000/.ydotool_socket"

	tests := []struct {
		name        string
		method      Method
		sys         system
		chosen      Method
		keyTool     Method
		clip        string
		summary     string   // exact, when set
		mention     []string // in Summary
		unavailable map[Method]string
	}{
		{name: "x11 paste", sys: fakeSystem(x11, all, false), chosen: MethodClipboard, keyTool: MethodXdotool, clip: "xclip",
			summary:     "X11: pasting with xclip + xdotool (Ctrl+Shift+V in terminals)",
			unavailable: map[Method]string{MethodWtype: "only on Wayland", MethodYdotool: "/dev/uinput", MethodPortal: "not implemented"}},
		{name: "x11 xsel", sys: fakeSystem(x11, []string{"xdotool", "xsel"}, false), chosen: MethodClipboard, keyTool: MethodXdotool, clip: "xsel"},
		{name: "x11 no clipboard tool types", sys: fakeSystem(x11, []string{"xdotool"}, false), chosen: MethodXdotool, clip: "",
			summary:     "X11: typing with xdotool (install xclip for faster, exact pasting)",
			unavailable: map[Method]string{MethodClipboard: "install xclip"}},
		{name: "x11 without xdotool", sys: fakeSystem(x11, []string{"xclip"}, false), chosen: "", clip: "xclip",
			mention:     []string{"no typing tool works on this X11 session (xdotool is not installed)", "clipboard"},
			unavailable: map[Method]string{MethodXdotool: "not installed", MethodClipboard: "xdotool"}},
		{name: "x11 configured xdotool", method: MethodXdotool, sys: fakeSystem(x11, all, false), chosen: MethodXdotool, clip: "xclip"},
		{name: "x11 configured wtype", method: MethodWtype, sys: fakeSystem(x11, all, false), chosen: "", clip: "xclip",
			mention: []string{"wtype does not work here (wtype works only on Wayland)"}},
		{name: "x11 unknown method", method: "telepathy", sys: fakeSystem(x11, all, false), chosen: "", mention: []string{`"telepathy" is unknown`}},
		{name: "x11 ydotool when xdotool is missing", sys: fakeSystem(x11, []string{"ydotool"}, true, ysock), chosen: MethodYdotool},
		{name: "sway paste", sys: fakeSystem(sway, all, false), chosen: MethodClipboard, keyTool: MethodWtype, clip: "wl-copy",
			summary:     "Wayland (sway): pasting with wl-copy + wtype (Ctrl+Shift+V in terminals)",
			unavailable: map[Method]string{MethodYdotool: "/dev/uinput"}},
		{name: "sway without wl-clipboard types with wtype", sys: fakeSystem(sway, []string{"wtype", "xdotool", "xclip"}, false), chosen: MethodWtype,
			mention: []string{"typing with wtype", "install wl-clipboard"}},
		{name: "sway without wtype never picks xdotool", sys: fakeSystem(sway, []string{"xdotool", "wl-copy"}, false), chosen: "", clip: "wl-copy",
			mention: []string{"wtype is not installed"}},
		{name: "unknown compositor: wtype with a caveat", sys: fakeSystem(map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, []string{"wtype", "wl-copy"}, false),
			chosen: MethodClipboard, keyTool: MethodWtype, clip: "wl-copy", mention: []string{"terminals may need Ctrl+Shift+V"}},
		{name: "gnome: nothing works", sys: fakeSystem(gnome, all, false), chosen: "", clip: "wl-copy",
			mention: []string{"GNOME does not support wtype", "/dev/uinput is not writable", "dictated text goes to the clipboard"},
			unavailable: map[Method]string{MethodWtype: "GNOME does not support wtype", MethodClipboard: "paste key",
				MethodDotool: "/dev/uinput"}},
		{name: "gnome: ydotoold not running", sys: fakeSystem(gnome, []string{"wl-copy", "ydotool"}, true), chosen: "", clip: "wl-copy",
			unavailable: map[Method]string{MethodYdotool: "ydotoold is not running"}},
		{name: "gnome: ydotool pastes", sys: fakeSystem(gnome, all, true, ysock), chosen: MethodClipboard, keyTool: MethodYdotool, clip: "wl-copy"},
		{name: "gnome: ydotool socket from YDOTOOL_SOCKET",
			sys: fakeSystem(map[string]string{"WAYLAND_DISPLAY": "w", "XDG_CURRENT_DESKTOP": "GNOME", "YDOTOOL_SOCKET": "/tmp/y.sock"},
				[]string{"ydotool"}, true, "/tmp/y.sock"),
			chosen: MethodYdotool, mention: []string{"US keyboard layout"}},
		{name: "kde: dotool types", sys: fakeSystem(kde, []string{"wtype", "dotool", "xdotool"}, true), chosen: MethodDotool,
			unavailable: map[Method]string{MethodWtype: "KDE does not support wtype"}},
		{name: "kde: dotool pastes", sys: fakeSystem(kde, []string{"dotool", "wl-copy"}, true), chosen: MethodClipboard, keyTool: MethodDotool, clip: "wl-copy"},
		{name: "kde: XWayland xdotool is not picked", sys: fakeSystem(kde, []string{"xdotool", "xclip"}, false), chosen: "",
			mention: []string{"KDE does not support wtype"}},
		{name: "no display", sys: fakeSystem(map[string]string{}, all, false), chosen: "",
			summary:     "No graphical session: there is no graphical session: DISPLAY and WAYLAND_DISPLAY are unset; dictated text cannot be inserted or copied",
			unavailable: map[Method]string{MethodXdotool: "no graphical session", MethodClipboard: "no graphical session"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := detect(context.Background(), Options{Method: tt.method}, tt.sys)
			if d.Chosen != tt.chosen || d.keyTool != tt.keyTool {
				t.Errorf("Chosen = %q via %q, want %q via %q (summary %q)", d.Chosen, d.keyTool, tt.chosen, tt.keyTool, d.Summary)
			}
			if tt.clip != "" && d.Clipboard != tt.clip {
				t.Errorf("Clipboard = %q, want %q", d.Clipboard, tt.clip)
			}
			if tt.summary != "" && d.Summary != tt.summary {
				t.Errorf("Summary = %q\nwant      %q", d.Summary, tt.summary)
			}
			for _, m := range tt.mention {
				if !strings.Contains(d.Summary, m) {
					t.Errorf("Summary %q does not mention %q", d.Summary, m)
				}
			}
			if len(d.Methods) != 6 {
				t.Fatalf("Methods has %d entries, want all 6: %+v", len(d.Methods), d.Methods)
			}
			seen := map[Method]Capability{}
			for _, c := range d.Methods {
				seen[c.Method] = c
				if !c.Available && c.Reason == "" {
					t.Errorf("%s is unavailable without a reason", c.Method)
				}
			}
			for m, why := range tt.unavailable {
				if c := seen[m]; c.Available || !strings.Contains(c.Reason, why) {
					t.Errorf("%s = %+v, want unavailable because %q", m, c, why)
				}
			}
			if d.Chosen != "" && !seen[d.Chosen].Available {
				t.Errorf("chose unavailable %s", d.Chosen)
			}
			if d.Chosen == "" && d.reason == "" {
				t.Error("nothing chosen and no reason")
			}
		})
	}
}

// The first method in the list is what auto prefers, so Settings can show the list as is.
func TestDetectOrder(t *testing.T) {
	x11 := detect(context.Background(), Options{}, fakeSystem(map[string]string{"DISPLAY": ":0"}, nil, false))
	sway := detect(context.Background(), Options{}, fakeSystem(map[string]string{"WAYLAND_DISPLAY": "w", "XDG_CURRENT_DESKTOP": "sway"}, nil, false))
	if x11.Methods[0].Method != MethodClipboard || x11.Methods[1].Method != MethodXdotool {
		t.Errorf("X11 order: %+v", x11.Methods)
	}
	if sway.Methods[1].Method != MethodWtype || sway.Methods[5].Method != MethodXdotool {
		t.Errorf("Wayland order: %+v", sway.Methods)
	}
}
