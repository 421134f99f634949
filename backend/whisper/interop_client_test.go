//go:build wlkinterop

// Interop test of TonnyTray's /asr client (whisper.Dial) against the REAL WhisperLiveKit server, started by
// our supervisor with --no-transcription and an API token, as in interop_test.go (whose helpers this file shares).
//
// Run: TONNYTRAY_WLK_SERVER=$(scripts/wlk-venv.sh | tail -n1) go test -race -tags wlkinterop -run Interop ./backend/whisper

package whisper_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/whisper"
)

// interopSpeech returns real speech as s16le 16 kHz mono PCM: espeak-ng converted by sox, or, when either is
// missing, a 440 Hz tone with a 4 Hz on/off envelope (voiced enough for the server's VAD).
func interopSpeech(t *testing.T, text string) []byte {
	t.Helper()
	espeak, err1 := exec.LookPath("espeak-ng")
	sox, err2 := exec.LookPath("sox")
	if err1 == nil && err2 == nil {
		dir := t.TempDir()
		wav, raw := filepath.Join(dir, "speech.wav"), filepath.Join(dir, "speech.raw")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, espeak, "-w", wav, text).CombinedOutput(); err != nil {
			t.Fatalf("espeak-ng: %v: %s", err, out)
		}
		if out, err := exec.CommandContext(ctx, sox, wav, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer",
			"-L", "-t", "raw", raw).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v: %s", err, out)
		}
		pcm, err := os.ReadFile(raw)
		if err != nil || len(pcm) < interopSampleRate { // under 0.5 s: not the sentence asked for
			t.Fatalf("speech PCM: %d bytes, %v", len(pcm), err)
		}
		return pcm
	}
	t.Logf("espeak-ng or sox missing (%v, %v): a tone stands in for speech", err1, err2)
	pcm := make([]byte, 2*interopSampleRate*2) // 2 s
	for i := range len(pcm) / 2 {
		x := float64(i) / interopSampleRate
		v := 0.0
		if math.Sin(2*math.Pi*4*x) > 0 {
			v = 8000 * math.Sin(2*math.Pi*440*x)
		}
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(v)))
	}
	return pcm
}

func TestInteropClientSession(t *testing.T) {
	const token = "interop-token-1"
	bin := interopServerPath(t)
	srv := interopStartWithToken(t, bin, token)
	defer func() {
		if remaining, _ := interopStop(srv, interopStopWithin); len(remaining) > 0 {
			t.Errorf("server processes left after the stop: %v", remaining)
		}
	}()

	speech := interopSpeech(t, "Hello Tonny, turn on the kitchen lights please.")
	// Speech, a 7 s pause (over the 5 s --pause-segmentation-seconds default: a silence line once speech
	// resumes), then speech again.
	pause := make([]byte, 7*interopSampleRate*interopBytesPerSamp)
	audio := append(append(append([]byte{}, speech...), pause...), speech...)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The real server's auth (spec §2.3): a missing or wrong token is HTTP 403; ?token= works as well as Bearer.
	for _, o := range []whisper.DialOptions{{}, {Token: "wrong"}, {Token: "wrong", TokenInQuery: true}} {
		o.URL = srv.base
		if _, err := whisper.Dial(ctx, o); !errors.Is(err, whisper.ErrUnauthorized) {
			t.Errorf("Dial with token %q (in query %v) = %v, want ErrUnauthorized", o.Token, o.TokenInQuery, err)
		} else {
			t.Logf("refused: %v", err)
		}
	}
	if q, err := whisper.Dial(ctx, whisper.DialOptions{URL: srv.base, Token: token, TokenInQuery: true}); err != nil {
		t.Errorf("Dial with ?token=: %v", err)
	} else {
		q.Close()
	}
	s, err := whisper.Dial(ctx, whisper.DialOptions{URL: srv.base, Token: token, Language: "en"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer s.Close()
	cfg, ok := s.Config()
	if !ok || !cfg.UseAudioWorklet || cfg.Mode != "full" {
		t.Errorf("Config() = %+v, %v; want useAudioWorklet true, mode full", cfg, ok)
	}

	var updates []whisper.Progress
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for p := range s.Updates() {
			updates = append(updates, p)
		}
	}()

	// 100 ms frames paced in real time, like the microphone.
	frame, err := whisper.FrameSize(100 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	started := time.Now()
	for off := 0; off < len(audio); off += frame {
		if err := s.Send(audio[off:min(off+frame, len(audio))]); err != nil {
			t.Fatalf("Send at %d bytes: %v", off, err)
		}
		<-tick.C
	}
	t.Logf("sent %.1f s of audio in %s", float64(len(audio))/(interopSampleRate*interopBytesPerSamp),
		time.Since(started).Round(time.Millisecond))

	finishStart := time.Now()
	text, err := s.Finish(ctx)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	t.Logf("Finish (ready_to_stop and our close) took %s; text %q", time.Since(finishStart).Round(time.Millisecond), text)
	if text != "" {
		t.Errorf("final text = %q, want \"\" from a --no-transcription server", text)
	}
	select {
	case <-collected:
	case <-time.After(5 * time.Second):
		t.Fatal("the updates channel was not closed after Finish")
	}

	if len(updates) == 0 {
		t.Fatal("no update parsed")
	}
	for i, p := range updates {
		t.Logf("update[%d]: status %q, %d lines, lag %v, growing %v", i, p.Update.Status, len(p.Update.Lines), p.Lag, p.LagGrowing)
	}
	if st := s.Stats(); st.Malformed != 0 {
		t.Errorf("stats = %+v: the real server sent messages our parser rejects", st)
	}
	if first := updates[0].Update; first.Status != "no_audio_detected" || len(first.Lines) != 0 {
		t.Errorf("first update = %+v, want no_audio_detected without lines", first)
	}
	tr := s.Transcript()
	if !tr.Final() {
		t.Errorf("transcript not final after Finish")
	}
	var silences int
	for _, l := range tr.Lines() {
		if !l.Silence() {
			t.Errorf("speech line from a --no-transcription server: %+v", l)
			continue
		}
		silences++
		if d := l.End - l.Start; d < 5*time.Second || d > 9*time.Second {
			t.Errorf("silence line %+v lasts %v, want about the 7 s pause", l, d)
		}
	}
	if silences != 1 {
		t.Errorf("transcript lines %+v: want one silence line (speaker -2) for the 7 s pause", tr.Lines())
	}
	if _, err := s.Finish(ctx); !errors.Is(err, whisper.ErrFinished) {
		t.Errorf("second Finish = %v, want ErrFinished", err)
	}
	if err := s.Send(speech[:frame]); !errors.Is(err, whisper.ErrFinished) {
		t.Errorf("Send after Finish = %v, want ErrFinished", err)
	}
	if out := srv.out.String(); strings.Contains(out, "Traceback") {
		t.Errorf("the server logged a traceback:\n%s", out)
	}
}
