package doctor

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// machine is a fake computer; env() exposes it as an Env.
type machine struct {
	vars     map[string]string
	bins     map[string]bool // LookPath hits, by bare name or absolute path
	ldcache  string          // contents of /etc/ld.so.cache; "" = unreadable
	ldconfig string          // `ldconfig -p` output; "" = command fails
	files    map[string]fs.FileMode
	pactl    string
	pactlErr error
	devices  []string
	devErr   error
	keychain func() (string, error)
	dialErr  error
	dialed   []string
	whisper  string
	rabbitOn bool
	rabbit   string
}

const allLibs = "\x00libwebkit2gtk-4.1.so.0\x00libgtk-3.so.0\x00libportaudio.so.2\x00"

// healthy is an X11 desktop with everything installed.
func healthy() *machine {
	return &machine{
		vars: map[string]string{
			"DISPLAY":                  ":0",
			"XDG_SESSION_TYPE":         "x11",
			"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
			"HOME":                     "/home/mum",
		},
		bins:     map[string]bool{"whisperlivekit-server": true, "pactl": true, "xdotool": true, "xclip": true},
		ldcache:  allLibs,
		files:    map[string]fs.FileMode{},
		pactl:    "Server String: /run/user/1000/pulse/native\nServer Name: PulseAudio (on PipeWire 1.0.5)\nDefault Source: vmic\n",
		devices:  []string{"pulse", "default"},
		keychain: func() (string, error) { return "secret-service (login)", nil },
		whisper:  "whisperlivekit-server",
		rabbitOn: true,
		rabbit:   "amqp://guest:s3cret@localhost/",
	}
}

type fakeInfo struct {
	name string
	mode fs.FileMode
}

func (f fakeInfo) Name() string       { return f.name }
func (f fakeInfo) Size() int64        { return 0 }
func (f fakeInfo) Mode() fs.FileMode  { return f.mode }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fakeInfo) Sys() any           { return nil }

func (m *machine) env() Env {
	return Env{
		LookPath: func(name string) (string, error) {
			if !m.bins[name] {
				return "", &fs.PathError{Op: "lookpath", Path: name, Err: fs.ErrNotExist}
			}
			if filepath.IsAbs(name) {
				return name, nil
			}
			return "/usr/bin/" + name, nil
		},
		ReadFile: func(name string) ([]byte, error) {
			if name == "/etc/ld.so.cache" && m.ldcache != "" {
				return []byte(m.ldcache), nil
			}
			return nil, fs.ErrNotExist
		},
		Stat: func(name string) (fs.FileInfo, error) {
			if mode, ok := m.files[name]; ok {
				return fakeInfo{filepath.Base(name), mode}, nil
			}
			return nil, fs.ErrNotExist
		},
		Getenv: func(k string) string { return m.vars[k] },
		Run: func(_ context.Context, name string, args ...string) ([]byte, error) {
			switch {
			case name == "pactl" && len(args) == 1 && args[0] == "info":
				return []byte(m.pactl), m.pactlErr
			case filepath.Base(name) == "ldconfig" && m.ldconfig != "":
				return []byte(m.ldconfig), nil
			}
			return nil, errors.New("exec: not found")
		},
		Dial: func(_ context.Context, network, addr string) (net.Conn, error) {
			m.dialed = append(m.dialed, network+" "+addr)
			if m.dialErr != nil {
				return nil, m.dialErr
			}
			a, b := net.Pipe()
			_ = b.Close()
			return a, nil
		},
		AudioDevices:   func() ([]string, error) { return m.devices, m.devErr },
		KeychainProbe:  m.keychain,
		WhisperCommand: m.whisper,
		RabbitEnabled:  m.rabbitOn,
		RabbitURL:      m.rabbit,
	}
}

func run(t *testing.T, env Env) ([]Check, string) {
	t.Helper()
	checks := Run(context.Background(), env)
	var buf bytes.Buffer
	Format(&buf, checks)
	return checks, buf.String()
}

func find(t *testing.T, checks []Check, name string) Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check named %q", name)
	return Check{}
}

func TestHealthyMachine(t *testing.T) {
	m := healthy()
	checks, out := run(t, m.env())
	for _, c := range checks {
		if c.Status != StatusOK {
			t.Errorf("%s: %s %q (fix %q)", c.Name, c.Status, c.Detail, c.Fix)
		}
	}
	if Failed(checks) {
		t.Error("Failed() on a healthy machine")
	}
	if !strings.Contains(out, "All 11 checks passed.") {
		t.Errorf("summary missing:\n%s", out)
	}
	if len(m.dialed) != 1 || m.dialed[0] != "tcp localhost:5672" {
		t.Errorf("dialed %v, want the default AMQP port on localhost", m.dialed)
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("output leaks the broker password:\n%s", out)
	}
}

// TestMissingDependencies: each missing piece is named, with the command that installs it.
func TestMissingDependencies(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(m *machine)
		check  string
		status string
		want   []string // in Format's output
	}{
		{"no webkit", func(m *machine) { m.ldcache = strings.Replace(allLibs, "libwebkit2gtk-4.1.so.0", "", 1) },
			"webkit2gtk-4.1", StatusFail, []string{"libwebkit2gtk-4.1.so.0 not found", "fix: apt-get install -y libwebkit2gtk-4.1-0"}},
		{"no gtk", func(m *machine) { m.ldcache = strings.Replace(allLibs, "libgtk-3.so.0", "", 1) },
			"GTK 3", StatusFail, []string{"libgtk-3.so.0 not found", "apt-get install -y libgtk-3-0"}},
		{"no display", func(m *machine) { delete(m.vars, "DISPLAY"); delete(m.vars, "XDG_SESSION_TYPE") },
			"display", StatusWarn, []string{"no display: use `tonnytray headless`"}},
		{"no session bus", func(m *machine) { delete(m.vars, "DBUS_SESSION_BUS_ADDRESS") },
			"session bus", StatusWarn, []string{"no D-Bus session bus", "apt-get install -y dbus-user-session"}},
		{"no pactl", func(m *machine) { delete(m.bins, "pactl") },
			"sound server", StatusWarn, []string{"pactl not found", "apt-get install -y pulseaudio-utils"}},
		{"sound server down", func(m *machine) {
			m.pactl, m.pactlErr = "Connection failure: Connection refused\n", errors.New("exit status 1")
		}, "sound server", StatusFail, []string{"Connection failure: Connection refused", "pulseaudio --start", "pipewire-pulse"}},
		{"no portaudio", func(m *machine) { m.ldcache = strings.Replace(allLibs, "libportaudio.so.2", "", 1) },
			"microphone", StatusFail, []string{"libportaudio.so.2", "apt-get install -y libportaudio2"}},
		{"portaudio error", func(m *machine) { m.devErr = errors.New("Invalid device") },
			"microphone", StatusFail, []string{"Invalid device", "apt-get install -y libportaudio2"}},
		{"no input device", func(m *machine) { m.devices = nil },
			"microphone", StatusFail, []string{"no input device", "apt-get install -y libasound2-plugins"}},
		{"keychain locked", func(m *machine) {
			m.keychain = func() (string, error) {
				return "", errors.New("The name org.freedesktop.secrets was not provided by any .service files")
			}
		}, "keychain", StatusFail, []string{"org.freedesktop.secrets", "apt-get install -y gnome-keyring"}},
		{"keychain not probed", func(m *machine) { m.keychain = nil },
			"keychain", StatusWarn, []string{"not checked"}},
		{"no whisperlivekit-server", func(m *machine) { delete(m.bins, "whisperlivekit-server") },
			"whisperlivekit-server", StatusFail, []string{
				"whisperlivekit-server not found",
				"python3 -m venv ~/.local/share/tonnytray/venv && ~/.local/share/tonnytray/venv/bin/pip install whisperlivekit",
				"apt-get install -y python3-venv", "ffmpeg is not needed",
			}},
		{"whisperlivekit-server in the venv only", func(m *machine) {
			delete(m.bins, "whisperlivekit-server")
			m.bins["/home/mum/.local/share/tonnytray/venv/bin/whisperlivekit-server"] = true
		}, "whisperlivekit-server", StatusWarn, []string{
			"set the speech server command to /home/mum/.local/share/tonnytray/venv/bin/whisperlivekit-server",
		}},
		{"XDG_DATA_HOME moves the venv", func(m *machine) {
			delete(m.bins, "whisperlivekit-server")
			m.vars["XDG_DATA_HOME"] = "/data/mum"
		}, "whisperlivekit-server", StatusFail, []string{"python3 -m venv /data/mum/tonnytray/venv && /data/mum/tonnytray/venv/bin/pip"}},
		{"uv run without uv", func(m *machine) { m.whisper = "uv run whisperlivekit-server" },
			"whisperlivekit-server", StatusFail, []string{"uv is not on PATH", "pipx install uv", "pip install whisperlivekit"}},
		{"custom command missing", func(m *machine) { m.whisper = "/opt/wlk/bin/wlk serve" },
			"whisperlivekit-server", StatusFail, []string{"/opt/wlk/bin/wlk not found", "pip install whisperlivekit"}},
		{"no xdotool on X11", func(m *machine) { delete(m.bins, "xdotool") },
			"typing", StatusWarn, []string{"xdotool not found", "fix: apt-get install -y xdotool"}},
		{"no xclip on X11", func(m *machine) { delete(m.bins, "xclip") },
			"clipboard", StatusWarn, []string{"xclip or xsel not found", "apt-get install -y xclip"}},
		{"no wtype on sway", func(m *machine) {
			m.vars["XDG_SESSION_TYPE"], m.vars["WAYLAND_DISPLAY"], m.vars["XDG_CURRENT_DESKTOP"] = "wayland", "wayland-1", "sway"
		}, "typing", StatusWarn, []string{"wtype, ydotool, dotool not found", "apt-get install -y wtype", "apt-get install -y ydotool"}},
		{"no wl-copy on Wayland", func(m *machine) { m.vars["WAYLAND_DISPLAY"] = "wayland-0"; delete(m.vars, "XDG_SESSION_TYPE") },
			"clipboard", StatusWarn, []string{"wl-copy not found", "apt-get install -y wl-clipboard"}},
		{"only wtype on GNOME Wayland", func(m *machine) {
			m.vars["XDG_SESSION_TYPE"], m.vars["WAYLAND_DISPLAY"], m.vars["XDG_CURRENT_DESKTOP"] = "wayland", "wayland-0", "ubuntu:GNOME"
			m.bins["wtype"] = true
		}, "typing", StatusWarn, []string{"wtype does not work there", "apt-get install -y ydotool"}},
		{"broker down on localhost", func(m *machine) { m.dialErr = errors.New("connect: connection refused") },
			"RabbitMQ", StatusFail, []string{"cannot reach localhost:5672", "apt-get install -y rabbitmq-server"}},
		{"remote broker unreachable", func(m *machine) {
			m.rabbit, m.dialErr = "amqps://tonny:pw@broker.lan/home", errors.New("i/o timeout")
		}, "RabbitMQ", StatusFail, []string{"cannot reach broker.lan:5671", "check the URL"}},
		{"broker URL unusable", func(m *machine) { m.rabbit = "http://guest:s3cret@localhost:15672" },
			"RabbitMQ", StatusFail, []string{`scheme "http" is not amqp or amqps`, "check the URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := healthy()
			tt.break_(m)
			checks, out := run(t, m.env())
			c := find(t, checks, tt.check)
			if c.Status != tt.status {
				t.Errorf("%s: status %s (%q), want %s", tt.check, c.Status, c.Detail, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if Failed(checks) != (tt.status == StatusFail) {
				t.Errorf("Failed() = %v with a %s check", Failed(checks), tt.status)
			}
			if strings.Contains(out, "s3cret") {
				t.Errorf("output leaks the broker password:\n%s", out)
			}
		})
	}
}

func TestWorkingAlternatives(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *machine)
		check  string
		detail string
	}{
		{"libraries via ldconfig -p", func(m *machine) {
			m.ldcache = ""
			m.ldconfig = "3 libs found in cache `/etc/ld.so.cache'\n" +
				"\tlibwebkit2gtk-4.1.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libwebkit2gtk-4.1.so.0\n" +
				"\tlibgtk-3.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libgtk-3.so.0\n" +
				"\tlibportaudio.so.2 (libc6,x86-64) => /lib/x86_64-linux-gnu/libportaudio.so.2\n"
		}, "webkit2gtk-4.1", "/lib/x86_64-linux-gnu/libwebkit2gtk-4.1.so.0"},
		{"libraries in a lib dir", func(m *machine) {
			m.ldcache = ""
			for _, so := range []string{"libwebkit2gtk-4.1.so.0", "libgtk-3.so.0", "libportaudio.so.2"} {
				m.files["/usr/local/lib/"+so] = 0
			}
		}, "GTK 3", "/usr/local/lib/libgtk-3.so.0"},
		{"session bus at XDG_RUNTIME_DIR", func(m *machine) {
			delete(m.vars, "DBUS_SESSION_BUS_ADDRESS")
			m.vars["XDG_RUNTIME_DIR"] = "/run/user/1000"
			m.files["/run/user/1000/bus"] = fs.ModeSocket
		}, "session bus", "/run/user/1000/bus"},
		{"uv run", func(m *machine) { m.whisper = "uv run whisperlivekit-server"; m.bins["uv"] = true },
			"whisperlivekit-server", "uv resolves the server"},
		{"venv path with ~", func(m *machine) {
			m.whisper = "~/.local/share/tonnytray/venv/bin/whisperlivekit-server --port 8888"
			m.bins["/home/mum/.local/share/tonnytray/venv/bin/whisperlivekit-server"] = true
		}, "whisperlivekit-server", "/home/mum/.local/share/tonnytray/venv/bin/whisperlivekit-server"},
		{"empty command means the default", func(m *machine) { m.whisper = "  " },
			"whisperlivekit-server", "/usr/bin/whisperlivekit-server"},
		{"wtype on sway", func(m *machine) {
			m.vars["XDG_SESSION_TYPE"], m.vars["XDG_CURRENT_DESKTOP"] = "wayland", "sway"
			m.bins["wtype"] = true
		}, "typing", "wtype (/usr/bin/wtype)"},
		{"ydotool on KDE", func(m *machine) {
			m.vars["XDG_SESSION_TYPE"], m.vars["XDG_CURRENT_DESKTOP"] = "wayland", "KDE"
			m.bins["wtype"], m.bins["ydotool"] = true, true
		}, "typing", "ydotool (/usr/bin/ydotool); it needs write access to /dev/uinput"},
		{"xsel instead of xclip", func(m *machine) { delete(m.bins, "xclip"); m.bins["xsel"] = true },
			"clipboard", "xsel"},
		{"rabbit disabled", func(m *machine) { m.rabbitOn, m.rabbit = false, "" }, "RabbitMQ", "disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := healthy()
			tt.change(m)
			c := find(t, Run(context.Background(), m.env()), tt.check)
			if c.Status != StatusOK || !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("%s = %s %q, want ok mentioning %q", tt.check, c.Status, c.Detail, tt.detail)
			}
		})
	}
}

func TestNoGraphicalSession(t *testing.T) {
	m := healthy()
	delete(m.vars, "DISPLAY")
	delete(m.vars, "XDG_SESSION_TYPE")
	delete(m.bins, "xdotool")
	checks := Run(context.Background(), m.env())
	for _, name := range []string{"typing", "clipboard"} {
		if c := find(t, checks, name); c.Status != StatusWarn || !strings.Contains(c.Detail, "not checked") || c.Fix != "" {
			t.Errorf("%s without a session = %+v, want a warning that it was not checked", name, c)
		}
	}
}

func TestZeroEnvDoesNotPanic(t *testing.T) {
	checks := Run(context.Background(), Env{})
	if len(checks) != 11 || !Failed(checks) {
		t.Errorf("zero Env: %d checks, failed=%v", len(checks), Failed(checks))
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		want   string
	}{
		{"mixed", []Check{
			{Name: "display", Status: StatusOK, Detail: "X11 (DISPLAY=:0)"},
			{Name: "typing", Status: StatusWarn, Detail: "xdotool not found", Fix: "apt-get install -y xdotool"},
			{Name: "whisperlivekit-server", Status: StatusFail, Detail: "not found", Fix: "step one\nstep two"},
		}, "" +
			"  ✓ display                X11 (DISPLAY=:0)\n" +
			"  ! typing                 xdotool not found\n" +
			"                           fix: apt-get install -y xdotool\n" +
			"  ✗ whisperlivekit-server  not found\n" +
			"                           fix: step one\n" +
			"                                step two\n" +
			"\n" +
			"1 ok, 1 warning, 1 failed: fix the ✗ lines first.\n"},
		{"warnings only", []Check{
			{Name: "a", Status: StatusOK, Detail: "fine"},
			{Name: "b", Status: StatusWarn, Detail: "meh"},
			{Name: "c", Status: StatusWarn, Detail: "meh"},
		}, "  ✓ a  fine\n  ! b  meh\n  ! c  meh\n\nEverything required is there (1 ok); 2 warnings.\n"},
		{"all ok", []Check{{Name: "a", Status: StatusOK, Detail: "fine"}}, "  ✓ a  fine\n\nAll 1 checks passed.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			Format(&buf, tt.checks)
			if buf.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}

// TestRealMachineMissingServer runs the real probes on this machine with an empty PATH: the doctor must name
// whisperlivekit-server and print the command that installs it.
func TestRealMachineMissingServer(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	checks := Run(ctx, DefaultEnv())
	var buf bytes.Buffer
	Format(&buf, checks)
	out := buf.String()
	t.Logf("doctor output:\n%s", out)

	c := find(t, checks, "whisperlivekit-server")
	if c.Status != StatusFail {
		t.Errorf("whisperlivekit-server = %s %q, want fail", c.Status, c.Detail)
	}
	for _, want := range []string{
		"✗ whisperlivekit-server",
		"whisperlivekit-server not found",
		"python3 -m venv ~/.local/share/tonnytray/venv && ~/.local/share/tonnytray/venv/bin/pip install whisperlivekit",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !Failed(checks) {
		t.Error("Failed() = false with the speech server missing")
	}
	// pactl is off the empty PATH too; the real linker cache still finds the webview libraries.
	if c := find(t, checks, "sound server"); c.Status != StatusWarn || !strings.Contains(c.Fix, "pulseaudio-utils") {
		t.Errorf("sound server = %+v", c)
	}
	if c := find(t, checks, "webkit2gtk-4.1"); c.Status != StatusOK {
		t.Errorf("webkit2gtk-4.1 = %+v; the build machine has libwebkit2gtk-4.1-0", c)
	}
	if _, err := os.Stat(filepath.Join(home, ".local")); err == nil {
		t.Error("the doctor created files in HOME")
	}
}
