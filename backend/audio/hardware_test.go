package audio

// Tests on the real path: PortAudio → ALSA → PulseAudio's virtual mic, fed with espeak-ng speech through
// paplay (see pulse_test.go for the sound server).

import (
	"context"
	"fmt"
	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// play plays a WAV file into the sink that feeds the virtual mic and waits for it, bounded.
func play(t testing.TB, wav string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "paplay", "--device=micfeed", wav).CombinedOutput(); err != nil {
		t.Fatalf("paplay: %v: %s", err, out)
	}
}

// waitPos waits until the capturer has captured up to pos, bounded.
func waitPos(t testing.TB, c *Capturer, pos Position) {
	t.Helper()
	select {
	case <-c.Ring().Wait(pos):
	case <-time.After(10 * time.Second):
		t.Fatalf("capture stalled before position %d (stats %+v)", pos, c.Stats())
	}
}

// captured returns the samples in [from, to).
func captured(t testing.TB, c *Capturer, from, to Position) []int16 {
	t.Helper()
	buf := make([]int16, to-from)
	n, _ := c.Read(from, buf)
	if n != len(buf) {
		t.Fatalf("read %d of %d samples from %d", n, len(buf), from)
	}
	return buf
}

// Push-to-talk: key-down (Mark) before the speech starts, key-up after it ends; the captured PCM is the
// speech (normalized cross-correlation ≥ 0.9) and nothing of it is missing at either end.
func TestPulseCapturePushToTalk(t *testing.T) {
	sp := makeSpeech(t, speechText)
	c, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	waitPos(t, c, 1)
	down := c.Mark()
	play(t, sp.wav)
	waitPos(t, c, c.Mark()+SampleRate/2) // key-up half a second after playback ends
	up := c.Mark()
	pcm := captured(t, c, down, up)
	lag, ncc := bestLag(sp.pcm, pcm, 3*SampleRate)
	t.Logf("captured %.2f s on %q; speech at +%.0f ms; NCC %.4f", ms(len(pcm))/1000, c.Stats().Device, ms(lag), ncc)
	if ncc < 0.9 {
		t.Fatalf("normalized cross-correlation %.4f < 0.9", ncc)
	}
	if lag+sp.start < 0 || lag+sp.end > len(pcm) {
		t.Fatalf("speech [%d, %d) at lag %d not inside the %d captured samples", sp.start, sp.end, lag, len(pcm))
	}
}

// Voice activation: the VAD (mode 2, the default) on the live capture finds the speech within ±150 ms of its
// true edges, and the segment sent (with 300 ms pre-roll) is the speech.
func TestPulseCaptureVoiceActivation(t *testing.T) {
	sp := makeSpeech(t, speechText)
	c, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	run(t, c)
	waitPos(t, c, 1)
	vad, err := NewVAD(VADOptions{Aggressiveness: 2, Silence: 700 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	from := c.Mark()
	events := make(chan SpeechEvent, 16)
	consumed := make(chan struct{})
	defer func() { cancel(); <-consumed; vad.Close() }() // the consumer stops before the VAD is freed
	go func() {
		defer close(consumed)
		for f := range c.Stream(ctx, from) {
			evs, err := vad.Push(f.Pos, f.Samples)
			if err != nil {
				t.Error(err)
				return
			}
			for _, e := range evs {
				select {
				case events <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	played := make(chan error, 1)
	go func() {
		out, err := exec.CommandContext(ctx, "paplay", "--device=micfeed", sp.wav).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("paplay: %w: %s", err, out)
		}
		played <- err
	}()
	defer func() {
		if err := <-played; err != nil {
			t.Error(err)
		}
	}()
	var start, end SpeechEvent
	for _, e := range []*SpeechEvent{&start, &end} {
		select {
		case *e = <-events:
		case <-ctx.Done():
			t.Fatalf("VAD events missing (start %+v)", start)
		}
	}
	if !start.Start || end.Start {
		t.Fatalf("events %+v, %+v; want a start then an end", start, end)
	}
	// The true edges in capture positions: the source's envelope edges shifted by the measured lag.
	whole := captured(t, c, from, end.Pos+SampleRate/2)
	lag, ncc := bestLag(sp.pcm, whole, 4*SampleRate)
	trueStart, trueEnd := int(from)+lag+sp.start, int(from)+lag+sp.end
	ds, de := ms(int(start.Pos)-trueStart), ms(int(end.Pos)-trueEnd)
	t.Logf("VAD start %+.0f ms, end %+.0f ms from the true edges (whole-capture NCC %.4f)", ds, de, ncc)
	if ds < -150 || ds > 150 || de < -150 || de > 150 {
		t.Errorf("VAD edges off by %.0f / %.0f ms (limit ±150)", ds, de)
	}
	preroll := Position(300 * SampleRate / 1000)
	seg := captured(t, c, start.Pos-preroll, end.Pos)
	_, segNCC := bestLag(sp.pcm, seg, 4*SampleRate)
	t.Logf("segment %.2f s, NCC %.4f", ms(len(seg))/1000, segNCC)
	if segNCC < 0.9 {
		t.Fatalf("segment normalized cross-correlation %.4f < 0.9", segNCC)
	}
}

// tone writes a sine WAV of the given length for feeding the mic continuously.
func tone(t testing.TB, seconds string) string {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if out, err := exec.Command("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", wav, "synth", seconds, "sine", "440", "vol", "0.5").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	return wav
}

// waitSound waits for a frame with sound from the current position on, bounded.
func waitSound(t testing.TB, c *Capturer) Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for f := range c.Stream(ctx, c.Mark()) {
		for _, s := range f.Samples {
			if s > 1000 || s < -1000 {
				return f
			}
		}
	}
	t.Fatalf("no sound captured within 10s (stats %+v)", c.Stats())
	return Frame{}
}

// The chosen mic is a Pulse source that is unloaded mid-capture: a notice within 1 s, capture continues on
// the default; loading it again brings it back.
func TestPulseDeviceRemovedMidCapture(t *testing.T) {
	load := func() string {
		return pactl(t, "load-module", "module-remap-source", "master=micfeed.monitor", "source_name=ttmic", "channels=1")
	}
	mod := load()
	t.Cleanup(func() { exec.Command("pactl", "unload-module", mod).Run() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed := exec.CommandContext(ctx, "paplay", "--device=micfeed", tone(t, "60"))
	if err := feed.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); feed.Wait() }()
	n := newNotices()
	c, err := Open(Options{Device: "ttmic", OnNotice: n.add})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Device != "ttmic" || st.Fallback {
		t.Fatalf("stats %+v, want ttmic", st)
	}
	run(t, c)
	waitSound(t, c)
	removed := time.Now()
	pactl(t, "unload-module", mod)
	x, i := n.wait(t, NoticeLost, 0, 10*time.Second)
	took := time.Since(removed)
	t.Logf("notice after %v: %s", took, x.Message)
	if took > time.Second {
		t.Errorf("device-lost notice took %v, want ≤ 1 s", took)
	}
	n.wait(t, NoticeFallback, i, 10*time.Second)
	if st := c.Stats(); st.Device != "default" || !st.Fallback {
		t.Fatalf("stats %+v, want default as fallback", st)
	}
	f := waitSound(t, c)
	t.Logf("sound from the fallback at position %d", f.Pos)
	mod = load()
	x, _ = n.wait(t, NoticeRecovered, i, 15*time.Second)
	t.Logf("%s", x.Message)
	if st := c.Stats(); st.Device != "ttmic" || st.Fallback {
		t.Fatalf("stats %+v, want ttmic again", st)
	}
	waitSound(t, c)
}

// No input at all — a name that does not exist and a sound server without sources: Open fails with a clear
// error in bounded time.
func TestPulseNoDeviceAtAll(t *testing.T) {
	stop, err := audiotest.StartPulse(t.TempDir(), audiotest.EmptyPulseScript)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if out := pactl(t, "list", "short", "sources"); out != "" {
		t.Fatalf("the empty server has sources: %s", out)
	}
	for _, name := range []string{"nonexistent", ""} {
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			c, err := Open(Options{Device: name})
			if err == nil {
				c.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			t.Logf("Open(%q) after %v: %v", name, time.Since(start), err)
			if err == nil || !strings.Contains(err.Error(), "no audio input") {
				t.Fatalf("Open(%q) = %v, want a no-audio-input error", name, err)
			}
			if name != "" && !strings.Contains(err.Error(), name) {
				t.Errorf("error does not name the device: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("Open(%q) hangs", name)
		}
	}
}
