package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tonnytray/tonnytray/backend/bus/bustest"
	"github.com/tonnytray/tonnytray/backend/store"
)

// broker is the private RabbitMQ node of this test binary.
var broker *bustest.Broker

func TestMain(m *testing.M) {
	b, err := bustest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bus tests need a real RabbitMQ:", err)
		os.Exit(1)
	}
	broker = b
	code := m.Run()
	if err := b.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

const testHost = "testhost"

func config(exchange string) Config {
	return Config{URL: broker.URL(), Password: broker.Password, Exchange: exchange, Host: testHost}
}

func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "tonnytray.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// logBuffer is a slog sink the tests can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

// serve runs a publisher until the test ends; Serve must have returned before the store closes.
func serve(tb testing.TB, st *store.Store, cfg func() Config, log *slog.Logger, tune func(*Publisher)) *Publisher {
	tb.Helper()
	if log == nil {
		log = slog.New(slog.NewTextHandler(&logBuffer{}, nil))
	}
	p := New(st, cfg, nil, log)
	if tune != nil {
		tune(p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != context.Canceled {
				tb.Errorf("Serve returned %v", err)
			}
		case <-time.After(15 * time.Second):
			tb.Error("Serve did not return")
		}
	})
	return p
}

func fixed(c Config) func() Config { return func() Config { return c } }

// amqpChannel is a direct connection for the checks, independent of the code under test.
func amqpChannel(tb testing.TB) *amqp.Channel {
	tb.Helper()
	conn, err := amqp.Dial(broker.FullURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		tb.Fatal(err)
	}
	return ch
}

// boundQueue declares a durable queue bound to thread.tonny.# on exchange (declared when not amq.*).
func boundQueue(tb testing.TB, exchange string) string {
	tb.Helper()
	ch := amqpChannel(tb)
	if !strings.HasPrefix(exchange, "amq.") {
		if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
			tb.Fatal(err)
		}
	}
	name := "check." + strings.ReplaceAll(tb.Name(), "/", ".") + "." + exchange
	if _, err := ch.QueueDeclare(name, true, false, false, false, nil); err != nil {
		tb.Fatal(err)
	}
	if _, err := ch.QueuePurge(name, false); err != nil {
		tb.Fatal(err)
	}
	if err := ch.QueueBind(name, "thread.tonny.#", exchange, false, nil); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if ch, err := dialCheck(); err == nil {
			ch.QueueDelete(name, false, false, false)
			ch.Close()
		}
	})
	return name
}

func dialCheck() (*amqp.Channel, error) {
	conn, err := amqp.Dial(broker.FullURL())
	if err != nil {
		return nil, err
	}
	return conn.Channel()
}

// receive reads n messages from queue (acking them) within timeout.
func receive(tb testing.TB, queue string, n int, timeout time.Duration) []amqp.Delivery {
	tb.Helper()
	ch := amqpChannel(tb)
	msgs, err := ch.Consume(queue, "", true, false, false, false, nil)
	if err != nil {
		tb.Fatal(err)
	}
	var got []amqp.Delivery
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case d := <-msgs:
			got = append(got, d)
		case <-deadline:
			tb.Fatalf("received %d of %d messages", len(got), n)
		}
	}
	return got
}

// drain reads whatever arrives until the queue has been quiet for quiet.
func drain(tb testing.TB, queue string, quiet time.Duration) []amqp.Delivery {
	tb.Helper()
	ch := amqpChannel(tb)
	msgs, err := ch.Consume(queue, "", true, false, false, false, nil)
	if err != nil {
		tb.Fatal(err)
	}
	var got []amqp.Delivery
	for {
		select {
		case d := <-msgs:
			got = append(got, d)
		case <-time.After(quiet):
			return got
		}
	}
}

func eventually(tb testing.TB, timeout time.Duration, what string, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// (1) The seeds' events arrive in order with their keys, bodies and properties, on the default amq.topic.
func TestEventsArriveWithKeysBodiesAndProperties(t *testing.T) {
	queue := boundQueue(t, DefaultExchange)
	p := serve(t, openStore(t), fixed(config("")), nil, nil)
	events := []Event{
		Prompt(Who{Profile: "Kid One!", Role: "child", SafeMode: true}, "turn on the lights", "req-1"),
		SpeechStart(Who{Profile: "Kid One!", Role: "child", SafeMode: true}, "command"),
		SpeechEnd(Who{Profile: "Kid One!", Role: "child", SafeMode: true}, "turn on the lights", 1830),
		Conversation(Who{Profile: "Kid One!", Role: "child", SafeMode: true}, ConversationReply, "Done.", "req-1"),
	}
	ctx := context.Background()
	for _, e := range events {
		if err := p.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got := receive(t, queue, 4, 30*time.Second)
	keys := []string{"thread.tonny.prompt.kid_one_", "thread.tonny.speech_start", "thread.tonny.speech_end", "thread.tonny.conversation.reply"}
	types := []string{TypePrompt, TypeSpeechStart, TypeSpeechEnd, TypeConversation}
	for i, d := range got {
		if d.RoutingKey != keys[i] || d.Type != types[i] {
			t.Errorf("message %d: key %q type %q, want %q %q", i, d.RoutingKey, d.Type, keys[i], types[i])
		}
		if d.DeliveryMode != amqp.Persistent || d.AppId != "tonnytray" || d.ContentType != "application/json" || d.Timestamp.IsZero() {
			t.Errorf("message %d properties: mode %d app %q type %q ts %v", i, d.DeliveryMode, d.AppId, d.ContentType, d.Timestamp)
		}
		var body map[string]any
		if err := json.Unmarshal(d.Body, &body); err != nil {
			t.Fatal(err)
		}
		if d.MessageId != events[i].Body["id"] || body["id"] != d.MessageId {
			t.Errorf("message %d: message id %q, body id %v, want %v", i, d.MessageId, body["id"], events[i].Body["id"])
		}
		if body["version"] != 1.0 || body["host"] != testHost || body["profile"] != "Kid One!" || body["role"] != "child" || body["safe_mode"] != true || body["source"] != "tonnytray" {
			t.Errorf("message %d body: %v", i, body)
		}
		if _, err := time.Parse(time.RFC3339, body["timestamp"].(string)); err != nil || !strings.HasSuffix(body["timestamp"].(string), "Z") {
			t.Errorf("message %d timestamp %v", i, body["timestamp"])
		}
		// The event as received is valid against its own schema.
		if err := (Event{Key: d.RoutingKey, Type: d.Type, Body: body}).Validate(); err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	if b := string(got[2].Body); !strings.Contains(b, `"duration_ms":1830`) || !strings.Contains(b, `"text":"turn on the lights"`) {
		t.Errorf("speech_end body %s", b)
	}
	if b := string(got[3].Body); !strings.Contains(b, `"event":"reply"`) || !strings.Contains(b, `"request_id":"req-1"`) {
		t.Errorf("conversation body %s", b)
	}
}

// (2) Publish returns at once; Published counts confirmed events; an unroutable one is confirmed, counted as
// returned and not retried.
func TestConfirmsAndReturns(t *testing.T) {
	exchange := "tonny.events.confirms"
	queue := boundQueue(t, exchange)
	log := &logBuffer{}
	p := serve(t, openStore(t), fixed(config(exchange)), slog.New(slog.NewTextHandler(log, nil)), nil)
	eventually(t, 30*time.Second, "connected", func() bool { return p.State().State == StateConnected })
	const n = 50
	var slowest time.Duration
	for i := range n {
		start := time.Now()
		if err := p.Publish(context.Background(), SpeechEnd(Who{Profile: "a", Role: "adult"}, fmt.Sprint(i), int64(i))); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
	}
	t.Logf("slowest Publish: %v", slowest)
	eventually(t, 30*time.Second, "all confirmed", func() bool { s := p.State(); return s.Published == n && s.Pending == 0 })
	receive(t, queue, n, 10*time.Second)

	// No queue is bound for this key on a fresh exchange: the broker returns it, and it is not retried.
	unrouted := Event{Key: "nothing.bound.here", Type: TypeSpeechStart, Body: SpeechStart(Who{Profile: "a", Role: "adult"}, "dictation").Body}
	if err := p.Publish(context.Background(), unrouted); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "returned", func() bool { s := p.State(); return s.Returned == 1 && s.Published == n+1 && s.Pending == 0 })
	time.Sleep(500 * time.Millisecond)
	if s := p.State(); s.Published != n+1 || s.Returned != 1 {
		t.Errorf("after the return: %+v", s)
	}
	if !strings.Contains(log.String(), "unroutable") {
		t.Errorf("return not logged: %s", log.String())
	}
}

// (3) The broker restarts in the middle of 200 events: all arrive, in order, duplicates counted.
func TestBrokerRestartMidStream(t *testing.T) {
	exchange := "tonny.events.restart"
	queue := boundQueue(t, exchange)
	p := serve(t, openStore(t), fixed(config(exchange)), nil, func(p *Publisher) { p.maxBackoff = 2 * time.Second })
	eventually(t, 30*time.Second, "connected", func() bool { return p.State().State == StateConnected })
	const n = 200
	ids := make([]string, n)
	restarted := make(chan error, 1)
	for i := range n {
		e := Prompt(Who{Profile: "p", Role: "adult"}, fmt.Sprint(i), fmt.Sprint(i))
		ids[i] = e.Body["id"].(string)
		if err := p.Publish(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		if i == n/2 {
			go func() { restarted <- broker.Restart() }()
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	eventually(t, 90*time.Second, "all confirmed after the restart", func() bool { return p.State().Pending == 0 })
	got := drain(t, queue, 2*time.Second)
	index := map[string]int{}
	for i, id := range ids {
		index[id] = i
	}
	seen := map[string]bool{}
	dups, last := 0, -1
	for _, d := range got {
		i, ok := index[d.MessageId]
		if !ok {
			t.Fatalf("unknown message %q", d.MessageId)
		}
		if seen[d.MessageId] {
			dups++
			continue
		}
		seen[d.MessageId] = true
		if i < last {
			t.Errorf("event %d arrived after event %d", i, last)
		}
		last = i
	}
	if len(seen) != n {
		t.Errorf("%d of %d events arrived", len(seen), n)
	}
	t.Logf("%d events, %d distinct, %d duplicates (at-least-once across the restart); state %+v", len(got), len(seen), dups, p.State())
}

// (4) The broker is down at start: Publish returns at once, the state says why, Pending grows and survives
// an app restart; when the broker comes up, everything is delivered.
func TestBrokerDownAtStart(t *testing.T) {
	exchange := "tonny.events.down"
	queue := boundQueue(t, exchange)
	if err := broker.Stop(); err != nil {
		t.Fatal(err)
	}
	up := false
	t.Cleanup(func() {
		if !up {
			broker.Start()
		}
	})
	st := openStore(t)
	cfg := fixed(config(exchange))
	tune := func(p *Publisher) { p.maxBackoff = 2 * time.Second }

	ctx1, stop1 := context.WithCancel(context.Background())
	p1 := New(st, cfg, nil, nil)
	tune(p1)
	done1 := make(chan error, 1)
	go func() { done1 <- p1.Serve(ctx1) }()
	const n = 10
	for i := range n {
		start := time.Now()
		if err := p1.Publish(context.Background(), SpeechStart(Who{Profile: "p", Role: "adult"}, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Publish took %v with the broker down", d)
		}
	}
	eventually(t, 20*time.Second, "down", func() bool { return p1.State().State == StateDown && p1.State().Detail != "not started" })
	s := p1.State()
	if s.Pending != n || !strings.Contains(s.Detail, "no RabbitMQ at "+broker.Addr()+" — is it running?") {
		t.Errorf("state while down: %+v", s)
	}
	// The app restarts while the broker is down: the events are still there.
	stop1()
	<-done1
	p := serve(t, st, cfg, nil, tune)
	if s := p.State(); s.Pending != n {
		t.Errorf("after an app restart: %+v", s)
	}
	if err := broker.Start(); err != nil {
		t.Fatal(err)
	}
	up = true
	eventually(t, 60*time.Second, "drained", func() bool { s := p.State(); return s.Pending == 0 && s.State == StateConnected })
	got := receive(t, queue, n, 10*time.Second)
	for i, d := range got {
		var body map[string]any
		json.Unmarshal(d.Body, &body)
		if body["mode"] != fmt.Sprint(i) {
			t.Errorf("message %d has mode %v", i, body["mode"])
		}
	}
}

// (5) Wrong settings give the right sentence, quickly, from Test and in Serve's state, without a busy loop;
// the password never shows.
func TestWrongSettings(t *testing.T) {
	const secret = "S3cret-Pa55word-xyz"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := l.Addr().String()
	l.Close()
	good := config("")
	if err := amqpChannel(t).ExchangeDeclare("tonny.fanout", "fanout", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"bad password", Config{URL: good.URL, Password: secret}, "RabbitMQ refused the login for user tonny — check the user and the password in Settings"},
		{"unknown user", Config{URL: fmt.Sprintf("amqp://nobody@%s/tonny", broker.Addr()), Password: secret}, "RabbitMQ refused the login for user nobody"},
		{"unknown vhost", Config{URL: fmt.Sprintf("amqp://tonny@%s/x", broker.Addr()), Password: broker.Password}, "vhost /x does not exist"},
		{"no broker", Config{URL: "amqp://tonny@" + nobody + "/tonny", Password: secret}, "no RabbitMQ at " + nobody + " — is it running?"},
		{"password in URL", Config{URL: "amqp://tonny:" + secret + "@" + broker.Addr() + "/tonny"}, "must not contain a password"},
		{"not amqp", Config{URL: "http://" + broker.Addr()}, "must start with amqp://"},
		{"no host", Config{URL: "amqp:///tonny"}, "has no host"},
		{"bad exchange", Config{URL: good.URL, Password: secret, Exchange: "bad name"}, "exchange name"},
		{"exchange of another kind", Config{URL: good.URL, Password: broker.Password, Exchange: "tonny.fanout"}, "the exchange tonny.fanout exists with other settings"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			err := Test(context.Background(), c.cfg)
			took := time.Since(start)
			if c.want == "" {
				if err != nil {
					t.Fatalf("Test: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Test = %v, want %q", err, c.want)
			}
			if strings.Contains(fmt.Sprintf("%v %+v", err, err), secret) {
				t.Errorf("the password is in the error: %v", err)
			}
			if took > testTimeout+time.Second {
				t.Errorf("Test took %v", took)
			}
			t.Logf("%v (%v)", err, took.Round(time.Millisecond))
		})
	}
	if err := Test(context.Background(), config("")); err != nil {
		t.Fatalf("Test with good settings: %v", err)
	}

	// Serve with a wrong password: down with the sentence, retried with backoff, nothing logged with the secret.
	log := &logBuffer{}
	cfg := Config{URL: good.URL, Password: secret, Host: testHost}
	p := serve(t, openStore(t), fixed(cfg), slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
	if err := p.Publish(context.Background(), SpeechStart(Who{Profile: "p", Role: "adult"}, "x")); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "down", func() bool { return strings.Contains(p.State().Detail, "refused the login") })
	// Each refused login takes the broker ~3 s; then 1 s, 2 s, 4 s of backoff: no more than 3 tries in 8 s.
	a0 := p.attempts.Load()
	time.Sleep(8 * time.Second)
	if a := p.attempts.Load() - a0; a < 1 || a > 3 {
		t.Errorf("%d connection attempts in 8 s: want 1–3", a)
	}
	if s := p.State(); s.State != StateDown || s.Pending != 1 {
		t.Errorf("state %+v", s)
	}
	if strings.Contains(log.String(), secret) || strings.Contains(fmt.Sprint(p.State()), secret) {
		t.Errorf("the password leaked into the log or state:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "refused the login") {
		t.Errorf("the failure is not logged:\n%s", log.String())
	}
}

// Reconnect re-reads the settings: events go to the new exchange.
func TestReconnectReadsNewSettings(t *testing.T) {
	q1 := boundQueue(t, "tonny.events.one")
	var mu sync.Mutex
	cfg := config("tonny.events.one")
	get := func() Config { mu.Lock(); defer mu.Unlock(); return cfg }
	log := &logBuffer{}
	p := serve(t, openStore(t), get, slog.New(slog.NewTextHandler(log, nil)), nil)
	if err := p.Publish(context.Background(), SpeechStart(Who{Profile: "p", Role: "adult"}, "one")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("state %+v\n%s", p.State(), log.String())
		}
	})
	receive(t, q1, 1, 30*time.Second)

	two := boundQueue(t, "tonny.events.two")
	mu.Lock()
	cfg.Exchange = "tonny.events.two"
	mu.Unlock()
	p.Reconnect()
	eventually(t, 10*time.Second, "reconnected", func() bool { return p.State().State == StateConnected })
	if err := p.Publish(context.Background(), SpeechStart(Who{Profile: "p", Role: "adult"}, "two")); err != nil {
		t.Fatal(err)
	}
	d := receive(t, two, 1, 30*time.Second)
	if !strings.Contains(string(d[0].Body), `"mode":"two"`) {
		t.Errorf("got %s", d[0].Body)
	}
}

// (7) Subscribe receives what another connection publishes to thread.tonny.say.<host>.
func TestSubscribe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 10)
	var calls atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- Subscribe(ctx, config(""), SayKeys(testHost), func(key string, body []byte) {
			calls.Add(1)
			got <- key + " " + string(body)
		})
	}()
	ch := amqpChannel(t)
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond) // until the subscriber's queue is bound
	defer tick.Stop()
	for {
		select {
		case m := <-got:
			if m != "thread.tonny.say.testhost hello" {
				t.Fatalf("got %q", m)
			}
			cancel()
			if err := <-done; err != context.Canceled {
				t.Errorf("Subscribe returned %v", err)
			}
			return
		case <-tick.C:
			ch.Publish("amq.topic", "thread.tonny.say.testhost", false, false, amqp.Publishing{Body: []byte("hello")})
		case <-deadline:
			t.Fatal("nothing received")
		}
	}
}
