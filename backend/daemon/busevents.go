package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tonnytray/tonnytray/backend/bus"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/secret"
)

// busConfig is the RabbitMQ connection from the settings and the keychain; an empty URL turns the bus off.
func (d *Daemon) busConfig() bus.Config {
	r := d.settings.Get().RabbitMQ
	if !r.Enabled || r.URL == "" {
		return bus.Config{}
	}
	host := r.HostID
	if host == "" {
		host, _ = os.Hostname()
	}
	pw, err := d.secretValue(secret.RabbitMQPassword)
	if err != nil {
		pw = "" // the broker refuses the login and the card says so
	}
	return bus.Config{URL: r.URL, Password: pw, Exchange: r.Exchange, Host: host}
}

// reconnectBus applies new broker settings or a new password to the publisher and the announcements.
func (d *Daemon) reconnectBus() {
	d.pub.Reconnect()
	select {
	case d.busChanged <- struct{}{}:
	default:
	}
}

func (d *Daemon) newPublisher() *bus.Publisher {
	return bus.New(d.store, d.busConfig, d.busState, d.component("bus"))
}

// busState turns the publisher's state into the Dashboard card and the bus:state event.
func (d *Daemon) busState(st bus.State) {
	d.bus.Publish(event.BusStatePayload{State: st.State, Detail: st.Detail, Pending: st.Pending, Published: st.Published, Returned: st.Returned})
	d.bus.Publish(busService(st))
}

func busService(st bus.State) event.ServiceStatePayload {
	card := event.ServiceStatePayload{Service: "rabbitmq", Detail: st.Detail}
	switch st.State {
	case "connected":
		card.State = "ok"
		card.Detail = fmt.Sprintf("%d events published", st.Published)
	case "disabled":
		card.State, card.Detail = "unavailable", "off — set the broker in Settings → RabbitMQ"
	case "connecting":
		card.State = "degraded"
	default:
		card.State = "down"
	}
	if st.Pending > 0 {
		card.Detail += fmt.Sprintf(" (%d events waiting)", st.Pending)
	}
	return card
}

// runBusEvents is the service that publishes every step of an utterance and a command to RabbitMQ. It follows
// the in-process events, so the voice path never waits for the broker: publishing only stores the event.
func (d *Daemon) runBusEvents(ctx context.Context) error {
	sub := d.bus.Subscribe(512, event.Listening, event.TranscriptFinal, event.CommandState)
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-sub.C:
			if e, ok := d.busEvent(ev.Payload); ok {
				if err := d.pub.Publish(ctx, e); err != nil {
					d.component("bus").Warn("event not published", "key", e.Key, "err", err)
				}
			}
		}
	}
}

// busEvent maps an in-process event to the seeds' RabbitMQ event, if it has one. Text is left out for a
// profile that keeps no history.
func (d *Daemon) busEvent(p event.Payload) (bus.Event, bool) {
	id := d.identity()
	who := bus.Who{Profile: id.Profile, Role: id.Role, SafeMode: id.SafeMode}
	text := func(s string) string {
		if d.keepsHistory() {
			return s
		}
		return ""
	}
	switch p := p.(type) {
	case event.ListeningStatePayload:
		if p.State == "listening" {
			return bus.SpeechStart(who, p.Mode), true
		}
	case event.TranscriptFinalPayload:
		return bus.SpeechEnd(who, text(p.Text), max(p.Timings.FinalMs, 0)), true
	case event.CommandStatePayload:
		switch p.Status {
		case "queued":
			return bus.Prompt(who, text(p.Text), p.ID), true
		case "delivered":
			return bus.Conversation(who, bus.ConversationReply, text(p.Reply), p.ID), true
		case "accepted":
			return bus.Conversation(who, bus.ConversationAccepted, "", p.ID), true
		case "failed":
			return bus.Conversation(who, bus.ConversationError, p.Message, p.ID), true
		}
	}
	return bus.Event{}, false
}

// runAnnouncements is the service behind thread.tonny.say.<host> and thread.tonny.say.all: another agent or
// room makes this TonnyTray show, and speak, a message. It starts again when the broker settings or the
// password change.
func (d *Daemon) runAnnouncements(ctx context.Context) error {
	for {
		cfg := d.busConfig()
		actx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		if cfg.URL != "" {
			go func() { done <- bus.Subscribe(actx, cfg, bus.SayKeys(cfg.Host), d.announce) }()
		} else {
			done <- nil
		}
		select {
		case <-ctx.Done():
		case <-d.busChanged:
		}
		stop()
		<-done
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// announce shows an announcement and speaks it when replies are spoken; a child hears it kid-safe filtered.
// Body: {"text": "...", "from": "kitchen", "speak": true}.
func (d *Daemon) announce(key string, body []byte) {
	var a struct {
		Text  string `json:"text"`
		From  string `json:"from"`
		Speak *bool  `json:"speak"`
	}
	log := d.component("bus")
	if err := json.Unmarshal(body, &a); err != nil || strings.TrimSpace(a.Text) == "" {
		log.Warn("announcement ignored: not a JSON object with a text", "key", key)
		return
	}
	text := d.replyFor(strings.TrimSpace(a.Text))
	title := "Announcement"
	if a.From != "" {
		title += " from " + a.From
	}
	log.Info("announcement", "key", key, "from", a.From, "chars", len(text))
	d.bus.Publish(event.NoticePayload{Level: "info", Title: title, Message: text})
	mode := d.responseMode()
	if (a.Speak == nil || *a.Speak) && mode != "text" && !d.Paused() {
		if err := d.speakIfSetUp(text); err != nil {
			log.Warn("announcement not spoken", "err", err)
		}
	}
}

// BusTest is the verdict of `tonnytray test rabbitmq`.
type BusTest struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// TestRabbitMQ connects with the current settings and publishes one confirmed test event.
func (d *Daemon) TestRabbitMQ(ctx context.Context) BusTest {
	cfg := d.busConfig()
	if cfg.URL == "" {
		return BusTest{Message: "RabbitMQ is off — turn it on and set the broker URL in Settings → RabbitMQ."}
	}
	if err := bus.Test(ctx, cfg); err != nil {
		return BusTest{Message: err.Error()}
	}
	return BusTest{OK: true, Message: "RabbitMQ accepted and confirmed a test event on " + cfg.URL + "."}
}

// PublishRaw publishes a hand-made event (`tonnytray publish KEY JSON`), stored and sent like the others.
func (d *Daemon) PublishRaw(ctx context.Context, key string, body map[string]any) error {
	if d.busConfig().URL == "" {
		return errors.New("RabbitMQ is off — turn it on in Settings → RabbitMQ")
	}
	return d.pub.Publish(ctx, bus.Custom(key, body))
}

// registerBusControl adds `publish` and `test-rabbitmq` to the control socket.
func (d *Daemon) registerBusControl() {
	d.control.Handle("test-rabbitmq", func(ctx context.Context, _ json.RawMessage) (any, error) {
		return d.TestRabbitMQ(ctx), nil
	})
	d.control.Handle("publish", func(ctx context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Key  string         `json:"key"`
			Body map[string]any `json:"body"`
		}
		if err := json.Unmarshal(args, &a); err != nil || a.Key == "" {
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "publish: give a routing key and a JSON object"}
		}
		return struct{}{}, d.PublishRaw(ctx, a.Key, a.Body)
	})
}
