package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8n"
	"github.com/tonnytray/tonnytray/backend/profile"
)

// OutboxView is the outbox for the UI and `tonnytray outbox`: its state and the waiting commands.
type OutboxView struct {
	State event.OutboxStatePayload `json:"state"`
	Items []OutboxEntry            `json:"items"`
}

// OutboxEntry is one waiting command.
type OutboxEntry struct {
	ID            uint64 `json:"id"`
	RequestID     string `json:"requestId"`
	Text          string `json:"text"`
	Status        string `json:"status"` // pending | failed
	Attempts      int    `json:"attempts"`
	LastError     string `json:"lastError"`
	CreatedAt     string `json:"createdAt"`
	NextAttemptAt string `json:"nextAttemptAt"`
}

// outboxListLimit bounds a listing; the counts in State cover the rest.
const outboxListLimit = 200

// Outbox lists the commands waiting for Tonny.
func (d *Daemon) Outbox(ctx context.Context) (OutboxView, error) {
	st, err := d.outboxPayload(ctx)
	if err != nil {
		return OutboxView{}, err
	}
	list, err := d.tonny.queue.List(ctx, outboxListLimit)
	if err != nil {
		return OutboxView{}, err
	}
	v := OutboxView{State: st, Items: make([]OutboxEntry, len(list))}
	for i, e := range list {
		v.Items[i] = OutboxEntry{ID: e.ID, RequestID: e.RequestID, Text: requestText(e.Payload), Status: e.Status, Attempts: e.Attempts,
			LastError: e.LastError, CreatedAt: rfc3339(e.CreatedAt), NextAttemptAt: rfc3339(e.NextAttemptAt)}
	}
	return v, nil
}

// RetryOutbox tries the waiting commands now (id 0 = all, else that failed one), closing the circuit.
func (d *Daemon) RetryOutbox(ctx context.Context, id uint64) error {
	d.component("n8n").Info("outbox retry requested", "item", id)
	return d.tonny.queue.RetryNow(ctx, id)
}

// DiscardOutbox drops one waiting command for good. It may be someone else's, so only an admin may.
func (d *Daemon) DiscardOutbox(ctx context.Context, id uint64) error {
	if err := d.authorize(profile.ActionSettings); err != nil {
		return err
	}
	return d.tonny.queue.Discard(ctx, id)
}

// N8NTest is the verdict of one round trip to the webhook.
type N8NTest struct {
	OK        bool   `json:"ok"`
	Class     string `json:"class"` // "reply", "accepted" or an n8n error class
	Status    int    `json:"status"`
	Message   string `json:"message"`
	Reply     string `json:"reply"`
	LatencyMs int64  `json:"latencyMs"`
}

// TestN8N makes one round trip to the webhook with a test request (mode "test"), outside the outbox.
func (d *Daemon) TestN8N(ctx context.Context) N8NTest {
	c, err := d.n8nClient()
	if err != nil {
		return testVerdict(err)
	}
	who := d.identity()
	host, _ := os.Hostname()
	req := n8n.Request{ID: uuid.NewString(), Timestamp: time.Now().UTC(), Text: "TonnyTray connection test", Source: "tonnytray",
		Mode: "test", Profile: who.Profile, Role: who.Role, SafeMode: who.SafeMode, Host: host}
	body, err := req.Body()
	if err != nil {
		return testVerdict(err)
	}
	reply, err := c.Post(ctx, req.ID, body)
	if err != nil {
		v := testVerdict(err)
		d.component("n8n").Warn("connection test failed", "class", v.Class, "err", err)
		return v
	}
	v := N8NTest{OK: true, Class: "reply", Status: reply.Status, Reply: reply.Text, LatencyMs: reply.Latency.Milliseconds(),
		Message: fmt.Sprintf("Tonny answered in %d ms.", reply.Latency.Milliseconds())}
	if reply.Accepted {
		v.Class, v.Message = "accepted", fmt.Sprintf("n8n accepted the request (HTTP %d) in %d ms but sends no reply: Tonny will not answer.", reply.Status, reply.Latency.Milliseconds())
	}
	d.component("n8n").Info("connection test passed", "status", reply.Status, "latency_ms", v.LatencyMs)
	return v
}

func testVerdict(err error) N8NTest {
	v := N8NTest{Class: "error", Message: humanError(err)}
	var ne *n8n.Error
	if errors.As(err, &ne) {
		v.Class, v.Status = string(ne.Class), ne.Status
	}
	return v
}

// finalCommand says whether a command state ends the CLI's wait: delivered, or known not to arrive soon.
func finalCommand(status string) bool {
	switch status {
	case "delivered", "accepted", "failed", "discarded", "retrying", "blocked":
		return true
	}
	return false
}

// registerCommandControl adds `send`, `test-n8n` and `outbox` to the control socket. `send` takes a text, or
// the name of one of the active profile's quick actions (`tonnytray action NAME`).
func (d *Daemon) registerCommandControl() {
	d.control.Handle("send", func(ctx context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Text   string `json:"text"`
			Action string `json:"action"`
			Wait   bool   `json:"wait"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "send: bad arguments"}
		}
		states := d.bus.Subscribe(64, event.CommandState)
		defer states.Close()
		var res CommandResult
		var err error
		if a.Action != "" {
			res, err = d.RunQuickAction(ctx, a.Action)
		} else {
			res, err = d.SendCommand(ctx, a.Text)
		}
		if err != nil {
			return nil, remoteProfileError(err)
		}
		last := event.CommandStatePayload{ID: res.ID, Text: a.Text, Status: res.Status}
		if !a.Wait {
			return last, nil
		}
		// The reply timeout bounds the attempt; a little more covers the queue ahead of it.
		limit := time.After(time.Duration(d.settings.Get().N8N.ReplyTimeoutS+5) * time.Second)
		for {
			select {
			case ev := <-states.C:
				if p, ok := ev.Payload.(event.CommandStatePayload); ok && p.ID == res.ID {
					last = p
					if finalCommand(p.Status) {
						return last, nil
					}
				}
			case <-limit:
				return last, nil
			case <-ctx.Done():
				return last, nil
			}
		}
	})
	d.control.Handle("test-n8n", func(ctx context.Context, _ json.RawMessage) (any, error) {
		return d.TestN8N(ctx), nil
	})
	d.control.Handle("outbox", func(ctx context.Context, args json.RawMessage) (any, error) {
		var a struct {
			Action string `json:"action"`
			ID     uint64 `json:"id"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "outbox: bad arguments"}
		}
		switch a.Action {
		case "", "list":
		case "retry":
			if err := d.RetryOutbox(ctx, a.ID); err != nil {
				return nil, err
			}
		case "discard":
			if a.ID == 0 {
				return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "outbox discard: give the item's number (see `tonnytray outbox`)"}
			}
			if err := d.DiscardOutbox(ctx, a.ID); err != nil {
				return nil, remoteProfileError(err)
			}
		default:
			return nil, &control.RemoteError{Code: control.CodeBadRequest, Message: "outbox: action must be list, retry or discard"}
		}
		return d.Outbox(ctx)
	})
}
