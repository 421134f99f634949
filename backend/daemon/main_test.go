package daemon

import (
	"os"
	"testing"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
	"github.com/tonnytray/tonnytray/backend/typing/xtest"
)

// xErr is why the private X display did not start; the dictation tests fail with it (never skip).
var xErr error

// The daemon's listening tests record from a real (virtual) microphone: a private PulseAudio started for this
// run; its dictation tests paste into a private X display. The fault suite re-runs this binary as a TonnyTray
// process it can kill.
func TestMain(m *testing.M) {
	if os.Getenv(faultChildEnv) != "" {
		os.Exit(runFaultChild())
	}
	stop, err := xtest.StartXvfb()
	xErr = err
	code := audiotest.Main(m, audiotest.Asoundrc)
	if stop != nil {
		stop()
	}
	os.Exit(code)
}
