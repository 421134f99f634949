package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8n"
	"github.com/tonnytray/tonnytray/backend/outbox"
	"github.com/tonnytray/tonnytray/backend/profile"
	"github.com/tonnytray/tonnytray/backend/secret"
	"github.com/tonnytray/tonnytray/backend/store"
)

// outboxTarget names the n8n queue in the outbox table.
const outboxTarget = "n8n"

// Speaker speaks a reply without waiting for it to be played (the daemon's own voice; benchmarks replace it).
type Speaker interface {
	Speak(ctx context.Context, text string) error
}

// tonny is Tonny over n8n: the client (rebuilt when its settings or secrets change) and the outbox queue.
type tonny struct {
	queue *outbox.Queue
	dirty chan struct{} // the queue changed; the status publisher coalesces these

	mu        sync.Mutex
	client    *n8n.Client
	clientErr error
	last      event.CommandStatePayload // the latest command, for the Dashboard on mount
	speaker   Speaker
}

// Identity is who a command is sent for: the active profile.
type Identity struct {
	ProfileID uint
	Profile   string
	Role      string
	SafeMode  bool
	Language  string // the profile's language, else the recogniser's; "" = not known
}

// CommandResult answers SendCommand: the request id and its state at return.
type CommandResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// ErrEmptyCommand is returned for a command with no text.
var ErrEmptyCommand = errors.New("text: say or type something for Tonny")

func (d *Daemon) newTonny() *tonny {
	t := &tonny{dirty: make(chan struct{}, 1)}
	t.queue = outbox.New(outbox.Options{
		Store:     d.store,
		Target:    outboxTarget,
		Deliver:   d.deliverCommand,
		OnOutcome: d.commandOutcome,
		OnChange: func() {
			select {
			case t.dirty <- struct{}{}:
			default:
			}
		},
	})
	return t
}

// identity is who commands are sent for: the active profile, its role and whether the workflow must keep it
// kid-safe.
func (d *Daemon) identity() Identity {
	p := d.profiles.Active()
	name, role, safe := profile.RequestFields(p)
	lang := p.Language
	if lang == "" {
		lang = d.settings.Get().Whisper.Language
	}
	if lang == "auto" {
		lang = ""
	}
	return Identity{ProfileID: p.ID, Profile: name, Role: role, SafeMode: safe, Language: lang}
}

// responseMode is how replies reach the active profile: its own response mode, else the settings'.
func (d *Daemon) responseMode() string {
	if m := d.profiles.Active().ResponseMode; m != profile.ResponseDefault {
		return m
	}
	return d.settings.Get().Response.Mode
}

// SendCommand queues a typed command for Tonny (the Ask Tonny box, `tonnytray send`) once the active profile
// may send it; a refusal is shown like a spoken one's.
func (d *Daemon) SendCommand(ctx context.Context, text string) (CommandResult, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return CommandResult{}, ErrEmptyCommand
	}
	if err := d.authorize(profile.ActionCommand(text)); err != nil {
		d.refused(err)
		return CommandResult{}, err
	}
	return d.queueCommand(ctx, text, nil, nil)
}

// queueCommand queues text for Tonny, already authorized: it is stored in the outbox before the first attempt
// and delivered in order, whatever happens to the network or the app meanwhile. transcription links it to the
// utterance it came from (nil for typed commands).
func (d *Daemon) queueCommand(ctx context.Context, text string, transcription *uint, speaker *int) (CommandResult, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return CommandResult{}, ErrEmptyCommand
	}
	who := d.identity()
	host, _ := os.Hostname()
	req := n8n.Request{ID: uuid.NewString(), Timestamp: time.Now().UTC(), Text: text, Source: "tonnytray", Mode: "command",
		Profile: who.Profile, Role: who.Role, SafeMode: who.SafeMode, Speaker: speaker, Language: who.Language, Host: host}
	body, err := req.Body()
	if err != nil {
		return CommandResult{}, fmt.Errorf("encode command: %w", err)
	}
	keep := d.keepsHistory()
	_, err = d.tonny.queue.Enqueue(ctx, req.ID, body, func(tx *gorm.DB) error {
		if !keep {
			return nil
		}
		return tx.Create(&store.Conversation{RequestID: req.ID, TranscriptionID: transcription, ProfileID: profileID(who.ProfileID),
			Request: string(body), Status: "pending"}).Error
	})
	if err != nil {
		d.component("n8n").Error("command not queued", "err", err)
		return CommandResult{}, err
	}
	d.component("n8n").Info("command queued", "id", req.ID, "chars", len(text))
	d.publishCommand(event.CommandStatePayload{ID: req.ID, Text: text, Status: "queued"})
	return CommandResult{ID: req.ID, Status: "queued"}, nil
}

// n8nClient returns the client for the current settings and secrets, building it on first use.
func (d *Daemon) n8nClient() (*n8n.Client, error) {
	t := d.tonny
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client == nil && t.clientErr == nil {
		t.client, t.clientErr = d.buildN8NClient()
	}
	return t.client, t.clientErr
}

func (d *Daemon) buildN8NClient() (*n8n.Client, error) {
	s := d.settings.Get().N8N
	cfg := n8n.Config{URL: s.WebhookURL, ConnectTimeout: time.Duration(s.ConnectTimeoutS) * time.Second,
		ReplyTimeout: time.Duration(s.ReplyTimeoutS) * time.Second}
	if s.AuthHeaderName != "" {
		v, err := d.secretValue(secret.N8NAuth)
		if err != nil {
			return nil, err
		}
		cfg.AuthHeader, cfg.AuthValue = s.AuthHeaderName, v
	}
	if s.SignRequests {
		v, err := d.secretValue(secret.N8NHMAC)
		if err != nil {
			return nil, err
		}
		cfg.SignSecret = v
	}
	return n8n.New(cfg)
}

// keyMissing says a secret the settings need is not in the keychain; it pauses the queue like a wrong key.
type keyMissing struct{ err error }

func (e keyMissing) Error() string   { return e.err.Error() }
func (e keyMissing) Unwrap() error   { return e.err }
func (e keyMissing) Blocking() bool  { return true }
func (e keyMissing) Message() string { return e.err.Error() }

func (d *Daemon) secretValue(k secret.Key) (string, error) {
	s, err := d.secretStore()
	if err != nil {
		return "", keyMissing{err}
	}
	v, err := s.Get(k)
	if errors.Is(err, secret.ErrNotFound) {
		return "", keyMissing{fmt.Errorf("the %s is not in the keychain — add it in Settings → Secrets", k.Label())}
	}
	if err != nil {
		return "", keyMissing{fmt.Errorf("read the %s: %w", k.Label(), err)}
	}
	return v, nil
}

// resetN8N drops the client after a settings or secret change and lets a paused queue try again.
func (d *Daemon) resetN8N() {
	t := d.tonny
	t.mu.Lock()
	t.client, t.clientErr = nil, nil
	t.mu.Unlock()
	t.queue.Unblock()
}

// deliverCommand is one attempt to hand an outbox item to n8n.
func (d *Daemon) deliverCommand(ctx context.Context, it outbox.Item) error {
	text := requestText(it.Payload)
	d.publishCommand(event.CommandStatePayload{ID: it.RequestID, Text: text, Status: "sending", Attempts: it.Attempts})
	c, err := d.n8nClient()
	if err != nil {
		return err
	}
	reply, err := c.Post(ctx, it.RequestID, it.Payload)
	if err != nil {
		return err
	}
	reply.Text = d.replyFor(reply.Text) // a child's reply is kid-safe filtered before it is shown, spoken or typed
	status := "delivered"
	if reply.Accepted {
		status = "accepted"
	}
	d.component("n8n").Info("command delivered", "id", it.RequestID, "status", reply.Status, "latency_ms", reply.Latency.Milliseconds())
	d.updateConversation(it.RequestID, map[string]any{"status": status, "reply": reply.Text, "reply_raw": string(reply.Raw),
		"attempts": it.Attempts + 1, "latency_ms": reply.Latency.Milliseconds(), "error": ""})
	d.publishCommand(event.CommandStatePayload{ID: it.RequestID, Text: text, Status: status, Reply: reply.Text, Speak: reply.Speak,
		Attempts: it.Attempts + 1, LatencyMs: reply.Latency.Milliseconds()})
	if !reply.Accepted {
		d.handleReply(reply.Text, reply.Speak)
	}
	return nil
}

// commandOutcome records every attempt that did not deliver, and tells the user what happened.
func (d *Daemon) commandOutcome(o outbox.Outcome) {
	if o.State == outbox.Delivered {
		return // deliverCommand recorded it with the reply
	}
	msg := humanError(o.Err)
	log := d.component("n8n")
	switch o.State {
	case outbox.Retrying:
		log.Warn("command not delivered, will retry", "id", o.Item.RequestID, "attempt", o.Item.Attempts+1, "err", o.Err)
	case outbox.Blocked:
		log.Error("commands paused", "id", o.Item.RequestID, "err", o.Err)
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Tonny is unreachable", Message: msg + " Commands wait in the outbox."})
	case outbox.Failed:
		log.Error("command refused", "id", o.Item.RequestID, "err", o.Err)
		d.bus.Publish(event.NoticePayload{Level: "error", Title: "Command not delivered", Message: msg})
	case outbox.Discarded:
		log.Info("command discarded", "id", o.Item.RequestID)
	}
	attempts := o.Item.Attempts
	if o.State != outbox.Discarded {
		attempts++
	}
	status := map[string]string{outbox.Retrying: "pending", outbox.Blocked: "pending", outbox.Failed: "failed", outbox.Discarded: "discarded"}[o.State]
	d.updateConversation(o.Item.RequestID, map[string]any{"status": status, "attempts": attempts, "error": msg})
	d.publishCommand(event.CommandStatePayload{ID: o.Item.RequestID, Text: requestText(o.Item.Payload), Status: o.State,
		Message: msg, Attempts: attempts})
}

// humanError is the sentence the UI shows for a delivery error.
func humanError(err error) string {
	if err == nil {
		return ""
	}
	var m interface{ Message() string }
	if errors.As(err, &m) {
		return m.Message()
	}
	return "Could not reach Tonny (n8n): " + err.Error()
}

func (d *Daemon) updateConversation(requestID string, cols map[string]any) {
	if err := d.store.DB().Model(&store.Conversation{}).Where("request_id = ?", requestID).Updates(cols).Error; err != nil {
		d.component("n8n").Error("conversation not updated", "id", requestID, "err", err)
	}
}

func (d *Daemon) publishCommand(p event.CommandStatePayload) {
	p.At = time.Now().UTC().Format(time.RFC3339Nano)
	d.tonny.mu.Lock()
	if p.Text == "" && p.ID == d.tonny.last.ID {
		p.Text = d.tonny.last.Text
	}
	d.tonny.last = p
	d.tonny.mu.Unlock()
	d.bus.Publish(p)
}

// LastCommand is the latest command and its state, for the Dashboard.
func (d *Daemon) LastCommand() event.CommandStatePayload {
	d.tonny.mu.Lock()
	defer d.tonny.mu.Unlock()
	return d.tonny.last
}

// handleReply shows, speaks and types Tonny's reply as the response settings say.
func (d *Daemon) handleReply(text string, speak bool) {
	r := d.settings.Get().Response
	log := d.component("n8n")
	if mode := d.responseMode(); speak && (mode == "voice" || mode == "both") {
		d.tonny.mu.Lock()
		sp := d.tonny.speaker
		d.tonny.mu.Unlock()
		var missing keyMissing
		switch err := sp.Speak(context.Background(), text); {
		case errors.As(err, &missing):
			// Voice was never set up: the ElevenLabs card says so; a notice per reply would only nag.
			log.Info("reply shown, not spoken", "why", err.Error())
		case err != nil:
			log.Error("reply not spoken", "err", err)
			d.bus.Publish(event.NoticePayload{Level: "warning", Title: "Reply not spoken", Message: err.Error()})
		}
	}
	if r.TypeReplies && text != "" {
		d.insertText(text, "reply")
	}
}

// requestText reads the text back from a stored request body (for events about queued items).
func requestText(body []byte) string {
	var r struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return ""
	}
	return r.Text
}

// outboxPayload is the queue's state for the UI.
func (d *Daemon) outboxPayload(ctx context.Context) (event.OutboxStatePayload, error) {
	st, err := d.tonny.queue.Stats(ctx)
	if err != nil {
		return event.OutboxStatePayload{}, err
	}
	return event.OutboxStatePayload{Pending: st.Pending, Failed: st.Failed, OldestAt: rfc3339(st.Oldest), Breaker: st.Breaker,
		RetryAt: rfc3339(st.RetryAt), Blocked: humanError(st.Blocked), LastError: humanError(st.LastErr)}, nil
}

// n8nService is Tonny's Dashboard card.
func (d *Daemon) n8nService(ob event.OutboxStatePayload) event.ServiceStatePayload {
	s := event.ServiceStatePayload{Service: "n8n", State: "ok", Detail: "ready"}
	if d.settings.Get().N8N.WebhookURL == "" {
		s.State, s.Detail = "unavailable", "not configured — set the webhook URL in Settings"
	}
	waiting := ""
	if ob.Pending > 0 {
		waiting = fmt.Sprintf("%d waiting; ", ob.Pending)
	}
	switch {
	case ob.Blocked != "":
		s.State, s.Detail = "down", waiting+ob.Blocked
	case ob.Breaker == "open" || (ob.Pending > 0 && ob.LastError != ""):
		s.State, s.Detail = "degraded", waiting+ob.LastError
	case ob.Failed > 0:
		s.State, s.Detail = "degraded", fmt.Sprintf("%d commands failed — retry or discard them in the outbox", ob.Failed)
	case ob.Pending > 0:
		s.Detail = fmt.Sprintf("sending %d", ob.Pending)
	}
	return s
}

// publishOutbox is the service that publishes the queue's state, at most four times a second (a drain after an
// outage changes it hundreds of times a second).
func (d *Daemon) publishOutbox(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.tonny.dirty:
		}
		if ob, err := d.outboxPayload(ctx); err == nil {
			d.bus.Publish(ob)
			d.bus.Publish(d.n8nService(ob))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// profileID is a profile's ID for a history row; nil when there is none.
func profileID(id uint) *uint {
	if id == 0 {
		return nil
	}
	return &id
}
