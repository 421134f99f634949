// Package audiotest gives tests a real sound path without a sound card: a private PulseAudio with the same
// virtual devices as scripts/desktop.sh (null sink "vspeaker", the default; null sink "micfeed" whose monitor is
// remapped to the mono default source "vmic"), ALSA routed to it through ~/.asoundrc, and espeak-ng speech.
// Needs: pulseaudio, pulseaudio-utils (pactl, pacat, paplay), espeak-ng, sox.
package audiotest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Asoundrc routes ALSA, and so PortAudio, to PulseAudio.
const Asoundrc = "pcm.!default { type pulse }\nctl.!default { type pulse }\n"

// Main runs a package's tests with a private sound server, started for the run and stopped after — never the
// desktop's, even inside scripts/desktop.sh: go test runs packages in parallel, and two packages playing into
// one shared virtual microphone would hear each other. HOME becomes a fresh directory holding asoundrc as
// ~/.asoundrc. Call it from TestMain: os.Exit(audiotest.Main(m, audiotest.Asoundrc)).
func Main(m *testing.M, asoundrc string) int {
	code, err := withPulse(m, asoundrc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests: private PulseAudio:", err)
		return 1
	}
	return code
}

func withPulse(m *testing.M, asoundrc string) (int, error) {
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
	stop, err := StartPulse(root, PulseScript)
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
	return m.Run(), nil
}

// PulseScript is scripts/desktop.sh's device set-up; %s is the socket path.
const PulseScript = `load-module module-native-protocol-unix auth-anonymous=1 socket=%s
load-module module-null-sink sink_name=vspeaker sink_properties=device.description=Virtual_Speaker
load-module module-null-sink sink_name=micfeed sink_properties=device.description=Mic_Feed
load-module module-remap-source master=micfeed.monitor source_name=vmic channels=1 source_properties=device.description=Virtual_Mic
set-default-sink vspeaker
set-default-source vmic
`

// EmptyPulseScript is a sound server with no devices at all.
const EmptyPulseScript = "load-module module-native-protocol-unix auth-anonymous=1 socket=%s\n"

// StartPulse runs a private pulseaudio with the given script under dir, points PULSE_SERVER at it and
// returns a function that stops it (and restores PULSE_SERVER).
func StartPulse(dir, script string) (func(), error) {
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

// Speech is espeak-ng speech as 16 kHz mono signed 16-bit: the samples, the same as little-endian bytes, and
// a WAV file of it for paplay.
type Speech struct {
	PCM []int16
	Raw []byte
	WAV string
}

// Speak synthesises text with espeak-ng and converts it with sox, with pad seconds of silence on both sides.
func Speak(t testing.TB, text string, pad float64) Speech {
	t.Helper()
	dir := t.TempDir()
	espeak, wav, raw := filepath.Join(dir, "espeak.wav"), filepath.Join(dir, "speech.wav"), filepath.Join(dir, "speech.raw")
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s (apt-get install espeak-ng sox): %v: %s", name, err, out)
		}
	}
	run("espeak-ng", "-w", espeak, text)
	p := fmt.Sprint(pad)
	run("sox", espeak, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", wav, "pad", p, p)
	run("sox", wav, "-t", "raw", raw)
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return Speech{PCM: pcm, Raw: b, WAV: wav}
}
