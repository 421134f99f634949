package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/supervisor"
	"github.com/tonnytray/tonnytray/backend/whisper"
)

// newSpeechServer builds the WhisperLiveKit supervisor from the settings and the keychain.
func (d *Daemon) newSpeechServer() *whisper.Server {
	return whisper.NewServer(whisper.ServerOptions{
		Settings: func() settings.WhisperSettings { return d.settings.Get().Whisper },
		Token:    d.speechToken,
		Log:      d.log,
		OnState: func(st whisper.ServerState) {
			p := serverPayload(st)
			d.bus.Publish(p)
			d.bus.Publish(serverService(p))
			if err := d.store.RecordServiceEvent(context.Background(), whisper.Name, p.State, serverDetail(p)); err != nil {
				d.component("store").Warn("service event not stored", "err", err)
			}
		},
	})
}

// speechToken reads the optional API token; no keychain or no token both mean "no token".
func (d *Daemon) speechToken() (string, error) {
	s, err := d.secretStore()
	if err != nil {
		return "", nil // an open server is what the user gets without a keychain; the keychain card says why
	}
	v, err := s.Get(secret.WhisperToken)
	if errors.Is(err, secret.ErrNotFound) {
		return "", nil
	}
	return v, err
}

func serverPayload(st whisper.ServerState) event.ServerStatePayload {
	return event.ServerStatePayload{
		State: string(st.State), PID: st.PID, Since: rfc3339(st.Since), StartedAt: rfc3339(st.StartedAt),
		Restarts: st.Restarts, LastError: st.LastError, NextTry: rfc3339(st.NextTry), Reason: st.Reason,
		External: st.External, Managed: st.Managed, Address: st.Address, Model: st.Model, Version: st.Version,
		Warnings: nonNil(st.Warnings), LastLines: nonNil(st.LastLines),
	}
}

// serverService is the speech server's line among the Dashboard's service cards.
func serverService(p event.ServerStatePayload) event.ServiceStatePayload {
	state := map[string]string{
		string(supervisor.Running): "ok", string(supervisor.Starting): "degraded", string(supervisor.Backoff): "degraded",
		string(supervisor.Stopping): "degraded", string(supervisor.Failed): "down", string(supervisor.Stopped): "stopped",
	}[p.State]
	return event.ServiceStatePayload{Service: whisper.Name, State: state, Detail: serverDetail(p)}
}

func serverDetail(p event.ServerStatePayload) string {
	switch p.State {
	case string(supervisor.Running):
		if p.External {
			return "external server at " + p.Address
		}
		return fmt.Sprintf("ready at %s (pid %d, model %s)", p.Address, p.PID, p.Model)
	case string(supervisor.Starting):
		return "loading model " + p.Model + "…"
	case string(supervisor.Backoff):
		return fmt.Sprintf("restarting (%d so far): %s", p.Restarts, p.LastError)
	case string(supervisor.Failed):
		return p.Reason
	}
	return p.State
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// SpeechServer is the speech server's current state.
func (d *Daemon) SpeechServer() event.ServerStatePayload { return serverPayload(d.speech.State()) }

// ControlSpeechServer starts, stops or restarts the speech server.
func (d *Daemon) ControlSpeechServer(action string) error {
	switch action {
	case "start":
		d.speech.Start()
	case "stop":
		d.speech.Stop()
	case "restart":
		d.speech.Restart()
	default:
		return fmt.Errorf("speech server: unknown action %q (start, stop, restart)", action)
	}
	d.component("supervisor").Info("speech server "+action+" requested", "service", whisper.Name)
	return nil
}

// registerServerControl adds `tonnytray server start|stop|restart|status`.
func (d *Daemon) registerServerControl() {
	d.control.Handle("server", func(ctx context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Action string `json:"action"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "server: bad arguments: " + err.Error()}
		}
		if a.Action != "status" {
			if err := d.ControlSpeechServer(a.Action); err != nil {
				return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: err.Error()}
			}
		}
		return d.SpeechServer(), nil
	})
}
