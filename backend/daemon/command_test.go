package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/pipeline"
	"github.com/tonnytray/tonnytray/backend/settings"
	"github.com/tonnytray/tonnytray/backend/store"
)

const (
	testAuthHeader = "X-Tonny-Key"
	testAuthValue  = "tonny-webhook-key-8f3a"
	testSignSecret = "tonny-signing-secret-21c9"
)

// startN8N starts the n8n simulator with header auth and signatures, as a careful admin would set it up.
func startN8N(t testing.TB, b n8nsim.Behaviour) *n8nsim.Sim {
	t.Helper()
	sim, err := n8nsim.Start(n8nsim.Config{AuthHeader: testAuthHeader, AuthValue: testAuthValue, SignSecret: testSignSecret, Behaviour: b})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// tonnyDaemon starts a daemon pointed at sim, with its keys in the keychain.
func tonnyDaemon(t testing.TB, sim *n8nsim.Sim, change func(*settings.Settings)) (*Daemon, *harness) {
	t.Helper()
	h := newHarness(t)
	h.configure(t, func(s *settings.Settings) {
		s.N8N.WebhookURL, s.N8N.AuthHeaderName, s.N8N.SignRequests = sim.URL(), testAuthHeader, true
		if change != nil {
			change(s)
		}
	})
	d, _ := h.start(t)
	for k, v := range map[string]string{"n8n.auth": testAuthValue, "n8n.hmac": testSignSecret} {
		if err := d.SetSecret(k, v); err != nil {
			t.Fatal(err)
		}
	}
	return d, h
}

// commandStates collects command:state events.
type commandStates struct{ sub *event.Subscription }

func watchCommands(t *testing.T, d *Daemon) commandStates {
	sub := d.Bus().Subscribe(1024, event.CommandState)
	t.Cleanup(sub.Close)
	return commandStates{sub}
}

// until waits (bounded) for a state of command id that satisfies ok.
func (c commandStates) until(t *testing.T, id string, ok func(event.CommandStatePayload) bool) event.CommandStatePayload {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-c.sub.C:
			if p := ev.Payload.(event.CommandStatePayload); p.ID == id && ok(p) {
				return p
			}
		case <-timeout:
			t.Fatalf("command %s: no matching state within 20 s", id)
		}
	}
}

// settled is the first state after "sending": what the attempt came to.
func settled(p event.CommandStatePayload) bool { return p.Status != "queued" && p.Status != "sending" }

func TestCommandReachesTonnyAndTheReplyComesBack(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(t, sim, nil)
	states := watchCommands(t, d)

	res, err := d.SendCommand(context.Background(), "  turn on the lights ")
	if err != nil {
		t.Fatal(err)
	}
	got := states.until(t, res.ID, settled)
	if got.Status != "delivered" || got.Reply != "You said: turn on the lights" || got.Attempts != 1 || !got.Speak {
		t.Fatalf("state = %+v, want delivered with the workflow's reply", got)
	}
	if last := d.LastCommand(); last.ID != res.ID || last.Reply != got.Reply || last.Text != "turn on the lights" {
		t.Errorf("LastCommand = %+v", last)
	}

	rec := sim.Received()
	if len(rec) != 1 || rec[0].ID != res.ID || rec[0].IdempotencyKey != res.ID {
		t.Fatalf("simulator received %+v, want one request with id and Idempotency-Key %s", rec, res.ID)
	}
	var body map[string]any
	if err := json.Unmarshal(rec[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	for k, want := range map[string]any{"text": "turn on the lights", "source": "tonnytray", "mode": "command", "profile": "Admin",
		"role": "admin", "safe_mode": false, "speaker": nil, "host": host} {
		if body[k] != want {
			t.Errorf("request %s = %#v, want %#v", k, body[k], want)
		}
	}
	if ts, _ := body["timestamp"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %q is not RFC 3339 UTC", ts)
	}

	var conv store.Conversation
	if err := d.store.DB().Where("request_id = ?", res.ID).Take(&conv).Error; err != nil {
		t.Fatal(err)
	}
	if conv.Status != "delivered" || conv.Reply != got.Reply || conv.Attempts != 1 || conv.Request != string(rec[0].Body) || !strings.Contains(conv.ReplyRaw, `"speak":true`) {
		t.Errorf("conversation = %+v", conv)
	}
	waitOutbox(t, d, func(v OutboxView) bool { return v.State.Pending == 0 && len(v.Items) == 0 })
	if _, err := d.SendCommand(context.Background(), "   "); !errors.Is(err, ErrEmptyCommand) {
		t.Errorf("empty command: %v, want ErrEmptyCommand", err)
	}
}

func waitOutbox(t *testing.T, d *Daemon, ok func(OutboxView) bool) OutboxView {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, err := d.Outbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox never reached the expected state; last %+v", v.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEveryAnswerReachesTheUser sends one command per kind of answer n8n gives and checks what the user sees:
// the command's state and sentence, the outbox and the Dashboard card.
func TestEveryAnswerReachesTheUser(t *testing.T) {
	cases := []struct {
		name      string
		behaviour n8nsim.Behaviour
		wrongKey  bool
		down      bool
		status    string // the command's state after the first attempt
		message   string // in the sentence shown
		service   string // the n8n card's state
	}{
		{"reply", n8nsim.RespondJSON, false, false, "delivered", "", "ok"},
		{"202 accepted", n8nsim.Accepted, false, false, "accepted", "", "ok"},
		{"204 no content", n8nsim.NoContent, false, false, "accepted", "", "ok"},
		{"respond immediately", n8nsim.Immediately, false, false, "retrying", "Using 'Respond to Webhook' node", "degraded"},
		{"empty 200", n8nsim.EmptyBody, false, false, "retrying", "200 with an empty body", "degraded"},
		{"plain text 200", n8nsim.PlainText, false, false, "retrying", `return JSON with a "text" field`, "degraded"},
		{"workflow error 500", n8nsim.WorkflowError, false, false, "retrying", "n8n answered 500", "degraded"},
		{"workflow not started 500", n8nsim.StartError, false, false, "retrying", "n8n answered 500", "degraded"},
		{"404 not registered", n8nsim.NotRegistered, false, false, "blocked", "the webhook is not registered", "down"},
		{"403 wrong key", n8nsim.RespondJSON, true, false, "blocked", "answered 403 — check the webhook key", "down"},
		{"webhook down", n8nsim.RespondJSON, false, true, "retrying", "no connection to the server", "degraded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := startN8N(t, tc.behaviour)
			d, _ := tonnyDaemon(t, sim, nil)
			if tc.wrongKey {
				if err := d.SetSecret("n8n.auth", "an-old-key"); err != nil {
					t.Fatal(err)
				}
			}
			if tc.down {
				if err := sim.SetDown(true); err != nil {
					t.Fatal(err)
				}
			}
			states := watchCommands(t, d)
			notices := d.Bus().Subscribe(64, event.Notice)
			defer notices.Close()

			res, err := d.SendCommand(context.Background(), "what is the weather")
			if err != nil {
				t.Fatal(err)
			}
			got := states.until(t, res.ID, settled)
			if got.Status != tc.status || !strings.Contains(got.Message, tc.message) {
				t.Fatalf("state %q %q, want %q containing %q", got.Status, got.Message, tc.status, tc.message)
			}
			if strings.Contains(got.Message, testAuthValue) || strings.Contains(got.Message, "an-old-key") {
				t.Fatal("a key reached the UI")
			}
			delivered := tc.status == "delivered" || tc.status == "accepted"
			v := waitOutbox(t, d, func(v OutboxView) bool {
				return delivered == (v.State.Pending == 0) && (delivered || v.State.LastError != "")
			})
			if !delivered && (len(v.Items) != 1 || v.Items[0].Text != "what is the weather" || v.Items[0].Attempts < 1) {
				t.Errorf("outbox items = %+v, want the command waiting with its attempt counted", v.Items)
			}
			if tc.status == "blocked" && !strings.Contains(v.State.Blocked, tc.message) {
				t.Errorf("outbox blocked = %q, want the reason", v.State.Blocked)
			}
			snap, err := d.Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(snap.Services, func(s ServiceStatus) bool { return s.Service == "n8n" })
			if i < 0 || snap.Services[i].State != tc.service {
				t.Errorf("n8n card = %+v, want state %q", snap.Services, tc.service)
			}
			if tc.status == "blocked" {
				select {
				case ev := <-notices.C:
					if n := ev.Payload.(event.NoticePayload); n.Level != "error" || !strings.Contains(n.Message, tc.message) {
						t.Errorf("notice = %+v", n)
					}
				case <-time.After(10 * time.Second):
					t.Error("no notice while commands are paused")
				}
			}
		})
	}
}

func TestFixingTheKeyResumesPausedCommandsInOrder(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(t, sim, nil)
	if err := d.SetSecret("n8n.auth", "wrong"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, text := range []string{"one", "two", "three"} {
		res, err := d.SendCommand(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ID)
	}
	waitOutbox(t, d, func(v OutboxView) bool { return v.State.Blocked != "" && v.State.Pending == 3 })
	if len(sim.Received()) != 0 {
		t.Fatal("requests with a wrong key were recorded as accepted")
	}
	if err := d.SetSecret("n8n.auth", testAuthValue); err != nil { // the user fixes the key in Settings
		t.Fatal(err)
	}
	waitOutbox(t, d, func(v OutboxView) bool { return v.State.Pending == 0 && v.State.Blocked == "" })
	var got []string
	for _, r := range sim.Received() {
		got = append(got, r.ID)
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("delivered %v, want %v in order", got, ids)
	}
}

func TestOutageQueuesAndRetryNowDrainsInOrder(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	d, h := tonnyDaemon(t, sim, nil)
	if err := sim.SetDown(true); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 20 {
		var res event.CommandStatePayload
		// Through the control socket, as `tonnytray send --no-wait` does.
		if err := control.Call(context.Background(), h.socket, "send", map[string]any{"text": "command " + string(rune('a'+i))}, &res); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.ID)
	}
	waitOutbox(t, d, func(v OutboxView) bool {
		return v.State.Pending == 20 && v.State.LastError != "" && v.State.OldestAt != ""
	})
	if err := sim.SetDown(false); err != nil {
		t.Fatal(err)
	}
	var v OutboxView
	if err := control.Call(context.Background(), h.socket, "outbox", map[string]any{"action": "retry"}, &v); err != nil {
		t.Fatal(err)
	}
	waitOutbox(t, d, func(v OutboxView) bool { return v.State.Pending == 0 })
	var got []string
	for _, r := range sim.Received() {
		got = append(got, r.ID)
		if n := sim.Count(r.ID); n != 1 {
			t.Errorf("%s arrived %d times", r.ID, n)
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("delivered %v, want %v in order", got, ids)
	}
	// Every conversation ends delivered with its reply.
	var n int64
	d.store.DB().Model(&store.Conversation{}).Where("status = ? AND reply LIKE ?", "delivered", "You said: command %").Count(&n)
	if n != 20 {
		t.Errorf("%d delivered conversations, want 20", n)
	}
}

func TestSendAndTestOverTheControlSocket(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	_, h := tonnyDaemon(t, sim, nil)
	var st event.CommandStatePayload
	if err := control.Call(context.Background(), h.socket, "send", map[string]any{"text": "hello Tonny", "wait": true}, &st); err != nil {
		t.Fatal(err)
	}
	if st.Status != "delivered" || st.Reply != "You said: hello Tonny" {
		t.Fatalf("send --wait = %+v", st)
	}
	var v N8NTest
	if err := control.Call(context.Background(), h.socket, "test-n8n", nil, &v); err != nil {
		t.Fatal(err)
	}
	if !v.OK || v.Class != "reply" || v.Status != 200 || v.Reply != "You said: TonnyTray connection test" {
		t.Fatalf("test n8n = %+v", v)
	}
	if last := sim.Received(); !strings.Contains(string(last[len(last)-1].Body), `"mode":"test"`) {
		t.Errorf("the connection test was not marked mode test: %s", last[len(last)-1].Body)
	}
	sim.SetBehaviour(n8nsim.NotRegistered)
	if err := control.Call(context.Background(), h.socket, "test-n8n", nil, &v); err != nil {
		t.Fatal(err)
	}
	if v.OK || v.Class != "not_found" || v.Status != 404 || !strings.Contains(v.Message, "activate the workflow") {
		t.Fatalf("test n8n against an inactive workflow = %+v", v)
	}
	var ob OutboxView
	err := control.Call(context.Background(), h.socket, "outbox", map[string]any{"action": "discard", "id": 999}, &ob)
	if err == nil || !strings.Contains(err.Error(), "no such outbox item") {
		t.Fatalf("discarding an unknown item: %v", err)
	}
}

func TestUtterancesAreRoutedBySpokenPrefix(t *testing.T) {
	if xErr != nil {
		t.Fatalf("this test needs a private X display: %v", xErr)
	}
	xclip, err := exec.LookPath("xclip")
	if err != nil {
		t.Fatalf("this test needs xclip (apt-get install xclip): %v", err)
	}
	sim := startN8N(t, n8nsim.RespondJSON)
	bin := t.TempDir()
	if err := os.Symlink(xclip, filepath.Join(bin, "xclip")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin) // a clipboard but no typing tool: dictation must fail loudly and keep the text
	d, _ := tonnyDaemon(t, sim, func(s *settings.Settings) {
		s.General.CommandPrefix, s.General.DefaultRoute, s.Typing.Enabled = "Computer", "dictation", true
	})
	states := watchCommands(t, d)
	dictation := d.Bus().Subscribe(8, event.Dictation)
	defer dictation.Close()
	notices := d.Bus().Subscribe(8, event.Notice)
	defer notices.Close()

	d.utteranceDone(pipeline.Utterance{Text: "Computer, turn on the lights.", Mode: "toggle", Speakers: []int{2}})
	var sent event.CommandStatePayload
	select {
	case ev := <-states.sub.C:
		sent = ev.Payload.(event.CommandStatePayload)
	case <-time.After(10 * time.Second):
		t.Fatal("a prefixed utterance was not sent to Tonny")
	}
	if sent.Text != "turn on the lights." {
		t.Errorf("command text %q, want the prefix stripped", sent.Text)
	}
	got := states.until(t, sent.ID, settled)
	if got.Status != "delivered" {
		t.Fatalf("routed command: %+v", got)
	}
	var body map[string]any
	_ = json.Unmarshal(sim.Received()[0].Body, &body)
	if body["speaker"] != float64(2) {
		t.Errorf("speaker = %v, want 2", body["speaker"])
	}
	var row store.Transcription
	if err := d.store.DB().Order("id desc").Take(&row).Error; err != nil || row.Route != "command" {
		t.Errorf("history row = %+v, %v; want route command", row, err)
	}
	var conv store.Conversation
	if err := d.store.DB().Where("request_id = ?", sent.ID).Take(&conv).Error; err != nil || conv.TranscriptionID == nil || *conv.TranscriptionID != row.ID {
		t.Errorf("conversation not linked to its utterance: %+v, %v", conv, err)
	}

	d.utteranceDone(pipeline.Utterance{Text: "dear grandma comma thank you", Mode: "toggle"})
	select {
	case ev := <-dictation.C:
		p := ev.Payload.(event.DictationPayload)
		if p.Status != "failed" || p.Text != "dear grandma, thank you" || !p.OnClipboard || !strings.Contains(p.Message, "clipboard") {
			t.Errorf("dictation = %+v, want a failure that kept the post-processed text on the clipboard", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no dictation result")
	}
	select {
	case ev := <-notices.C:
		if n := ev.Payload.(event.NoticePayload); n.Title != "Dictation" || n.Level != "error" {
			t.Errorf("notice = %+v", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a failed insertion raised no notice")
	}
	if out, err := exec.Command(xclip, "-selection", "clipboard", "-o").Output(); err != nil || string(out) != "dear grandma, thank you" {
		t.Errorf("clipboard = %q, %v; want the dictated text", out, err)
	}
	if len(sim.Received()) != 1 {
		t.Errorf("dictation reached Tonny: %d requests", len(sim.Received()))
	}

	// `tonnytray listen` only transcribes.
	d.utteranceDone(pipeline.Utterance{Text: "Computer, order pizza", Mode: "toggle", Hint: pipeline.RouteNone})
	var last store.Transcription
	if err := d.store.DB().Order("id desc").Take(&last).Error; err != nil || last.Route != "none" || last.Text != "Computer, order pizza" {
		t.Errorf("listen-only row = %+v, %v", last, err)
	}
	if len(sim.Received()) != 1 {
		t.Errorf("a listen-only utterance reached Tonny")
	}
}

// refuseCommands is a policy that lets nothing through to Tonny, with a plain error: any policy error refuses.
type refuseCommands struct{}

func (refuseCommands) Check(_ context.Context, d pipeline.Decision) (pipeline.Decision, error) {
	if d.Route == pipeline.RouteCommand {
		return d, errors.New("commands are not allowed for this profile")
	}
	return d, nil
}

func TestPolicyRefusalNeverReachesTheOutbox(t *testing.T) {
	sim := startN8N(t, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(t, sim, func(s *settings.Settings) { s.General.DefaultRoute = "command" })
	d.policy = refuseCommands{}
	notices := d.Bus().Subscribe(8, event.Notice)
	defer notices.Close()
	d.utteranceDone(pipeline.Utterance{Text: "buy a pony", Mode: "toggle"})
	select {
	case ev := <-notices.C:
		if n := ev.Payload.(event.NoticePayload); n.Title != "Not allowed" || !strings.Contains(n.Message, "not allowed") {
			t.Errorf("notice = %+v", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a refusal raised no notice")
	}
	if v := waitOutbox(t, d, func(OutboxView) bool { return true }); v.State.Pending != 0 || len(sim.Received()) != 0 {
		t.Fatalf("a refused command was queued or sent: %+v", v.State)
	}
}
