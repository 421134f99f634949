package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
)

// App states, most important first: the tray icon and `status` show the first that holds.
const (
	StatePaused     = "paused"     // the user paused TonnyTray: nothing listens
	StateError      = "error"      // something needs the user: the speech server failed, Tonny's outbox is paused
	StateListening  = "listening"  // an utterance is being captured
	StateSpeaking   = "speaking"   // Tonny is talking
	StateProcessing = "processing" // final text awaited, or a command on its way
	StateIdle       = "idle"
)

// appState is what the app is doing, derived from the events of its parts.
type appState struct {
	mu        sync.Mutex
	paused    bool
	listening bool
	speaking  bool
	finishing bool   // an utterance was captured and its final text is awaited
	sending   bool   // a command is queued or being sent
	serverBad string // why the speech server is not usable, "" when fine
	blocked   string // why Tonny's outbox is paused, "" when not
	profile   string // the active profile's name
	role      string // and its role
	last      event.AppStatePayload
}

// ErrPaused is returned by listening triggers while TonnyTray is paused.
var ErrPaused = errors.New("TonnyTray is paused — resume it first (tray menu, Ctrl+Shift+P or `tonnytray resume`)")

// Paused says whether TonnyTray is paused.
func (d *Daemon) Paused() bool {
	d.state.mu.Lock()
	defer d.state.mu.Unlock()
	return d.state.paused
}

// Pause stops everything that listens (an utterance in progress ends and is still transcribed, voice activation
// and a warm microphone stop) until Resume.
func (d *Daemon) Pause() {
	d.state.mu.Lock()
	already := d.state.paused
	d.state.paused = true
	d.state.mu.Unlock()
	if already {
		return
	}
	if d.pipe.Active() {
		_ = d.pipe.End()
	}
	d.component("app").Info("paused")
	d.applyKeepWarm()
	d.signalPause()
	d.publishState()
}

// Resume undoes Pause.
func (d *Daemon) Resume() {
	d.state.mu.Lock()
	was := d.state.paused
	d.state.paused = false
	d.state.mu.Unlock()
	if !was {
		return
	}
	d.component("app").Info("resumed")
	d.applyKeepWarm()
	d.signalPause()
	d.publishState()
}

// TogglePause pauses or resumes.
func (d *Daemon) TogglePause() {
	if d.Paused() {
		d.Resume()
	} else {
		d.Pause()
	}
}

// AppState is the app's state now.
func (d *Daemon) AppState() event.AppStatePayload {
	d.state.mu.Lock()
	defer d.state.mu.Unlock()
	return d.state.payloadLocked()
}

func (s *appState) payloadLocked() event.AppStatePayload {
	p := event.AppStatePayload{State: StateIdle, Profile: s.profile, Role: s.role}
	switch {
	case s.paused:
		p.State, p.Detail = StatePaused, "paused"
	case s.serverBad != "":
		p.State, p.Detail = StateError, s.serverBad
	case s.blocked != "":
		p.State, p.Detail = StateError, s.blocked
	case s.listening:
		p.State = StateListening
	case s.speaking:
		p.State = StateSpeaking
	case s.finishing || s.sending:
		p.State = StateProcessing
	}
	return p
}

// publishState publishes app:state when it changed.
func (d *Daemon) publishState() {
	d.state.mu.Lock()
	p := d.state.payloadLocked()
	changed := p != d.state.last
	d.state.last = p
	d.state.mu.Unlock()
	if changed {
		d.bus.Publish(p)
	}
}

// runState is the service that follows the other parts' events and keeps the app state (tray icon, status)
// current. The pipeline's own events are noted as they are published (publishLive), so a trigger's answer
// already shows their effect.
func (d *Daemon) runState(ctx context.Context) error {
	sub := d.bus.Subscribe(256, event.SpeechState, event.ServerState, event.CommandState, event.OutboxState)
	defer sub.Close()
	d.publishState()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-sub.C:
			d.noteState(ev.Payload)
		}
	}
}

// noteState folds one event into the app state and publishes the state if it changed.
func (d *Daemon) noteState(e event.Payload) {
	s := &d.state
	s.mu.Lock()
	switch p := e.(type) {
	case event.ListeningStatePayload:
		s.listening, s.finishing = p.State == "listening", p.State == "processing"
	case event.SpeechStatePayload:
		s.speaking = p.Speaking
	case event.ServerStatePayload:
		s.serverBad = ""
		if p.State == "failed" {
			s.serverBad = "speech server failed: " + p.Reason
		}
	case event.CommandStatePayload:
		s.sending = p.Status == "queued" || p.Status == "sending"
	case event.OutboxStatePayload:
		s.blocked = ""
		if p.Blocked != "" {
			s.blocked = "Tonny is unreachable: " + p.Blocked
		}
	}
	s.mu.Unlock()
	d.publishState()
}

// registerTriggerControl adds the triggers a desktop shortcut or script sends: toggle, ptt-start, ptt-stop,
// pause, resume and profile. Each answers with the app state right after.
func (d *Daemon) registerTriggerControl() {
	trigger := func(name string, do func(ctx context.Context, args json.RawMessage) error) {
		d.control.Handle(name, func(ctx context.Context, args json.RawMessage) (any, error) {
			if err := do(ctx, args); err != nil {
				return nil, err
			}
			return d.AppState(), nil
		})
	}
	trigger("toggle", func(context.Context, json.RawMessage) error { return d.ToggleListening() })
	trigger("ptt-start", func(context.Context, json.RawMessage) error { return d.StartListening("push_to_talk", "") })
	trigger("ptt-stop", func(context.Context, json.RawMessage) error { return d.StopListening() })
	trigger("pause", func(context.Context, json.RawMessage) error { d.Pause(); return nil })
	trigger("resume", func(context.Context, json.RawMessage) error { d.Resume(); return nil })
	trigger("profile", func(ctx context.Context, args json.RawMessage) error {
		var a struct {
			Name string `json:"name"`
			PIN  string `json:"pin"`
		}
		if err := json.Unmarshal(args, &a); err != nil || a.Name == "" {
			return &control.RemoteError{Code: control.CodeBadRequest, Message: "profile: give the profile's name"}
		}
		return remoteProfileError(d.SwitchProfile(ctx, a.Name, a.PIN))
	})
}

// signalPause wakes voice activation, which starts or stops with the pause.
func (d *Daemon) signalPause() {
	select {
	case d.pauseChanged <- struct{}{}:
	default:
	}
}
