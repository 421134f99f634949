package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/wlksim"
)

// speak renders text with espeak-ng as 16 kHz mono s16le PCM (sox converts), like a person at the mic.
func speak(t *testing.T, text string) []byte {
	t.Helper()
	dir := t.TempDir()
	wav, raw := filepath.Join(dir, "s.wav"), filepath.Join(dir, "s.raw")
	if out, err := exec.Command("espeak-ng", "-w", wav, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng (apt-get install espeak-ng): %v %s", err, out)
	}
	if out, err := exec.Command("sox", wav, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw).CombinedOutput(); err != nil {
		t.Fatalf("sox (apt-get install sox): %v %s", err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVoiceActivationMakesOneUtterancePerSpeechSegment(t *testing.T) {
	h := newHarness(t)
	h.done = make(chan Utterance, 4)
	var script []byte
	script = append(script, wlksim.Silence(500*time.Millisecond)...)
	script = append(script, speak(t, "turn on the kitchen lights")...)
	script = append(script, wlksim.Silence(1500*time.Millisecond)...)
	script = append(script, speak(t, "what time is it")...)
	script = append(script, wlksim.Silence(1500*time.Millisecond)...)
	src := newScriptedSource(t, script)
	p := h.pipeline(src, 0)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	voiceDone := make(chan error, 1)
	go func() {
		voiceDone <- p.RunVoice(ctx, VoiceOptions{Mode: "voice_activation", Preroll: 300 * time.Millisecond,
			VAD: audio.VADOptions{Aggressiveness: 2, Silence: 800 * time.Millisecond}})
	}()
	var got []Utterance
	for len(got) < 2 {
		select {
		case u := <-h.done:
			if u.Err != nil {
				t.Fatalf("utterance %d: %v", len(got)+1, u.Err)
			}
			got = append(got, u)
		case <-time.After(30 * time.Second):
			t.Fatalf("%d utterances within 30 s, want 2 (one per phrase)", len(got))
		}
	}
	<-src.done
	cancel()
	if err := <-voiceDone; err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-h.done:
		t.Fatalf("a third utterance from silence: %+v", u)
	default:
	}
	for i, u := range got {
		if u.Text == "" || u.Mode != "voice_activation" {
			t.Errorf("utterance %d = %+v, want text in voice_activation mode", i+1, u)
		}
	}
}
