package daemon

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/elevensim"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/tts"
)

const testElevenKey = "sk_eleven-test-key-5d1e"

// voiceDaemon starts a daemon whose replies are spoken through the ElevenLabs simulator into the private
// PulseAudio's virtual speaker.
func voiceDaemon(t testing.TB, eleven elevensim.Config, change func(*settings.Settings)) (*Daemon, *harness, *elevensim.Sim, *n8nsim.Sim) {
	t.Helper()
	if eleven.APIKey == "" {
		eleven.APIKey = testElevenKey
	}
	es, err := elevensim.Start(eleven)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { es.Close() })
	sim := startN8N(t, n8nsim.RespondJSON)
	h := newHarness(t)
	h.elevenLabs = es.URL()
	h.configure(t, func(s *settings.Settings) {
		s.N8N.WebhookURL, s.N8N.AuthHeaderName, s.N8N.SignRequests = sim.URL(), testAuthHeader, true
		s.Response.Mode, s.Response.CuesEnabled = "both", false
		if change != nil {
			change(s)
		}
	})
	d, _ := h.start(t)
	for k, v := range map[string]string{"n8n.auth": testAuthValue, "n8n.hmac": testSignSecret, "elevenlabs.api_key": testElevenKey} {
		if err := d.SetSecret(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return d, h, es, sim
}

// speechEvents collects speech:state events.
type speechEvents struct{ sub *event.Subscription }

func watchSpeech(t testing.TB, d *Daemon) speechEvents {
	sub := d.Bus().Subscribe(256, event.SpeechState)
	t.Cleanup(sub.Close)
	return speechEvents{sub}
}

// next waits (bounded) for a speech state that satisfies ok.
func (s speechEvents) next(t testing.TB, what string, ok func(event.SpeechStatePayload) bool) event.SpeechStatePayload {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-s.sub.C:
			if p := ev.Payload.(event.SpeechStatePayload); ok(p) {
				return p
			}
		case <-timeout:
			t.Fatalf("no speech state %s within 20 s", what)
		}
	}
}

func TestReplyIsSpokenSentenceBySentenceAndCached(t *testing.T) {
	d, _, es, _ := voiceDaemon(t, elevensim.Config{}, nil)
	speech := watchSpeech(t, d)
	states := watchCommands(t, d)
	const reply = "You said: the weather. It is sunny and warm today, with a light breeze from the west."

	res, err := d.SendCommand(context.Background(), "the weather. It is sunny and warm today, with a light breeze from the west.")
	if err != nil {
		t.Fatal(err)
	}
	if got := states.until(t, res.ID, settled); got.Status != "delivered" || got.Reply != reply {
		t.Fatalf("command = %+v", got)
	}
	first := speech.next(t, "speaking", func(p event.SpeechStatePayload) bool { return p.Speaking })
	if !strings.HasPrefix(first.Text, "You said: the weather.") || !strings.HasSuffix(first.ID, "/0") {
		t.Errorf("first sentence = %+v, want the reply's first sentence alone", first)
	}
	second := speech.next(t, "the second sentence", func(p event.SpeechStatePayload) bool { return p.Speaking && strings.HasSuffix(p.ID, "/1") })
	if !strings.HasPrefix(second.Text, "It is sunny") {
		t.Errorf("second sentence = %+v", second)
	}
	speech.next(t, "silence", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	served := es.Requests()
	if served != 2 {
		t.Fatalf("simulator served %d syntheses, want 2 (one per sentence)", served)
	}
	if es.MaxConcurrent() != 1 {
		t.Errorf("%d syntheses ran at once, want 1 (requests are serialised)", es.MaxConcurrent())
	}

	// The same reply again comes from the cache: no request at all.
	if err := d.SpeakAndWait(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	if es.Requests() != served {
		t.Fatalf("a cached reply made %d new requests", es.Requests()-served)
	}
}

func TestQuotaExceededFallsBackToTextWithOneNotice(t *testing.T) {
	d, _, es, _ := voiceDaemon(t, elevensim.Config{CharacterLimit: 100, CharacterCount: 100}, nil)
	notices := d.Bus().Subscribe(64, event.Notice)
	defer notices.Close()
	states := watchCommands(t, d)
	for _, text := range []string{"first question", "second question"} {
		res, err := d.SendCommand(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if got := states.until(t, res.ID, settled); got.Status != "delivered" || got.Reply != "You said: "+text {
			t.Fatalf("the reply must still arrive as text: %+v", got)
		}
	}
	// Wait for both syntheses to fail, then count the notices.
	waitLog(t, d, "reply not spoken")
	deadline := time.Now().Add(10 * time.Second)
	for d.speaking() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	quota := 0
	for len(notices.C) > 0 {
		if n := (<-notices.C).Payload.(event.NoticePayload); n.Title == "ElevenLabs quota used up" {
			quota++
			if !strings.Contains(n.Message, "quota") {
				t.Errorf("quota notice = %+v", n)
			}
		}
	}
	if quota != 1 {
		t.Fatalf("%d quota notices, want exactly 1", quota)
	}
	if es.Requests() == 0 {
		t.Fatal("no synthesis was attempted")
	}
	card := d.readQuota(context.Background())
	if card.State != "degraded" || !strings.Contains(card.Detail, "quota used up") {
		t.Errorf("ElevenLabs card = %+v", card)
	}
}

func TestWrongElevenLabsKeyAsksForItAgain(t *testing.T) {
	d, _, _, _ := voiceDaemon(t, elevensim.Config{}, nil)
	if err := d.SetSecret("elevenlabs.api_key", "sk_not-the-key"); err != nil {
		t.Fatal(err)
	}
	notices := d.Bus().Subscribe(16, event.Notice)
	defer notices.Close()
	err := d.SpeakAndWait(context.Background(), "Hello there.")
	if err == nil || strings.Contains(err.Error(), "sk_not-the-key") {
		t.Fatalf("SpeakAndWait = %v, want an error without the key", err)
	}
	select {
	case ev := <-notices.C:
		if n := ev.Payload.(event.NoticePayload); n.Title != "ElevenLabs key rejected" || !strings.Contains(n.Message, "Settings") {
			t.Errorf("notice = %+v", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice for a rejected key")
	}
	if card := d.readQuota(context.Background()); card.State != "down" {
		t.Errorf("ElevenLabs card with a wrong key = %+v", card)
	}
}

func TestBargeInAndSpokenStopSilenceTonny(t *testing.T) {
	// A slow stream keeps the reply playing long enough to interrupt it.
	d, _, _, sim := voiceDaemon(t, elevensim.Config{ChunkEvery: 50 * time.Millisecond}, nil)
	speech := watchSpeech(t, d)
	long := strings.Repeat("This is a long answer that goes on and on. ", 8)
	if err := d.Speak(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	speech.next(t, "speaking", func(p event.SpeechStatePayload) bool { return p.Speaking })
	d.publishLive(event.ListeningStatePayload{State: "listening", Mode: "toggle"}) // the user starts talking
	speech.next(t, "silence after barge-in", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	if d.speaking() {
		t.Fatal("still speaking after barge-in")
	}

	// "Stop." right after is swallowed: neither dictated nor sent to Tonny.
	d.utteranceDone(pipeline.Utterance{Text: "Stop.", Mode: "toggle", Hint: pipeline.RouteCommand})
	if len(sim.Received()) != 0 {
		t.Fatalf("a spoken stop reached Tonny: %d requests", len(sim.Received()))
	}

	// Without barge-in, the spoken stop does it.
	if err := d.Speak(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	speech.next(t, "speaking again", func(p event.SpeechStatePayload) bool { return p.Speaking })
	d.utteranceDone(pipeline.Utterance{Text: "stop talking", Mode: "toggle", Hint: pipeline.RouteCommand})
	speech.next(t, "silence after the spoken stop", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	if len(sim.Received()) != 0 {
		t.Fatal("a spoken stop reached Tonny")
	}
}

func TestMicrophoneIsMutedWhileTonnySpeaks(t *testing.T) {
	d, _, _, _ := voiceDaemon(t, elevensim.Config{ChunkEvery: 20 * time.Millisecond}, func(s *settings.Settings) { s.Audio.MuteWhileSpeaking = true })
	speech := watchSpeech(t, d)
	if d.muted() {
		t.Fatal("muted before Tonny spoke")
	}
	if err := d.Speak(context.Background(), "One moment please, I am checking the weather for you."); err != nil {
		t.Fatal(err)
	}
	speech.next(t, "speaking", func(p event.SpeechStatePayload) bool { return p.Speaking })
	if !d.muted() {
		t.Fatal("voice activation hears Tonny while it speaks")
	}
	speech.next(t, "silence", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	deadline := time.Now().Add(10 * time.Second)
	for d.muted() {
		if time.Now().After(deadline) {
			t.Fatal("still muted 10 s after Tonny stopped")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCuesPlayOnListeningAndErrors(t *testing.T) {
	d, _, _, _ := voiceDaemon(t, elevensim.Config{}, func(s *settings.Settings) { s.Response.CuesEnabled, s.Response.CueStop = true, false })
	speech := watchSpeech(t, d)
	d.publishLive(event.ListeningStatePayload{State: "listening", Mode: "toggle"})
	speech.next(t, "the start cue", func(p event.SpeechStatePayload) bool { return p.Speaking && p.ID == "cue:start" })
	d.bus.Publish(event.NoticePayload{Level: "error", Title: "Microphone", Message: "gone"})
	speech.next(t, "the error cue", func(p event.SpeechStatePayload) bool { return p.Speaking && p.ID == "cue:error" })
	d.publishLive(event.ListeningStatePayload{State: "idle", Mode: "toggle"}) // the stop cue is switched off
	d.publishLive(event.ListeningStatePayload{State: "listening", Mode: "voice_activation"})
	d.bus.Publish(event.NoticePayload{Level: "error", Title: "Microphone", Message: "gone again"})
	got := speech.next(t, "the second error cue", func(p event.SpeechStatePayload) bool { return p.Speaking })
	if got.ID != "cue:error" {
		t.Fatalf("played %q: the stop cue is off and voice activation has no start cue", got.ID)
	}
}

func TestTTSOverTheControlSocket(t *testing.T) {
	d, h, es, _ := voiceDaemon(t, elevensim.Config{}, nil)
	var voices []VoiceInfo
	if err := control.Call(context.Background(), h.socket, "voices", nil, &voices); err != nil {
		t.Fatal(err)
	}
	if len(voices) < 2 || voices[0].ID != "21m00Tcm4TlvDq8ikWAM" || voices[0].Name != "Rachel" {
		t.Fatalf("voices = %+v", voices)
	}
	if err := control.Call(context.Background(), h.socket, "tts", map[string]string{"text": "Dinner is ready."}, nil); err != nil {
		t.Fatal(err)
	}
	if es.Requests() != 1 {
		t.Fatalf("%d syntheses for one sentence", es.Requests())
	}
	// `tonnytray tts` with no instance running plays through a player of its own.
	if err := d.SpeakStandalone(context.Background(), "Standing alone."); err != nil {
		t.Fatal(err)
	}
	if es.Requests() != 2 {
		t.Fatalf("%d syntheses after the standalone one, want 2", es.Requests())
	}
	if err := d.PreviewVoice(context.Background(), "JBFqnCBsd6RMkjVDRZzb"); err != nil {
		t.Fatal(err)
	}
	if err := d.PreviewVoice(context.Background(), "no-such-voice"); err == nil || !strings.Contains(humanError(err), "voice") {
		t.Fatalf("preview of an unknown voice: %v", err)
	}
}

// TestSpokenReplyReachesTheSpeaker records the virtual speaker while a synthesized reply plays and finds the
// simulator's audio in it; a network stall mid-stream becomes silence, and the rest still plays.
func TestSpokenReplyReachesTheSpeaker(t *testing.T) {
	d, _, es, _ := voiceDaemon(t, elevensim.Config{}, func(s *settings.Settings) { s.Response.Volume = 1 })
	// A fresh sound server stalls a new playback stream for its first seconds: warm it up first.
	if err := d.SpeakAndWait(context.Background(), "Warm up."); err != nil {
		t.Fatal(err)
	}
	const sentence = "The kitchen lights are on."
	want := audiotest.Samples(elevensim.Speech(sentence, tts.SampleRate))
	rec := audiotest.RecordSpeaker(t)
	if err := d.SpeakAndWait(context.Background(), sentence); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the device's buffer drains into the recording (content, not timing, is asserted)
	got := rec.Stop()
	if lag, ncc := audiotest.BestLag(want, got, audiotest.RecordRate); ncc < 0.8 {
		t.Fatalf("the recorded speaker matches the reply at %.3f (lag %d, recorded %d samples RMS %.0f, reply %d samples RMS %.0f), want ≥ 0.8",
			ncc, lag, len(got), audiotest.RMS(got), len(want), audiotest.RMS(want))
	}

	// The stream stalls for 1.5 s after 0.5 s of audio (which plays meanwhile: about 1 s of silence is left).
	const stalled = "Dinner is ready in ten minutes."
	want = audiotest.Samples(elevensim.Speech(stalled, tts.SampleRate))
	half := tts.SampleRate / 2
	es.StallAfter(2*half, 1500*time.Millisecond)
	speech := watchSpeech(t, d)
	rec = audiotest.RecordSpeaker(t)
	if err := d.SpeakAndWait(context.Background(), stalled); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	got = rec.Stop()
	head, tail := want[:half], want[half:]
	hl, hn := audiotest.BestLag(head, got, audiotest.RecordRate)
	tl, tn := audiotest.BestLag(tail, got, audiotest.RecordRate)
	if hn < 0.8 || tn < 0.8 {
		t.Fatalf("around the stall the audio matches at %.3f and %.3f, want ≥ 0.8 each", hn, tn)
	}
	gap := tl - (hl + half) // samples of silence inserted between the halves
	if gap < tts.SampleRate/5 {
		t.Errorf("only %d ms between the halves: a 1.5 s stall must play as silence", gap*1000/tts.SampleRate)
	}
	if s := audiotest.RMS(got[hl+half+tts.SampleRate/20 : tl-tts.SampleRate/20]); s > 0.02*audiotest.RMS(head) {
		t.Errorf("the stall is not silent: RMS %.1f", s)
	}
	last := speech.next(t, "the end", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	if last.Underruns == 0 {
		t.Error("no underrun counted for the stall")
	}
	t.Logf("a 1.5 s stall after 0.5 s of audio played as %d ms of silence", gap*1000/tts.SampleRate)
}
