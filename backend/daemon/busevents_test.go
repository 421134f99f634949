package daemon

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tonnytray/tonnytray/backend/bus/bustest"
	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// TestUtteranceAndCommandEventsReachRabbitMQ runs a real broker: every step of an utterance and a command
// arrives on a bound queue in order with the seeds' keys; an announcement to this room is shown; a wrong
// password is a sentence on the card and in `test rabbitmq`.
func TestUtteranceAndCommandEventsReachRabbitMQ(t *testing.T) {
	broker, err := bustest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { broker.Close() })
	sim := startN8N(t, n8nsim.RespondJSON)
	d, h := tonnyDaemon(t, sim, func(s *settings.Settings) {
		s.RabbitMQ.Enabled, s.RabbitMQ.URL, s.RabbitMQ.Exchange, s.RabbitMQ.HostID = true, broker.URL(), "amq.topic", "kitchen"
		s.Response.Mode = "text"
	})
	if err := d.SetSecret("rabbitmq.password", broker.Password); err != nil { // reconnects with it
		t.Fatal(err)
	}

	conn, err := amqp.Dial(broker.FullURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(q.Name, "thread.tonny.#", "amq.topic", false, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for d.pub.State().State != "connected" {
		if time.Now().After(deadline) {
			t.Fatalf("publisher never connected: %+v", d.pub.State())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// One utterance and the command it became, as the pipeline and the outbox publish them.
	d.publishLive(event.ListeningStatePayload{State: "listening", Mode: "toggle"})
	d.publishLive(event.TranscriptFinalPayload{Text: "turn on the lights", Mode: "toggle", Timings: event.UtteranceTimings{FinalMs: 1200}})
	if _, err := d.SendCommand(context.Background(), "turn on the lights"); err != nil {
		t.Fatal(err)
	}
	want := []string{"thread.tonny.speech_start", "thread.tonny.speech_end", "thread.tonny.prompt.admin", "thread.tonny.conversation.reply"}
	for i, key := range want {
		select {
		case m := <-msgs:
			var body map[string]any
			if err := json.Unmarshal(m.Body, &body); err != nil {
				t.Fatal(err)
			}
			if m.RoutingKey != key || m.DeliveryMode != amqp.Persistent || m.AppId != "tonnytray" || body["host"] != "kitchen" ||
				body["profile"] != "Admin" || body["role"] != "admin" || body["safe_mode"] != false || body["version"] != float64(1) {
				t.Fatalf("event %d = %s %+v, want %s from kitchen for Admin", i, m.RoutingKey, body, key)
			}
			if key == "thread.tonny.conversation.reply" && body["text"] != "You said: turn on the lights" {
				t.Errorf("reply event text = %v", body["text"])
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("event %d (%s) never arrived", i, key)
		}
	}

	// Another room speaks here.
	notices := d.Bus().Subscribe(16, event.Notice)
	defer notices.Close()
	if err := ch.PublishWithContext(context.Background(), "amq.topic", "thread.tonny.say.kitchen", false, false,
		amqp.Publishing{ContentType: "application/json", Body: []byte(`{"text":"Dinner is ready","from":"living room"}`)}); err != nil {
		t.Fatal(err)
	}
	for got := false; !got; {
		select {
		case ev := <-notices.C:
			n := ev.Payload.(event.NoticePayload)
			got = n.Title == "Announcement from living room" && n.Message == "Dinner is ready"
		case <-time.After(30 * time.Second):
			t.Fatal("the announcement was not shown")
		}
	}

	// A wrong password: a sentence, and nothing else breaks.
	if err := d.SetSecret("rabbitmq.password", "wrong-password-9"); err != nil {
		t.Fatal(err)
	}
	var verdict BusTest
	if err := control.Call(context.Background(), h.socket, "test-rabbitmq", nil, &verdict); err != nil {
		t.Fatal(err)
	}
	if verdict.OK || !strings.Contains(verdict.Message, "refused the login") || strings.Contains(verdict.Message, "wrong-password-9") {
		t.Fatalf("test rabbitmq with a wrong password = %+v", verdict)
	}
	for d.pub.State().State == "connected" { // the new password made it reconnect
		if time.Now().After(deadline.Add(60 * time.Second)) {
			t.Fatal("still connected with a wrong password")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if card := busService(d.pub.State()); card.State == "ok" || strings.Contains(card.Detail, "wrong-password-9") {
		t.Fatalf("RabbitMQ card = %+v", card)
	}
	if _, err := d.SendCommand(context.Background(), "still works"); err != nil {
		t.Fatalf("the voice path broke with the broker refusing: %v", err)
	}
}
