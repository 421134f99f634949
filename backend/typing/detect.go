package typing

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Method is a way to insert text.
type Method string

// Insertion methods. MethodAuto resolves to one of the others; MethodPortal is listed but not implemented.
const (
	// MethodAuto picks the best working method for the session.
	MethodAuto Method = "auto"
	// MethodXdotool types key by key with xdotool (X11 and XWayland windows only).
	MethodXdotool Method = "xdotool"
	// MethodWtype types with wtype (wlroots compositors only).
	MethodWtype Method = "wtype"
	// MethodYdotool types through the kernel's uinput with ydotool (needs ydotoold).
	MethodYdotool Method = "ydotool"
	// MethodDotool types through uinput with dotool.
	MethodDotool Method = "dotool"
	// MethodPortal is the XDG RemoteDesktop portal; always reported unavailable for now.
	MethodPortal Method = "portal"
	// MethodClipboard puts the text on the clipboard and sends the paste key: fast and exact for any Unicode.
	MethodClipboard Method = "clipboard"
)

// Capability says whether one method can insert text in this session.
type Capability struct {
	// Method is the method described.
	Method Method
	// Available is true when the method should work here.
	Available bool
	// Reason is why not, or a caveat when it is available; one sentence without a final period.
	Reason string
}

// Detection is what Detect found: the session, every method's state and the one that will be used.
type Detection struct {
	// Session is the graphical session.
	Session Session
	// Methods lists every method, in preference order for this session.
	Methods []Capability
	// Chosen is what "auto" (or the configured method) resolves to; "" means nothing can insert text here.
	Chosen Method
	// Clipboard is the clipboard tool in use ("xclip", "xsel", "wl-copy"), or "" if there is none.
	Clipboard string
	// Summary is one sentence for Settings, e.g. "X11: pasting with xclip + xdotool (Ctrl+Shift+V in terminals)".
	Summary string

	keyTool Method // the tool that sends the paste key when Chosen is MethodClipboard
	reason  string // why Chosen is "", for Error.Reason
}

// Options configures detection and insertion; the zero value means auto with the tools' defaults.
type Options struct {
	// Method is MethodAuto ("" counts as auto) or a specific method.
	Method Method
	// KeyDelay is the pause between typed characters; 0 uses the tool's default (xdotool: 12 ms, raised to
	// 50 ms for non-ASCII text because xdotool drops characters below that).
	KeyDelay time.Duration
	// ClipboardRestore is how long to wait after a paste before restoring the previous clipboard; 0 does not
	// restore.
	ClipboardRestore time.Duration
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// LookPath finds a tool; nil means exec.LookPath. Tests hide tools with it.
	LookPath func(string) (string, error)
}

// system is everything detection asks the machine; tests replace the parts Options cannot inject.
type system struct {
	getenv   func(string) string
	lookPath func(string) (string, error)
	writable func(path string) bool // access(path, W_OK)
	isSocket func(path string) bool
	uid      int
}

func newSystem(o Options) system {
	s := system{getenv: o.Getenv, lookPath: o.LookPath, writable: writable, isSocket: isSocket, uid: os.Getuid()}
	if s.getenv == nil {
		s.getenv = os.Getenv
	}
	if s.lookPath == nil {
		s.lookPath = exec.LookPath
	}
	return s
}

func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// path returns the tool's path, or "" when it is not installed.
func (s system) path(tool string) string {
	p, err := s.lookPath(tool)
	if err != nil {
		return ""
	}
	return p
}

// Detect finds the session's insertion tools and resolves o.Method. It only looks at the environment, PATH
// and device permissions, so it is cheap enough to call before every insertion.
func Detect(ctx context.Context, o Options) Detection {
	return detect(ctx, o, newSystem(o))
}

func detect(_ context.Context, o Options, sys system) Detection {
	sess := DetectSession(sys.getenv)
	d := Detection{Session: sess}
	caps := map[Method]Capability{}
	for _, m := range []Method{MethodXdotool, MethodWtype, MethodYdotool, MethodDotool} {
		caps[m] = keyToolCapability(m, sess, sys)
	}
	caps[MethodPortal] = Capability{Method: MethodPortal, Reason: "the XDG RemoteDesktop portal is not implemented yet"}
	d.Clipboard = clipboardTool(sess, sys)
	caps[MethodClipboard], d.keyTool = clipboardCapability(sess, d.Clipboard, caps)

	for _, m := range preference(sess) {
		d.Methods = append(d.Methods, caps[m])
	}

	want := o.Method
	if want == "" {
		want = MethodAuto
	}
	if want == MethodAuto {
		for _, c := range d.Methods {
			// xdotool on Wayland reaches only XWayland windows: usable on request, never picked.
			if c.Available && !(c.Method == MethodXdotool && sess.Kind == KindWayland) {
				d.Chosen = c.Method
				break
			}
		}
		if d.Chosen == "" {
			d.reason = noToolReason(sess, caps)
		}
	} else if c, ok := caps[want]; !ok {
		d.reason = fmt.Sprintf("the typing method %q is unknown", want)
	} else if !c.Available {
		d.reason = fmt.Sprintf("%s does not work here (%s)", want, c.Reason)
	} else {
		d.Chosen = want
	}
	if d.Chosen != MethodClipboard {
		d.keyTool = ""
	}
	d.Summary = summary(d, caps)
	return d
}

// preference orders the methods for a session: paste first (fast, exact Unicode), then the native typing tool.
func preference(s Session) []Method {
	switch s.Kind {
	case KindX11:
		return []Method{MethodClipboard, MethodXdotool, MethodYdotool, MethodDotool, MethodWtype, MethodPortal}
	case KindWayland:
		return []Method{MethodClipboard, MethodWtype, MethodYdotool, MethodDotool, MethodPortal, MethodXdotool}
	}
	return []Method{MethodClipboard, MethodYdotool, MethodDotool, MethodXdotool, MethodWtype, MethodPortal}
}

const noSession = "there is no graphical session: DISPLAY and WAYLAND_DISPLAY are unset"

// keyToolCapability checks one key-sending tool.
func keyToolCapability(m Method, s Session, sys system) Capability {
	c := keyToolFit(m, s, sys)
	if c.Reason != "" && !c.Available {
		return c // a tool this session cannot use is reported as such, installed or not
	}
	if sys.path(string(m)) == "" {
		return Capability{Method: m, Reason: fmt.Sprintf("%s is not installed", m)}
	}
	return c
}

// keyToolFit says whether the session and machine suit tool m, assuming it is installed.
func keyToolFit(m Method, s Session, sys system) Capability {
	c := Capability{Method: m}
	switch m {
	case MethodXdotool:
		switch {
		case s.Kind == KindX11:
			c.Available = true
		case s.Kind == KindWayland && s.Display != "":
			c.Available = true
			c.Reason = "on Wayland xdotool reaches only XWayland windows, not native Wayland ones"
		case s.Kind == KindWayland:
			c.Reason = "xdotool needs X11 and this Wayland session has no XWayland display"
		default:
			c.Reason = noSession
		}
	case MethodWtype:
		switch {
		case s.Kind == KindX11:
			c.Reason = "wtype works only on Wayland"
		case s.Kind == KindNone:
			c.Reason = noSession
		case s.compositor() == compGNOME:
			c.Reason = "GNOME does not support wtype, as it lacks the virtual-keyboard protocol"
		case s.compositor() == compKDE:
			c.Reason = "KDE does not support wtype, as it lacks the virtual-keyboard protocol"
		case s.compositor() == compWlroots:
			c.Available = true
		default:
			c.Available = true
			c.Reason = "wtype works only if this compositor supports the virtual-keyboard protocol, as wlroots ones do"
		}
	case MethodYdotool, MethodDotool:
		if !sys.writable("/dev/uinput") {
			c.Reason = "/dev/uinput is not writable: add a udev rule or join the input group"
			return c
		}
		if m == MethodYdotool {
			if sock := ydotoolSocket(sys); sock == "" {
				c.Reason = "ydotoold is not running: no ydotool socket was found"
				return c
			}
			c.Available = true
			c.Reason = "ydotool types with a US keyboard layout, so non-ASCII characters may come out wrong"
			return c
		}
		c.Available = true
		if sys.getenv("DOTOOL_XKB_LAYOUT") == "" {
			c.Reason = "dotool assumes a US keyboard layout unless DOTOOL_XKB_LAYOUT is set"
		}
	}
	return c
}

// ydotoolSocket finds ydotoold's socket where the client looks for it.
func ydotoolSocket(sys system) string {
	candidates := []string{fmt.Sprintf("/run/user/%d/.ydotool_socket", sys.uid), "/tmp/.ydotool_socket"}
	if env := sys.getenv("YDOTOOL_SOCKET"); env != "" {
		candidates = []string{env} // the client uses only this one when it is set
	}
	for _, p := range candidates {
		if sys.isSocket(p) {
			return p
		}
	}
	return ""
}

// clipboardTool picks the clipboard tool for the session.
func clipboardTool(s Session, sys system) string {
	var tools []string
	switch s.Kind {
	case KindX11:
		tools = []string{"xclip", "xsel"}
	case KindWayland:
		tools = []string{"wl-copy"}
	}
	for _, t := range tools {
		if sys.path(t) != "" {
			return t
		}
	}
	return ""
}

// clipboardCapability says whether paste works: it needs a clipboard tool and a tool that can send the
// paste key in this session.
func clipboardCapability(s Session, clip string, caps map[Method]Capability) (Capability, Method) {
	c := Capability{Method: MethodClipboard}
	var keyTools []Method
	switch s.Kind {
	case KindX11:
		keyTools = []Method{MethodXdotool}
		if clip == "" {
			c.Reason = "no clipboard tool is installed: install xclip"
			return c, ""
		}
	case KindWayland:
		keyTools = []Method{MethodWtype, MethodYdotool, MethodDotool}
		if clip == "" {
			c.Reason = "no clipboard tool is installed: install wl-clipboard"
			return c, ""
		}
	default:
		c.Reason = noSession
		return c, ""
	}
	for _, k := range keyTools {
		if caps[k].Available {
			c.Available = true
			if s.Kind == KindWayland && !waylandFocusKnown(s) {
				c.Reason = "terminals need Ctrl+Shift+V, which is sent only where the focused app can be read: Sway and Hyprland"
			}
			return c, k
		}
	}
	names := make([]string, len(keyTools))
	for i, k := range keyTools {
		names[i] = string(k)
	}
	c.Reason = fmt.Sprintf("pasting needs %s to send the paste key, and %s", strings.Join(names, " or "), caps[keyTools[0]].Reason)
	return c, ""
}

// noToolReason explains why auto found nothing, naming the native tool's problem first.
func noToolReason(s Session, caps map[Method]Capability) string {
	switch s.Kind {
	case KindX11:
		return "no typing tool works on this X11 session (" + caps[MethodXdotool].Reason + ")"
	case KindWayland:
		return "no typing tool works on this Wayland session (" + caps[MethodWtype].Reason + "; " +
			caps[MethodYdotool].Reason + ")"
	}
	return noSession
}

// summary is the sentence Settings shows.
func summary(d Detection, caps map[Method]Capability) string {
	label := d.Session.label()
	fallback := "dictated text goes to the clipboard"
	if d.Clipboard == "" {
		fallback = "dictated text cannot be inserted or copied"
	}
	switch d.Chosen {
	case "":
		return label + ": " + d.reason + "; " + fallback
	case MethodClipboard:
		s := fmt.Sprintf("%s: pasting with %s + %s", label, d.Clipboard, d.keyTool)
		if d.Session.Kind == KindX11 || waylandFocusKnown(d.Session) {
			return s + " (Ctrl+Shift+V in terminals)"
		}
		return s + " (Ctrl+V; terminals may need Ctrl+Shift+V by hand)"
	}
	s := fmt.Sprintf("%s: typing with %s", label, d.Chosen)
	switch {
	case caps[d.Chosen].Reason != "":
		s += " (" + caps[d.Chosen].Reason + ")"
	case d.Clipboard == "" && d.Session.Kind == KindX11:
		s += " (install xclip for faster, exact pasting)"
	case d.Clipboard == "" && d.Session.Kind == KindWayland:
		s += " (install wl-clipboard for faster, exact pasting)"
	}
	return s
}
