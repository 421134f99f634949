package audio

// The test binary brings its own sound server: unless PULSE_SERVER is already set (inside scripts/desktop.sh)
// TestMain starts a private PulseAudio with the same virtual devices as scripts/desktop.sh — null sink
// "vspeaker" (default sink), null sink "micfeed" and "vmic", a mono remap of micfeed.monitor (default source) —
// and stops it afterwards. Either way HOME is a fresh directory whose ~/.asoundrc routes ALSA (and so PortAudio)
// to Pulse and defines the extra PortAudio device "ttmic" (Pulse source "ttmic", loaded by the tests that
// need it).
//
// Needs: pulseaudio, pulseaudio-utils (pactl, pacat, paplay), espeak-ng, sox.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const asoundrc = `pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.ttmic { type pulse device "ttmic" }
`

func TestMain(m *testing.M) {
	code, err := withPulse(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "audio tests: private PulseAudio:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func withPulse(m *testing.M) (int, error) {
	root, err := os.MkdirTemp("", "tt-audio-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(root)
	home := filepath.Join(root, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(home, ".asoundrc"), []byte(asoundrc), 0o600); err != nil {
		return 0, err
	}
	os.Setenv("HOME", home)
	if os.Getenv("PULSE_SERVER") == "" {
		stop, err := startPulse(root, pulseScript)
		if err != nil {
			return 0, err
		}
		defer stop()
		for _, sink := range []string{"vspeaker", "micfeed"} {
			// A silent stream on each null sink keeps it running; otherwise a new stream's first buffer waits ~2 s.
			keep := exec.Command("pacat", "--latency-msec=20", "--device="+sink, "/dev/zero")
			keep.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
			if err := keep.Start(); err != nil {
				return 0, fmt.Errorf("pacat keep-alive: %w", err)
			}
			defer func() { keep.Process.Kill(); keep.Wait() }()
		}
	}
	return m.Run(), nil
}

// pulseScript is scripts/desktop.sh's device set-up; %s is the socket path.
const pulseScript = `load-module module-native-protocol-unix auth-anonymous=1 socket=%s
load-module module-null-sink sink_name=vspeaker sink_properties=device.description=Virtual_Speaker
load-module module-null-sink sink_name=micfeed sink_properties=device.description=Mic_Feed
load-module module-remap-source master=micfeed.monitor source_name=vmic channels=1 source_properties=device.description=Virtual_Mic
set-default-sink vspeaker
set-default-source vmic
`

// emptyPulseScript is a sound server with no devices at all.
const emptyPulseScript = "load-module module-native-protocol-unix auth-anonymous=1 socket=%s\n"

// startPulse runs a private pulseaudio with the given script under dir, points PULSE_SERVER at it and
// returns a function that stops it (and restores PULSE_SERVER).
func startPulse(dir, script string) (func(), error) {
	dir, err := os.MkdirTemp(dir, "pulse-")
	if err != nil {
		return nil, err
	}
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		return nil, err
	}
	sock := filepath.Join(run, "native")
	pa := filepath.Join(dir, "pa.pa")
	if err := os.WriteFile(pa, []byte(fmt.Sprintf(script, sock)), 0o600); err != nil {
		return nil, err
	}
	var log bytes.Buffer
	cmd := exec.Command("pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "-F", pa,
		"--use-pid-file=no", "--disallow-exit")
	// No session bus and no display: a second pulseaudio beside a desktop's would fail on the D-Bus name
	// org.PulseAudio1, and X11 would let it announce itself there.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "DISPLAY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "XDG_RUNTIME_DIR="+run, "HOME="+dir, "PULSE_SERVER=")
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start pulseaudio: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	server := "unix:" + sock
	deadline := time.Now().Add(20 * time.Second)
	for {
		info := exec.Command("pactl", "info")
		info.Env = append(os.Environ(), "PULSE_SERVER="+server)
		if info.Run() == nil {
			break
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("pulseaudio exited: %s", strings.TrimSpace(log.String()))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("pulseaudio did not answer within 20s: %s", strings.TrimSpace(log.String()))
		}
	}
	prev, had := os.LookupEnv("PULSE_SERVER")
	os.Setenv("PULSE_SERVER", server)
	return func() {
		if had {
			os.Setenv("PULSE_SERVER", prev)
		} else {
			os.Unsetenv("PULSE_SERVER")
		}
		stop()
	}, nil
}

// pactl runs pactl against the test's sound server and returns its trimmed output.
func pactl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("pactl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestPulseDevicesListed(t *testing.T) {
	names, err := InputNames()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("inputs: %q", names)
	t.Log(pactl(t, "list", "short", "sources"))
}
