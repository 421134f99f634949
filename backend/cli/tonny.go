package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/event"
)

// errQueued ends `send` with ExitQueued: the command is safe in the outbox but Tonny has not answered.
type errQueued struct{ msg string }

func (e errQueued) Error() string { return e.msg }

// send hands a command (or, for `action`, a quick action's name) to the running instance and waits for the
// reply (unless --no-wait).
func send(ctx context.Context, cmd Command, env ClientEnv) error {
	// The instance bounds its own wait by the reply timeout; this only guards against a hung socket.
	ctx, cancel := context.WithTimeout(ctx, 11*time.Minute)
	defer cancel()
	args := map[string]any{"text": cmd.Text, "wait": !cmd.NoWait}
	if cmd.Name == CmdAction {
		args = map[string]any{"action": cmd.Text, "wait": !cmd.NoWait}
	}
	var st event.CommandStatePayload
	if err := control.Call(ctx, env.Socket, "send", args, &st); err != nil {
		return err
	}
	if cmd.JSON {
		if err := printJSON(env.Out, st); err != nil {
			return err
		}
	}
	switch st.Status {
	case "delivered":
		if !cmd.JSON {
			fmt.Fprintln(env.Out, st.Reply)
		}
		return nil
	case "accepted":
		if !cmd.JSON {
			fmt.Fprintln(env.Err, "delivered; the workflow sends no reply")
		}
		return nil
	case "failed", "discarded":
		return fmt.Errorf("not delivered: %s", st.Message)
	}
	msg := "queued: it will be delivered when Tonny is reachable (see tonnytray outbox)"
	if st.Message != "" {
		msg = "queued — " + st.Message + " (see tonnytray outbox)"
	}
	return errQueued{msg}
}

// testService runs `test n8n` or `test rabbitmq` through the running instance, or in-process when none runs.
func testService(ctx context.Context, cmd Command, env ClientEnv) (bool, error) {
	if cmd.Action == "rabbitmq" {
		var v daemon.BusTest
		if err := withBackend(ctx, env, "test-rabbitmq", nil, &v, func(d *daemon.Daemon) (any, error) { return d.TestRabbitMQ(ctx), nil }); err != nil {
			return false, err
		}
		if cmd.JSON {
			return v.OK, printJSON(env.Out, v)
		}
		mark := "✓"
		if !v.OK {
			mark = "✗"
		}
		fmt.Fprintf(env.Out, "%s rabbitmq: %s\n", mark, v.Message)
		return v.OK, nil
	}
	return testN8N(ctx, cmd, env)
}

// publish sends a hand-made event through the running instance's publisher.
func publish(ctx context.Context, cmd Command, env ClientEnv) error {
	var body map[string]any
	if err := json.Unmarshal([]byte(cmd.Text), &body); err != nil || body == nil {
		return fmt.Errorf("%w: publish: the body must be one JSON object (%v)", ErrUsage, err)
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if err := control.Call(ctx, env.Socket, "publish", map[string]any{"key": cmd.Key, "body": body}, nil); err != nil {
		return err
	}
	fmt.Fprintln(env.Err, "published (stored; the broker gets it as soon as it is connected)")
	return nil
}

// testN8N runs one round trip to the webhook through the running instance, or in-process when none runs.
func testN8N(ctx context.Context, cmd Command, env ClientEnv) (bool, error) {
	var v daemon.N8NTest
	err := withBackend(ctx, env, "test-n8n", nil, &v, func(d *daemon.Daemon) (any, error) { return d.TestN8N(ctx), nil })
	if err != nil {
		return false, err
	}
	if cmd.JSON {
		return v.OK, printJSON(env.Out, v)
	}
	mark := "✓"
	if !v.OK {
		mark = "✗"
	}
	fmt.Fprintf(env.Out, "%s n8n: %s\n", mark, v.Message)
	if v.Reply != "" {
		fmt.Fprintf(env.Out, "  reply: %s\n", v.Reply)
	}
	return v.OK, nil
}

// outbox lists, retries or discards the commands waiting for Tonny.
func outbox(ctx context.Context, cmd Command, env ClientEnv) error {
	var v daemon.OutboxView
	args := map[string]any{"action": cmd.Action, "id": cmd.ID}
	err := withBackend(ctx, env, "outbox", args, &v, func(d *daemon.Daemon) (any, error) {
		switch cmd.Action {
		case "retry":
			if err := d.RetryOutbox(ctx, cmd.ID); err != nil {
				return nil, err
			}
		case "discard":
			if err := d.DiscardOutbox(ctx, cmd.ID); err != nil {
				return nil, err
			}
		}
		return d.Outbox(ctx)
	})
	if err != nil {
		return err
	}
	if cmd.JSON {
		return printJSON(env.Out, v)
	}
	switch cmd.Action {
	case "retry":
		fmt.Fprintln(env.Err, "retrying now")
	case "discard":
		fmt.Fprintf(env.Err, "discarded item %d\n", cmd.ID)
	}
	s := v.State
	fmt.Fprintf(env.Out, "outbox: %d waiting, %d failed; circuit %s\n", s.Pending, s.Failed, s.Breaker)
	for _, line := range []string{s.Blocked, s.LastError} {
		if line != "" {
			fmt.Fprintf(env.Out, "  %s\n", line)
			break
		}
	}
	for _, it := range v.Items {
		fmt.Fprintf(env.Out, "%6d  %-7s  %s  tries %d  %q\n", it.ID, it.Status, shortTime(it.CreatedAt), it.Attempts, clip(it.Text, 60))
	}
	return nil
}

func shortTime(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		return rfc
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n-1])) + "…"
	}
	return s
}

// speak says text through the running instance's player, or on its own when none runs; or lists the voices.
func speak(ctx context.Context, cmd Command, env ClientEnv) error {
	if cmd.ListVoices {
		var voices []daemon.VoiceInfo
		if err := withBackend(ctx, env, "voices", nil, &voices, func(d *daemon.Daemon) (any, error) { return d.VoiceList(ctx) }); err != nil {
			return err
		}
		if cmd.JSON {
			return printJSON(env.Out, voices)
		}
		for _, v := range voices {
			fmt.Fprintf(env.Out, "%-22s  %-20s  %-10s  %s\n", v.ID, v.Name, v.Category, v.Description)
		}
		return nil
	}
	// Speaking takes as long as the text; the instance bounds its own wait.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	err := control.Call(ctx, env.Socket, "tts", map[string]string{"text": cmd.Text}, nil)
	if !errors.Is(err, control.ErrNotRunning) {
		return err
	}
	var res struct{}
	return withBackend(ctx, env, "tts", map[string]string{"text": cmd.Text}, &res, func(d *daemon.Daemon) (any, error) {
		return struct{}{}, d.SpeakStandalone(ctx, cmd.Text)
	})
}
