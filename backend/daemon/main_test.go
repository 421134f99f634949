package daemon

import (
	"os"
	"testing"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
)

// The daemon's listening tests record from a real (virtual) microphone: the desktop's PulseAudio inside
// scripts/desktop.sh, or a private one started for this run. The fault suite re-runs this binary as a
// TonnyTray process it can kill.
func TestMain(m *testing.M) {
	if os.Getenv(faultChildEnv) != "" {
		os.Exit(runFaultChild())
	}
	os.Exit(audiotest.Main(m, audiotest.Asoundrc))
}
