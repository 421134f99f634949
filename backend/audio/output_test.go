package audio

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
)

// warmOutput waits until a fresh sound server plays steadily: for its first ~2.5 s a new playback stream
// is primed and then not asked for more (seen with PortAudio → ALSA pulse plugin → null sink; pacat is not
// affected), which would make every first-test timing wrong.
func warmOutput(t testing.TB) {
	t.Helper()
	warmOnce.Do(func() {
		var n atomic.Int64
		s, _, rate, err := OpenOutput("", 24000, 240, func(out []int16) { clear(out); n.Add(int64(len(out))) })
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for deadline := time.Now().Add(10 * time.Second); n.Load() < int64(rate) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
	})
}

var warmOnce sync.Once

func TestPulseProbeOutputDefault(t *testing.T) {
	start := time.Now()
	if err := ProbeOutput("", 5*time.Second); err != nil {
		t.Fatalf("ProbeOutput(default) after %v: %v", time.Since(start), err)
	}
	t.Logf("probe took %v", time.Since(start))
}

// The stream pulls samples at the rate it reports until it is closed.
func TestPulseOpenOutputPulls(t *testing.T) {
	warmOutput(t)
	var n atomic.Int64
	s, name, rate, err := OpenOutput("", 24000, 240, func(out []int16) { clear(out); n.Add(int64(len(out))) })
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got := n.Load()
	t.Logf("device %q at %d Hz pulled %d samples in 0.5 s", name, rate, got)
	if got < int64(rate)/10 {
		t.Fatalf("the device pulled only %d samples in 0.5 s at %d Hz", got, rate)
	}
	after := n.Load()
	time.Sleep(100 * time.Millisecond)
	if n.Load() != after {
		t.Fatal("fill still called after Close")
	}
}

func TestPulseProbeOutputMissingName(t *testing.T) {
	err := ProbeOutput("No Such Speaker", 5*time.Second)
	if !errors.Is(err, ErrNoOutput) || !strings.Contains(err.Error(), "No Such Speaker") {
		t.Fatalf("ProbeOutput(missing) = %v, want a no-audio-output error naming the device", err)
	}
}

// A sound server without sinks: the probe returns an error rather than hanging.
func TestPulseProbeOutputNoDevice(t *testing.T) {
	stop, err := audiotest.StartPulse(t.TempDir(), audiotest.EmptyPulseScript)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if out := pactl(t, "list", "short", "sinks"); out != "" {
		t.Fatalf("the empty server has sinks: %s", out)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- ProbeOutput("", 2*time.Second) }()
	select {
	case err := <-done:
		took := time.Since(start)
		t.Logf("ProbeOutput after %v: %v", took, err)
		if err == nil || !errors.Is(err, ErrNoOutput) {
			t.Fatalf("ProbeOutput on a server without sinks = %v after %v, want a no-audio-output error", err, took)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ProbeOutput hangs without an output device")
	}
}
