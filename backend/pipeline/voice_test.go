package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
	"github.com/tonnytray/tonnytray/backend/wlksim"
)

func TestVoiceActivationMakesOneUtterancePerSpeechSegment(t *testing.T) {
	h := newHarness(t)
	h.done = make(chan Utterance, 4)
	var script []byte
	script = append(script, wlksim.Silence(500*time.Millisecond)...)
	script = append(script, audiotest.Speak(t, "turn on the kitchen lights", 0).Raw...)
	script = append(script, wlksim.Silence(1500*time.Millisecond)...)
	script = append(script, audiotest.Speak(t, "what time is it", 0).Raw...)
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

func TestVoiceActivationIgnoresSpeechWhileMuted(t *testing.T) {
	h := newHarness(t)
	h.done = make(chan Utterance, 4)
	var script []byte
	script = append(script, wlksim.Silence(500*time.Millisecond)...)
	script = append(script, audiotest.Speak(t, "this is Tonny talking", 0).Raw...) // heard while Tonny speaks
	script = append(script, wlksim.Silence(1500*time.Millisecond)...)
	script = append(script, audiotest.Speak(t, "what time is it", 0).Raw...)
	script = append(script, wlksim.Silence(1500*time.Millisecond)...)
	src := newScriptedSource(t, script)
	p := h.pipeline(src, 0)
	var mu sync.Mutex
	muted := true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	voiceDone := make(chan error, 1)
	go func() {
		voiceDone <- p.RunVoice(ctx, VoiceOptions{Mode: "voice_activation", Preroll: 300 * time.Millisecond,
			VAD: audio.VADOptions{Aggressiveness: 2, Silence: 800 * time.Millisecond},
			Muted: func() bool {
				mu.Lock()
				defer mu.Unlock()
				m := muted
				muted = false // Tonny stops after the first phrase
				return m
			}})
	}()
	select {
	case u := <-h.done:
		if u.Err != nil || u.Text == "" {
			t.Fatalf("utterance = %+v, want the second phrase's text", u)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no utterance after Tonny stopped speaking")
	}
	<-src.done
	cancel()
	if err := <-voiceDone; err != nil {
		t.Fatal(err)
	}
	select {
	case u := <-h.done:
		t.Fatalf("speech heard while muted became an utterance: %+v", u)
	default:
	}
}
