package daemon

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"unicode"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/notify"
	"github.com/tonnytray/tonnytray/backend/player"
	"github.com/tonnytray/tonnytray/backend/tts"
)

// runCues is the service that plays the sound cues: listening started and stopped (for the modes a person
// triggers; in voice activation a cue would land in the recording), and errors.
func (d *Daemon) runCues(ctx context.Context) error {
	sub := d.bus.Subscribe(16, event.Listening, event.Notice)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-sub.C:
			r := d.settings.Get().Response
			if !r.CuesEnabled {
				continue
			}
			switch p := ev.Payload.(type) {
			case event.ListeningStatePayload:
				if p.Mode == "voice_activation" || p.Mode == "continuous" {
					continue
				}
				if p.State == "listening" && r.CueStart {
					d.playCue(player.CueStart, r.CueVolume)
				} else if p.State == "idle" && r.CueStop {
					d.playCue(player.CueStop, r.CueVolume)
				}
			case event.NoticePayload:
				if p.Level == "error" && r.CueError {
					d.playCue(player.CueError, r.CueVolume)
				}
			}
		}
	}
}

// playCue queues a cue ahead of replies, scaled by the cue volume.
func (d *Daemon) playCue(c player.Cue, volume float64) {
	pcm := player.CuePCM(c, tts.SampleRate)
	for i := 0; i+1 < len(pcm); i += 2 {
		s := float64(int16(binary.LittleEndian.Uint16(pcm[i:]))) * volume
		binary.LittleEndian.PutUint16(pcm[i:], uint16(int16(s)))
	}
	names := map[player.Cue]string{player.CueStart: "cue:start", player.CueStop: "cue:stop", player.CueError: "cue:error"}
	d.voice.player.Enqueue(player.Item{ID: names[c], PCM: bytes.NewReader(pcm), Rate: tts.SampleRate, Priority: player.Urgent})
}

// stopWords are utterances that only mean "stop talking" while Tonny speaks.
var stopWords = map[string]bool{"stop": true, "stop talking": true, "stop it": true, "be quiet": true, "quiet": true,
	"shut up": true, "enough": true, "cancel": true, "never mind": true, "nevermind": true}

// isStop says whether text is only a stop word, whatever the punctuation and case.
func isStop(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	return stopWords[strings.Join(words, " ")]
}

// runNotifications is the service that shows warnings and errors as desktop notifications (Settings →
// Response → Desktop notifications); they are in the window and the log as well.
func (d *Daemon) runNotifications(ctx context.Context) error {
	sub := d.bus.Subscribe(32, event.Notice)
	defer sub.Close()
	n := notify.New("TonnyTray")
	defer n.Close()
	missing := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-sub.C:
			p := ev.Payload.(event.NoticePayload)
			if p.Level == "info" || !d.settings.Get().Response.Notifications {
				continue
			}
			urgency := notify.Normal
			if p.Level == "error" {
				urgency = notify.Critical
			}
			// The title is the tag: a repeated problem updates its notification instead of stacking up.
			err := n.Send(p.Title, p.Title, p.Message, urgency)
			switch {
			case errors.Is(err, notify.ErrNoService):
				if !missing {
					d.component("notify").Info("no desktop notification service: notices show in the window and the log only")
				}
				missing = true
			case err != nil:
				d.component("notify").Warn("desktop notification failed", "err", err)
			default:
				missing = false
			}
		}
	}
}
