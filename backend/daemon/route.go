package daemon

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/typing"
)

// typist serialises text insertion: two utterances finishing together are typed one after the other, in order.
type typist struct{ mu sync.Mutex }

// route sends a final utterance where it belongs: dictation or Tonny, after the profile policy had its say.
// transcription is its history row (nil when history is off).
func (d *Daemon) route(u pipeline.Utterance, transcription *uint) pipeline.Route {
	if u.Hint == pipeline.RouteNone || u.Err != nil && u.Text == "" {
		return pipeline.RouteNone
	}
	g := d.settings.Get().General
	dec := pipeline.Decide(u.Text, u.Hint, pipeline.RouteRules{CommandPrefix: g.CommandPrefix, DefaultRoute: pipeline.Route(g.DefaultRoute)})
	log := d.component("pipeline")
	dec, err := d.policy.Check(context.Background(), dec)
	if err != nil {
		log.Warn("utterance refused by policy", "route", string(dec.Route), "err", err)
		d.refused(err)
		d.sayRefusal(err)
		return pipeline.RouteNone
	}
	// "Stop" said to a talking Tonny (barge-in may have silenced it already) is not a command or dictation.
	if isStop(dec.Text) && d.spokeWithin(10*time.Second) {
		log.Info("spoken stop: Tonny stops talking")
		d.StopSpeaking()
		return pipeline.RouteNone
	}
	log.Info("utterance routed", "route", string(dec.Route), "reason", dec.Reason)
	switch dec.Route {
	case pipeline.RouteCommand:
		var speaker *int
		if len(u.Speakers) > 0 {
			speaker = &u.Speakers[0]
		}
		if _, err := d.queueCommand(context.Background(), dec.Text, transcription, speaker); err != nil {
			d.bus.Publish(event.NoticePayload{Level: "error", Title: "Command not sent", Message: err.Error()})
		}
	case pipeline.RouteDictation:
		t := d.settings.Get().Typing
		rules := make([]pipeline.Replacement, len(t.Replacements))
		for i, r := range t.Replacements {
			rules[i] = pipeline.Replacement(r)
		}
		d.insertText(pipeline.Dictate(dec.Text, rules, t.Capitalize), "dictation")
	}
	return dec.Route
}

// typingOptions are the insertion settings in the typing package's terms.
func (d *Daemon) typingOptions() typing.Options {
	t := d.settings.Get().Typing
	return typing.Options{Method: typing.Method(t.Method), KeyDelay: time.Duration(t.KeyDelayMs) * time.Millisecond,
		ClipboardRestore: time.Duration(t.ClipboardRestoreMs) * time.Millisecond}
}

// insertText types text into the focused window (or, with typing off, copies it) and says how that went.
// Failures are never silent: a notice names the problem and where the text is.
func (d *Daemon) insertText(text, what string) event.DictationPayload {
	d.typist.mu.Lock()
	defer d.typist.mu.Unlock()
	ctx := context.Background()
	log := d.component("typing")
	if !d.settings.Get().Typing.Enabled {
		p := event.DictationPayload{Text: text, Status: "clipboard", Method: "clipboard", OnClipboard: true}
		if err := typing.CopyToClipboard(ctx, d.typingOptions(), text); err != nil {
			p.Status, p.OnClipboard, p.Message = "failed", false, "Typing is off and the text could not be copied: "+err.Error()
			log.Error("text not copied", "what", what, "err", err)
			d.bus.Publish(event.NoticePayload{Level: "error", Title: "Dictation", Message: p.Message})
		}
		d.bus.Publish(p)
		return p
	}
	res, err := typing.New(d.typingOptions()).Insert(ctx, text)
	if err != nil {
		p := event.DictationPayload{Text: text, Status: "failed", Method: string(res.Method), Message: err.Error()}
		var te *typing.Error
		if errors.As(err, &te) {
			p.Message, p.OnClipboard = te.Message(), te.OnClipboard
		}
		log.Error("text not typed", "what", what, "on_clipboard", p.OnClipboard, "err", err)
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Dictation", Message: p.Message})
		d.bus.Publish(p)
		return p
	}
	log.Info("text typed", "what", what, "method", string(res.Method), "chars", len(text), "ms", res.Duration.Milliseconds())
	p := event.DictationPayload{Text: text, Status: "typed", Method: string(res.Method)}
	d.bus.Publish(p)
	return p
}

// TypingStatus is what Settings shows about text insertion on this desktop session.
type TypingStatus struct {
	Session   string       `json:"session"` // x11 | wayland | none
	Desktop   string       `json:"desktop"`
	Chosen    string       `json:"chosen"` // the method in use; "" = none works here
	Clipboard string       `json:"clipboard"`
	Summary   string       `json:"summary"`
	Methods   []TypingTool `json:"methods"`
}

// TypingTool is one insertion method and whether it works here.
type TypingTool struct {
	Method    string `json:"method"`
	Available bool   `json:"available"`
	Reason    string `json:"reason"`
}

// TypingStatus detects what can insert text on this session.
func (d *Daemon) TypingStatus(ctx context.Context) TypingStatus {
	det := typing.Detect(ctx, d.typingOptions())
	out := TypingStatus{Session: det.Session.Kind, Desktop: det.Session.Desktop, Chosen: string(det.Chosen),
		Clipboard: det.Clipboard, Summary: det.Summary, Methods: make([]TypingTool, len(det.Methods))}
	for i, m := range det.Methods {
		out.Methods[i] = TypingTool{Method: string(m.Method), Available: m.Available, Reason: m.Reason}
	}
	return out
}

// TypingSample is what "test insertion" types: punctuation and non-ASCII, where typing tools fail first.
const TypingSample = "TonnyTray typing test: Grüße, café — 123!"

// TestTyping is Settings' "test insertion": after delay, which lets the user focus a text field, it types a
// sample sentence through the real path, failures included, and says how it went.
func (d *Daemon) TestTyping(ctx context.Context, delay time.Duration) (event.DictationPayload, error) {
	if err := d.authorize(profile.ActionDictate); err != nil {
		return event.DictationPayload{}, err
	}
	select {
	case <-time.After(delay):
	case <-ctx.Done():
		return event.DictationPayload{}, ctx.Err()
	}
	return d.insertText(TypingSample, "test"), nil
}
