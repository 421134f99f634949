package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
)

// VoiceOptions configure voice activation: utterances that open when speech starts and close when it ends.
type VoiceOptions struct {
	Mode    string           // "voice_activation" (one utterance per speech segment) or "continuous" (the same, never paused)
	VAD     audio.VADOptions // aggressiveness and end-of-speech silence
	Preroll time.Duration    // audio kept from before the detected start, so first syllables are not cut
	// Muted, when set and true at the start of speech, ignores that speech: Tonny is talking and the microphone
	// would hear its voice (there is no echo cancellation).
	Muted func() bool
}

// RunVoice listens until ctx ends: every speech segment the VAD finds in the source becomes one utterance,
// starting Preroll before the detected start and ending at the detected end. An utterance still open when
// ctx ends is ended there, so its text is not lost.
func (p *Pipeline) RunVoice(ctx context.Context, o VoiceOptions) error {
	vad, err := audio.NewVAD(o.VAD)
	if err != nil {
		return fmt.Errorf("voice activation: %w", err)
	}
	defer vad.Close()
	preroll := audio.Position(o.Preroll.Seconds() * audio.SampleRate)
	frames := p.o.Source.Stream(ctx, p.o.Source.Mark())
	for {
		var f audio.Frame
		var ok bool
		select {
		case f, ok = <-frames:
		case <-ctx.Done():
		}
		if !ok {
			if p.Active() {
				_ = p.End()
			}
			if ctx.Err() != nil {
				return nil
			}
			return errors.New("voice activation: the audio stream ended")
		}
		events, err := vad.Push(f.Pos, f.Samples)
		if err != nil {
			return fmt.Errorf("voice activation: %w", err)
		}
		for _, ev := range events {
			if ev.Start {
				if o.Muted != nil && o.Muted() {
					p.o.Log.Debug("speech ignored while Tonny speaks", "component", "pipeline")
					continue
				}
				from := ev.Pos - min(ev.Pos, preroll)
				if err := p.BeginAt(o.Mode, "", from, p.o.Now()); err != nil {
					// Only a push-to-talk press in the middle of voice activation gets here: that one wins.
					p.o.Log.Info("speech detected during another utterance", "component", "pipeline", "err", err)
				}
				continue
			}
			if p.Active() {
				_ = p.EndAt(ev.Pos)
			}
		}
	}
}
