// Package doctor checks every outside dependency TonnyTray needs — webview libraries, sound server and
// microphone, keychain, the WhisperLiveKit server, typing tools, RabbitMQ — and says how to install what is
// missing. Every probe goes through Env, so tests can describe any machine.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"github.com/tonnytray/tonnytray/backend/audio"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Check statuses.
const (
	// StatusOK: the dependency is there.
	StatusOK = "ok"
	// StatusWarn: a feature is degraded or the check could not run; the app still works.
	StatusWarn = "warn"
	// StatusFail: something the app needs is missing.
	StatusFail = "fail"
)

// Check is the outcome of one dependency check.
type Check struct {
	Name   string `json:"name"`   // what was checked, e.g. "webkit2gtk-4.1"
	Status string `json:"status"` // StatusOK, StatusWarn or StatusFail
	Detail string `json:"detail"` // what was found, or what is wrong
	Fix    string `json:"fix"`    // how to fix it (a shell command where there is one); empty when nothing is to be done
}

// Env is everything the checks look at. DefaultEnv returns the real machine; tests pass fakes. A nil function
// behaves as if the probe failed, except AudioDevices and KeychainProbe: nil means "not checked".
type Env struct {
	LookPath      func(file string) (string, error)
	ReadFile      func(name string) ([]byte, error)
	Stat          func(name string) (fs.FileInfo, error)
	Getenv        func(key string) string
	Run           func(ctx context.Context, name string, args ...string) ([]byte, error) // combined output
	Dial          func(ctx context.Context, network, addr string) (net.Conn, error)
	AudioDevices  func() ([]string, error) // names of input devices
	KeychainProbe func() (string, error)   // a description of the working backend, e.g. "secret-service (login)"

	WhisperCommand string // the configured speech server command, e.g. "uv run whisperlivekit-server"
	RabbitEnabled  bool
	RabbitURL      string // amqp://user:pass@host:port/vhost
}

// DefaultWhisperCommand is the speech server command used when none is configured.
const DefaultWhisperCommand = "whisperlivekit-server"

// Timeouts for the probes that talk to other processes.
const (
	commandTimeout = 5 * time.Second
	dialTimeout    = 2 * time.Second
)

// DefaultEnv probes the real machine. KeychainProbe is left nil for the caller to fill (the keychain package
// knows its backends); RabbitMQ is off and the server command is the default until the caller sets them from
// the settings.
func DefaultEnv() Env {
	var d net.Dialer
	return Env{
		LookPath:       exec.LookPath,
		ReadFile:       os.ReadFile,
		Stat:           os.Stat,
		Getenv:         os.Getenv,
		Run:            runCommand,
		Dial:           d.DialContext,
		AudioDevices:   audio.InputNames,
		WhisperCommand: DefaultWhisperCommand,
	}
}

func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C") // parseable, untranslated output
	cmd.WaitDelay = time.Second                // a child that keeps the pipe open must not hang the doctor
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("run %s: %w", name, err)
	}
	return out, nil
}

var errProbeUnavailable = errors.New("probe not available")

// withDefaults replaces nil probes so the checks need no nil tests.
func (e Env) withDefaults() Env {
	if e.LookPath == nil {
		e.LookPath = func(string) (string, error) { return "", errProbeUnavailable }
	}
	if e.ReadFile == nil {
		e.ReadFile = func(string) ([]byte, error) { return nil, errProbeUnavailable }
	}
	if e.Stat == nil {
		e.Stat = func(string) (fs.FileInfo, error) { return nil, errProbeUnavailable }
	}
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Run == nil {
		e.Run = func(context.Context, string, ...string) ([]byte, error) { return nil, errProbeUnavailable }
	}
	if e.Dial == nil {
		e.Dial = func(context.Context, string, string) (net.Conn, error) { return nil, errProbeUnavailable }
	}
	if strings.TrimSpace(e.WhisperCommand) == "" {
		e.WhisperCommand = DefaultWhisperCommand
	}
	return e
}

// Run performs every check, in the order a user would fix them.
func Run(ctx context.Context, env Env) []Check {
	env = env.withDefaults()
	sess := detectSession(env.Getenv)
	return []Check{
		checkDisplay(env, sess),
		checkSessionBus(env),
		checkLibrary(ctx, env, "webkit2gtk-4.1", "libwebkit2gtk-4.1.so.0", "libwebkit2gtk-4.1-0", "the window"),
		checkLibrary(ctx, env, "GTK 3", "libgtk-3.so.0", "libgtk-3-0", "the window"),
		checkSoundServer(ctx, env),
		checkMicrophone(ctx, env),
		checkKeychain(env),
		checkWhisper(env),
		checkTyping(env, sess),
		checkClipboard(env, sess),
		checkRabbit(ctx, env),
	}
}

// Failed reports whether any check failed (warnings do not count).
func Failed(checks []Check) bool {
	for _, c := range checks {
		if c.Status == StatusFail {
			return true
		}
	}
	return false
}

// Format writes one line per check (✓ ok, ! warning, ✗ failed) with its fix underneath, then a summary.
func Format(w io.Writer, checks []Check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	indent := strings.Repeat(" ", width+6)
	var ok, warn, fail int
	for _, c := range checks {
		mark := "?"
		switch c.Status {
		case StatusOK:
			mark, ok = "✓", ok+1
		case StatusWarn:
			mark, warn = "!", warn+1
		case StatusFail:
			mark, fail = "✗", fail+1
		}
		fmt.Fprintf(w, "  %s %-*s  %s\n", mark, width, c.Name, strings.ReplaceAll(c.Detail, "\n", "\n"+indent))
		if c.Fix != "" {
			fmt.Fprintf(w, "%sfix: %s\n", indent, strings.ReplaceAll(c.Fix, "\n", "\n"+indent+"     "))
		}
	}
	fmt.Fprintln(w)
	switch {
	case fail > 0:
		fmt.Fprintf(w, "%d ok, %d %s, %d failed: fix the ✗ lines first.\n", ok, warn, plural(warn, "warning"), fail)
	case warn > 0:
		fmt.Fprintf(w, "Everything required is there (%d ok); %d %s.\n", ok, warn, plural(warn, "warning"))
	default:
		fmt.Fprintf(w, "All %d checks passed.\n", ok)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// session is the kind of graphical session, which decides the typing and clipboard tools.
type session int

const (
	sessionNone session = iota
	sessionX11
	sessionWayland
)

func detectSession(getenv func(string) string) session {
	switch strings.ToLower(getenv("XDG_SESSION_TYPE")) {
	case "wayland":
		return sessionWayland
	case "x11":
		return sessionX11
	}
	switch {
	case getenv("WAYLAND_DISPLAY") != "":
		return sessionWayland
	case getenv("DISPLAY") != "":
		return sessionX11
	}
	return sessionNone
}

func checkDisplay(env Env, sess session) Check {
	c := Check{Name: "display", Status: StatusOK}
	wl, x := env.Getenv("WAYLAND_DISPLAY"), env.Getenv("DISPLAY")
	switch {
	case wl != "" && x != "":
		c.Detail = fmt.Sprintf("Wayland (WAYLAND_DISPLAY=%s, XWayland DISPLAY=%s)", wl, x)
	case wl != "":
		c.Detail = "Wayland (WAYLAND_DISPLAY=" + wl + ")"
	case x != "":
		c.Detail = "X11 (DISPLAY=" + x + ")"
	default:
		c.Status = StatusWarn
		c.Detail = "DISPLAY and WAYLAND_DISPLAY are unset: the window and tray cannot open"
		c.Fix = "no display: use `tonnytray headless`"
	}
	if sess == sessionWayland && wl == "" {
		c.Detail += " — XDG_SESSION_TYPE says wayland but WAYLAND_DISPLAY is unset"
	}
	return c
}

func checkSessionBus(env Env) Check {
	c := Check{Name: "session bus", Status: StatusOK}
	if addr := env.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" {
		c.Detail = "DBUS_SESSION_BUS_ADDRESS=" + addr
		return c
	}
	// With systemd the bus lives at $XDG_RUNTIME_DIR/bus even when the variable is not exported.
	if rt := env.Getenv("XDG_RUNTIME_DIR"); rt != "" {
		p := filepath.Join(rt, "bus")
		if fi, err := env.Stat(p); err == nil && fi.Mode().Type() == fs.ModeSocket {
			c.Detail = "found at " + p
			return c
		}
	}
	c.Status = StatusWarn
	c.Detail = "no D-Bus session bus: the tray icon, keychain and notifications need one"
	c.Fix = "apt-get install -y dbus-user-session and log in again, or run under `dbus-run-session -- tonnytray`"
	return c
}

// libDirs are searched when neither the linker cache nor ldconfig knows a library.
func libDirs() []string {
	dirs := []string{"/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"}
	if triple, ok := map[string]string{
		"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu",
		"arm": "arm-linux-gnueabihf", "riscv64": "riscv64-linux-gnu", "ppc64le": "powerpc64le-linux-gnu",
	}[runtime.GOARCH]; ok {
		dirs = append([]string{"/usr/lib/" + triple, "/lib/" + triple}, dirs...)
	}
	return dirs
}

// findLibrary looks for a shared library the way the dynamic linker would: its cache first (read directly,
// since ldconfig lives in /sbin, outside most users' PATH), then `ldconfig -p`, then the usual directories.
func findLibrary(ctx context.Context, env Env, soname string) (string, bool) {
	if b, err := env.ReadFile("/etc/ld.so.cache"); err == nil && strings.Contains(string(b), soname) {
		return "in the linker cache", true
	}
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	for _, ldconfig := range []string{"ldconfig", "/sbin/ldconfig"} {
		out, err := env.Run(ctx, ldconfig, "-p")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == soname {
				if i := strings.LastIndex(line, "=> "); i >= 0 {
					return strings.TrimSpace(line[i+3:]), true
				}
				return "in the linker cache", true
			}
		}
		break
	}
	for _, dir := range libDirs() {
		p := filepath.Join(dir, soname)
		if _, err := env.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}

func checkLibrary(ctx context.Context, env Env, name, soname, pkg, neededFor string) Check {
	if where, ok := findLibrary(ctx, env, soname); ok {
		return Check{Name: name, Status: StatusOK, Detail: soname + " " + where}
	}
	return Check{
		Name:   name,
		Status: StatusFail,
		Detail: soname + " not found; " + neededFor + " needs it",
		Fix:    "apt-get install -y " + pkg,
	}
}

func checkSoundServer(ctx context.Context, env Env) Check {
	c := Check{Name: "sound server"}
	if _, err := env.LookPath("pactl"); err != nil {
		c.Status = StatusWarn
		c.Detail = "pactl not found, so PulseAudio/PipeWire could not be checked"
		c.Fix = "apt-get install -y pulseaudio-utils"
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	out, err := env.Run(ctx, "pactl", "info")
	if err != nil {
		c.Status = StatusFail
		c.Detail = "no PulseAudio/PipeWire server answered (pactl info: " + firstLine(out, err) + ")"
		c.Fix = "start the sound server: systemctl --user start pipewire-pulse (PipeWire) or pulseaudio --start"
		return c
	}
	c.Status = StatusOK
	c.Detail = "running"
	if v := field(out, "Server Name:"); v != "" {
		c.Detail = v
	}
	if v := field(out, "Default Source:"); v != "" {
		c.Detail += "; default source " + v
	}
	return c
}

// field returns the value after prefix on the first line that starts with it.
func field(out []byte, prefix string) string {
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func firstLine(out []byte, err error) string {
	if s := strings.TrimSpace(string(out)); s != "" {
		line, _, _ := strings.Cut(s, "\n")
		return line
	}
	return err.Error()
}

func checkMicrophone(ctx context.Context, env Env) Check {
	c := Check{Name: "microphone", Status: StatusFail}
	if _, ok := findLibrary(ctx, env, "libportaudio.so.2"); !ok {
		c.Detail = "PortAudio (libportaudio.so.2) not found"
		c.Fix = "apt-get install -y libportaudio2"
		return c
	}
	if env.AudioDevices == nil {
		c.Status = StatusWarn
		c.Detail = "input devices not checked"
		return c
	}
	names, err := env.AudioDevices()
	switch {
	case err != nil:
		c.Detail = "PortAudio could not list devices: " + err.Error()
		c.Fix = "apt-get install -y libportaudio2, and check that the sound server runs"
	case len(names) == 0:
		c.Detail = "PortAudio sees no input device"
		c.Fix = "connect a microphone; with PulseAudio/PipeWire, apt-get install -y libasound2-plugins " +
			"so PortAudio reaches it through ALSA"
	default:
		c.Status = StatusOK
		const shown = 4
		list := strings.Join(names[:min(len(names), shown)], ", ")
		if len(names) > shown {
			list += fmt.Sprintf(", … (%d more)", len(names)-shown)
		}
		c.Detail = fmt.Sprintf("%d input %s: %s", len(names), plural(len(names), "device"), list)
	}
	return c
}

func checkKeychain(env Env) Check {
	c := Check{Name: "keychain"}
	if env.KeychainProbe == nil {
		c.Status = StatusWarn
		c.Detail = "not checked"
		return c
	}
	backend, err := env.KeychainProbe()
	if err != nil {
		c.Status = StatusFail
		c.Detail = err.Error()
		c.Fix = "apt-get install -y gnome-keyring (or run KWallet or KeePassXC with Secret Service) " +
			"and unlock it in your session"
		return c
	}
	c.Status = StatusOK
	c.Detail = backend
	return c
}

// venvDir is where the README and the fix below install WhisperLiveKit; shown with ~ when under $HOME.
func venvDir(env Env) (abs, shown string) {
	home := env.Getenv("HOME")
	data := env.Getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(data) {
		data = filepath.Join(home, ".local", "share")
	}
	abs = filepath.Join(data, "tonnytray", "venv")
	shown = abs
	if home != "" {
		if rel, ok := strings.CutPrefix(abs, filepath.Clean(home)+"/"); ok {
			shown = "~/" + rel
		}
	}
	return abs, shown
}

func checkWhisper(env Env) Check {
	c := Check{Name: "whisperlivekit-server"}
	words := strings.Fields(env.WhisperCommand)
	prog := words[0]
	if rest, ok := strings.CutPrefix(prog, "~/"); ok {
		prog = filepath.Join(env.Getenv("HOME"), rest)
	}
	venvAbs, venv := venvDir(env)
	install := fmt.Sprintf("python3 -m venv %[1]s && %[1]s/bin/pip install whisperlivekit\n"+
		"then set the speech server command to %[1]s/bin/whisperlivekit-server — see README\n"+
		"(Python 3.11–3.13, pulls PyTorch; Debian/Ubuntu need apt-get install -y python3-venv first;\n"+
		"ffmpeg is not needed: TonnyTray streams raw PCM with --pcm-input)", venv)

	path, err := env.LookPath(prog)
	if err == nil {
		c.Status = StatusOK
		switch filepath.Base(prog) {
		case DefaultWhisperCommand:
			c.Detail = path
		case "uv", "uvx":
			c.Detail = fmt.Sprintf("%s (found %s; uv resolves the server when it starts)", env.WhisperCommand, path)
		default:
			c.Detail = fmt.Sprintf("%s (found %s)", env.WhisperCommand, path)
		}
		return c
	}

	c.Status = StatusFail
	switch filepath.Base(prog) {
	case "uv", "uvx":
		c.Detail = fmt.Sprintf("the command is %q but %s is not on PATH", env.WhisperCommand, prog)
		c.Fix = "apt-get install -y pipx && pipx install uv, or set the speech server command to whisperlivekit-server\n" +
			"and install it: " + install
		return c
	case DefaultWhisperCommand:
		// Installed as the README says but not on PATH: point at it instead of reinstalling.
		inVenv := filepath.Join(venvAbs, "bin", DefaultWhisperCommand)
		if p, err := env.LookPath(inVenv); err == nil && !strings.Contains(prog, "/") {
			c.Status = StatusWarn
			c.Detail = "not on PATH, but installed at " + p
			c.Fix = "set the speech server command to " + p
			return c
		}
	}
	c.Detail = fmt.Sprintf("%s not found (configured command: %q)", prog, env.WhisperCommand)
	c.Fix = install
	return c
}

// checkTyping looks for a tool that can type into other windows in this kind of session, best first.
func checkTyping(env Env, sess session) Check {
	c := Check{Name: "typing", Status: StatusWarn}
	switch sess {
	case sessionX11:
		if p, err := env.LookPath("xdotool"); err == nil {
			return Check{Name: c.Name, Status: StatusOK, Detail: "xdotool (" + p + ")"}
		}
		c.Detail = "xdotool not found: dictation cannot type into windows"
		c.Fix = "apt-get install -y xdotool"
	case sessionWayland:
		desktop := strings.ToUpper(env.Getenv("XDG_CURRENT_DESKTOP"))
		// GNOME (Mutter) and KDE lack the virtual-keyboard protocol wtype needs.
		noWtype := strings.Contains(desktop, "GNOME") || strings.Contains(desktop, "KDE")
		for _, tool := range []string{"wtype", "ydotool", "dotool"} {
			if tool == "wtype" && noWtype {
				continue
			}
			if p, err := env.LookPath(tool); err == nil {
				c.Status, c.Detail = StatusOK, tool+" ("+p+")"
				if tool != "wtype" {
					c.Detail += "; it needs write access to /dev/uinput (and ydotoold running for ydotool)"
				}
				return c
			}
		}
		switch {
		case noWtype:
			c.Detail = "no typing tool for Wayland on " + env.Getenv("XDG_CURRENT_DESKTOP") +
				" (wtype does not work there; ydotool, dotool not found)"
			c.Fix = "apt-get install -y ydotool, run ydotoold, and give your user access to /dev/uinput (input group)"
		default:
			c.Detail = "no typing tool for Wayland (wtype, ydotool, dotool not found): dictation cannot type"
			c.Fix = "apt-get install -y wtype (Sway, Hyprland and other wlroots desktops)\n" +
				"or apt-get install -y ydotool and run ydotoold (any desktop; needs /dev/uinput access)"
		}
	default:
		c.Detail = "no graphical session, so nothing to type into; typing tools not checked"
	}
	return c
}

func checkClipboard(env Env, sess session) Check {
	c := Check{Name: "clipboard", Status: StatusWarn}
	var tools []string
	var pkg string
	switch sess {
	case sessionX11:
		tools, pkg = []string{"xclip", "xsel"}, "xclip"
	case sessionWayland:
		tools, pkg = []string{"wl-copy"}, "wl-clipboard"
	default:
		c.Detail = "no graphical session; clipboard tools not checked"
		return c
	}
	for _, tool := range tools {
		if p, err := env.LookPath(tool); err == nil {
			return Check{Name: c.Name, Status: StatusOK, Detail: tool + " (" + p + ")"}
		}
	}
	c.Detail = strings.Join(tools, " or ") + " not found: paste-style insertion and copying replies are unavailable"
	c.Fix = "apt-get install -y " + pkg
	return c
}

func checkRabbit(ctx context.Context, env Env) Check {
	c := Check{Name: "RabbitMQ", Status: StatusFail}
	if !env.RabbitEnabled {
		return Check{Name: c.Name, Status: StatusOK, Detail: "disabled"}
	}
	addr, loopback, err := brokerAddr(env.RabbitURL)
	if err != nil {
		// The URL may hold a password: say what is wrong without echoing it.
		c.Detail = "the broker URL is not usable: " + err.Error()
		c.Fix = "check the URL in Settings (amqp://user:password@host:5672/vhost)"
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := env.Dial(ctx, "tcp", addr)
	if err != nil {
		c.Detail = "cannot reach " + addr + ": " + err.Error()
		c.Fix = "check the URL in Settings (host and port) and that the broker accepts connections from here"
		if loopback {
			c.Fix = "apt-get install -y rabbitmq-server and start it (systemctl start rabbitmq-server), or check the URL"
		}
		return c
	}
	_ = conn.Close()
	c.Status = StatusOK
	c.Detail = "reachable at " + addr
	return c
}

// brokerAddr turns an AMQP URL into host:port. Its errors never contain the URL.
func brokerAddr(raw string) (addr string, loopback bool, err error) {
	if strings.TrimSpace(raw) == "" {
		return "", false, errors.New("no URL is set")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, errors.New("it does not parse as a URL")
	}
	port := "5672"
	switch u.Scheme {
	case "amqp":
	case "amqps":
		port = "5671"
	default:
		return "", false, fmt.Errorf("scheme %q is not amqp or amqps", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return "", false, errors.New("it has no host")
	}
	if p := u.Port(); p != "" {
		port = p
	}
	ip := net.ParseIP(host)
	loopback = host == "localhost" || (ip != nil && ip.IsLoopback())
	return net.JoinHostPort(host, port), loopback, nil
}
