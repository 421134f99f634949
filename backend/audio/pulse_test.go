package audio

// The test binary brings its own sound server (audiotest.Main): a private PulseAudio with the virtual devices
// of scripts/desktop.sh, and a HOME whose ~/.asoundrc routes ALSA (and so PortAudio) to it and defines the
// extra PortAudio device "ttmic" (Pulse source "ttmic", loaded by the tests that need it).
//
// Needs: pulseaudio, pulseaudio-utils (pactl, pacat, paplay), espeak-ng, sox.

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
)

// asoundrc adds the PortAudio device "ttmic" (Pulse source "ttmic", loaded by the tests that need it).
const asoundrc = audiotest.Asoundrc + `pcm.ttmic { type pulse device "ttmic" }
`

func TestMain(m *testing.M) { os.Exit(audiotest.Main(m, asoundrc)) }

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
