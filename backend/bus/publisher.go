package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tonnytray/tonnytray/backend/outbox"
	"github.com/tonnytray/tonnytray/backend/store"
)

// Target is the publisher's queue name in the outbox table.
const Target = "bus"

// Connection states.
const (
	StateDisabled   = "disabled"   // no URL set
	StateConnecting = "connecting" // dialling
	StateConnected  = "connected"  // publishing
	StateDown       = "down"       // not connected; Detail says why; events wait in the store
)

// State is the publisher at a glance.
type State struct {
	State     string
	Detail    string // why it is down, in a sentence for the user
	Pending   int64  // events stored and not yet confirmed (they wait while the broker is down)
	Published uint64 // events the broker confirmed since start
	Returned  uint64 // of those, events no queue was bound for (logged, not retried)
}

// Publisher publishes stored events. Make it with New, run Serve, call Publish from anywhere.
type Publisher struct {
	cfg     func() Config
	onState func(State)
	log     *slog.Logger
	q       *outbox.Queue

	reconnect chan struct{}
	notify    chan struct{}

	pending   atomic.Int64
	published atomic.Uint64
	returned  atomic.Uint64
	attempts  atomic.Int64 // dial attempts, for the backoff test

	mu     sync.Mutex
	state  string
	detail string
	sess   *session // nil while not connected
	gen    uint64   // counts sessions

	// Tunables (tests shorten them).
	minBackoff, maxBackoff time.Duration
	confirmTimeout         time.Duration
	stableAfter            time.Duration // a session that lived this long resets the backoff
}

// session is one connection with its confirm-mode channel.
type session struct {
	gen      uint64
	conn     *amqp.Connection
	ch       *amqp.Channel
	exchange string
	host     string
}

// envelope is what the outbox row holds: the event plus what the AMQP properties need.
type envelope struct {
	Key  string          `json:"key"`
	Type string          `json:"type"`
	ID   string          `json:"id"`
	TS   time.Time       `json:"ts"`
	Body json.RawMessage `json:"body"`
}

// New makes a publisher whose queue lives in the outbox table (target "bus"): events survive a broker outage
// and an app restart. cfg is read on every (re)connect and by Publish; onState (may be nil) is told about state
// changes, coalesced, and must not block for long.
func New(st *store.Store, cfg func() Config, onState func(State), log *slog.Logger) *Publisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{
		cfg: cfg, onState: onState, log: log.With("service", "bus"),
		reconnect: make(chan struct{}, 1), notify: make(chan struct{}, 1),
		state: StateDown, detail: notStarted,
		minBackoff: time.Second, maxBackoff: 30 * time.Second, confirmTimeout: 30 * time.Second, stableAfter: 30 * time.Second,
	}
	if cfg().URL == "" {
		p.state, p.detail = StateDisabled, ""
	}
	p.q = outbox.New(outbox.Options{
		Store: st, Target: Target, Deliver: p.deliver, OnOutcome: p.outcome,
		// The connection loop owns reconnecting; a breaker would only delay the drain after a reconnect.
		BreakerFailures: math.MaxUint32,
		InitialBackoff:  time.Second, MaxBackoff: 30 * time.Second, // for nacks
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if s, err := p.q.Stats(ctx); err != nil {
		p.log.Error("bus: count stored events", "err", err)
	} else {
		p.pending.Store(s.Pending)
	}
	return p
}

// Publish validates e, stores it and returns: it never waits for the network. The broker gets it when Serve is
// connected, in order, at least once. With no URL set (bus disabled) the event is dropped.
func (p *Publisher) Publish(ctx context.Context, e Event) error {
	c := p.cfg()
	if c.URL == "" {
		return nil
	}
	if c.Host != "" && e.Body != nil && e.Body["host"] != c.Host {
		e.Body = maps.Clone(e.Body)
		e.Body["host"] = c.Host
	}
	if err := e.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(e.Body)
	if err != nil {
		return fmt.Errorf("bus event %s: encode body: %w", e.Type, err)
	}
	id := e.Body["id"].(string) // Validate checked it
	ts, _ := time.Parse(time.RFC3339, e.Body["timestamp"].(string))
	payload, err := json.Marshal(envelope{Key: e.Key, Type: e.Type, ID: id, TS: ts, Body: body})
	if err != nil {
		return fmt.Errorf("bus event %s: %w", e.Type, err)
	}
	if _, err := p.q.Enqueue(ctx, id, payload, nil); err != nil {
		return fmt.Errorf("store bus event: %w", err)
	}
	p.pending.Add(1)
	p.changed()
	return nil
}

// Reconnect drops the connection and dials again at once, reading the config anew (settings changed).
func (p *Publisher) Reconnect() {
	select {
	case p.reconnect <- struct{}{}:
	default:
	}
}

// State reports the connection and the counters.
func (p *Publisher) State() State {
	p.mu.Lock()
	s := State{State: p.state, Detail: p.detail}
	p.mu.Unlock()
	s.Pending = max(p.pending.Load(), 0)
	s.Published, s.Returned = p.published.Load(), p.returned.Load()
	return s
}

// Serve connects and reconnects forever (jittered exponential backoff 1 s → 30 s, ±20 %) and publishes the
// stored events until ctx ends. amqp091's own recovery is not used: it gives up after 5 tries.
func (p *Publisher) Serve(ctx context.Context) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	qerr := make(chan error, 1)
	wg.Add(2)
	go func() { defer wg.Done(); qerr <- p.q.Serve(ctx); cancel() }()
	go func() { defer wg.Done(); p.notifier(ctx) }()

	bo := p.newBackoff()
	for ctx.Err() == nil {
		wait := p.session(ctx, bo)
		if ctx.Err() != nil {
			break
		}
		if !p.sleep(ctx, wait) {
			bo.Reset() // Reconnect: at once, and from the shortest delay
		}
	}
	p.setState(StateDown, "stopped")
	cancel()
	wg.Wait()
	if err := <-qerr; err != nil && parent.Err() == nil && !errors.Is(err, context.Canceled) {
		return err // the store failed
	}
	return parent.Err()
}

func (p *Publisher) newBackoff() *backoff.ExponentialBackOff {
	bo := &backoff.ExponentialBackOff{InitialInterval: p.minBackoff, RandomizationFactor: 0.2, Multiplier: 2,
		MaxInterval: p.maxBackoff}
	bo.Reset()
	return bo
}

const notStarted = "not started"

// forever stands for "until Reconnect".
const forever = time.Duration(math.MaxInt64)

// session runs one connection from dial to loss and says how long to wait before the next one.
func (p *Publisher) session(ctx context.Context, bo *backoff.ExponentialBackOff) time.Duration {
	cfg := p.cfg()
	if cfg.URL == "" {
		p.setState(StateDisabled, "")
		return forever
	}
	if err := cfg.Validate(); err != nil {
		p.setState(StateDown, err.Error())
		p.log.Warn("bus: invalid settings", "err", err)
		return forever // retrying cannot help: wait for new settings (Reconnect)
	}
	t := targetOf(cfg)
	if st := p.State(); st.State != StateDown || st.Detail == notStarted {
		p.setState(StateConnecting, t.addr) // a retry after a failure keeps saying why it is down
	}
	p.attempts.Add(1)
	s, err := p.open(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		err = explain(err, cfg)
		wait := bo.NextBackOff()
		p.setState(StateDown, err.Error())
		p.log.Warn("bus: cannot connect", "err", err, "retry_in", wait.Round(time.Millisecond))
		return wait
	}
	connClosed := s.conn.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := s.ch.NotifyClose(make(chan *amqp.Error, 1))
	returns := s.ch.NotifyReturn(make(chan amqp.Return, 16))
	blocked := s.conn.NotifyBlocked(make(chan amqp.Blocking, 4))
	go p.watchReturns(returns)

	p.mu.Lock()
	p.gen++
	s.gen = p.gen
	p.sess = s
	p.mu.Unlock()
	p.setState(StateConnected, "")
	p.log.Info("bus: connected", "addr", t.addr, "vhost", t.vhost, "exchange", s.exchange)
	p.q.Unblock() // drain what was stored while down
	start := time.Now()

	var reason error
	reconnect := false
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-p.reconnect:
			reconnect = true
			break loop
		case e := <-connClosed:
			reason = closeReason(e)
			break loop
		case e := <-chClosed:
			reason = closeReason(e)
			break loop
		case b, ok := <-blocked:
			if !ok {
				blocked = nil // closed with the connection; connClosed says why
				continue
			}
			if b.Active {
				p.setState(StateConnected, "RabbitMQ is blocking publishers: "+b.Reason)
			} else {
				p.setState(StateConnected, "")
			}
		}
	}
	p.mu.Lock()
	p.sess = nil
	p.mu.Unlock()
	_ = s.conn.CloseDeadline(time.Now().Add(2 * time.Second))
	switch {
	case ctx.Err() != nil:
		return 0
	case reconnect:
		p.setState(StateConnecting, "settings changed")
		bo.Reset()
		return 0
	}
	if time.Since(start) >= p.stableAfter {
		bo.Reset()
	}
	reason = explain(reason, cfg)
	wait := bo.NextBackOff()
	p.setState(StateDown, reason.Error())
	p.log.Warn("bus: connection lost", "err", reason, "retry_in", wait.Round(time.Millisecond))
	return wait
}

func closeReason(e *amqp.Error) error {
	if e == nil {
		return errors.New("connection closed")
	}
	return e
}

// open dials and prepares a confirm-mode channel, declaring the exchange unless it is a pre-declared amq.* one.
func (p *Publisher) open(ctx context.Context, cfg Config) (*session, error) {
	conn, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ch, err := prepare(conn, cfg)
	if err != nil {
		_ = conn.CloseDeadline(time.Now().Add(2 * time.Second))
		return nil, err
	}
	return &session{conn: conn, ch: ch, exchange: cfg.exchange(), host: cfg.host()}, nil
}

func prepare(conn *amqp.Connection, cfg Config) (*amqp.Channel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("open channel: %w", err)
	}
	if err := declare(ch, cfg.exchange()); err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		return nil, fmt.Errorf("confirm mode: %w", err)
	}
	return ch, nil
}

func declare(ch *amqp.Channel, exchange string) error {
	if len(exchange) >= 4 && exchange[:4] == "amq." {
		return nil
	}
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", exchange, err)
	}
	return nil
}

func (p *Publisher) watchReturns(returns <-chan amqp.Return) {
	for r := range returns { // closed with the channel
		p.returned.Add(1)
		p.log.Warn("bus: event unroutable: no queue is bound for its key; dropped", "key", r.RoutingKey,
			"id", r.MessageId, "reply", r.ReplyText)
		p.changed()
	}
}

// busErr is a delivery error for the outbox: Blocking pauses the queue until the next session, Temporary
// retries the item with backoff, neither fails the item for good.
type busErr struct {
	msg       string
	gen       uint64 // the session it happened on; blocking errors of an older session are lifted at once
	blocking  bool
	temporary bool
}

func (e *busErr) Error() string   { return e.msg }
func (e *busErr) Blocking() bool  { return e.blocking }
func (e *busErr) Temporary() bool { return e.temporary }

// deliver publishes one stored event on the current session and waits for its confirm.
func (p *Publisher) deliver(ctx context.Context, it outbox.Item) error {
	p.mu.Lock()
	s, gen := p.sess, p.gen
	p.mu.Unlock()
	if s == nil {
		return &busErr{msg: "RabbitMQ is not connected", gen: gen, blocking: true}
	}
	var env envelope
	if err := json.Unmarshal(it.Payload, &env); err != nil {
		return &busErr{msg: fmt.Sprintf("stored event %s is damaged: %v", it.RequestID, err)} // fails this item only
	}
	cctx, cancel := context.WithTimeout(ctx, p.confirmTimeout)
	defer cancel()
	msg := amqp.Publishing{
		ContentType: "application/json", DeliveryMode: amqp.Persistent, MessageId: env.ID,
		Timestamp: env.TS, AppId: Source, Type: env.Type, Body: env.Body,
		Headers: amqp.Table{"version": int32(1)},
	}
	dc, err := s.ch.PublishWithDeferredConfirmWithContext(cctx, s.exchange, env.Key, true, false, msg)
	if err != nil {
		if s.ch.IsClosed() || errors.Is(err, amqp.ErrClosed) {
			return &busErr{msg: "connection lost while publishing", gen: s.gen, blocking: true}
		}
		return &busErr{msg: fmt.Sprintf("publish: %v", err), temporary: true}
	}
	ok, err := dc.WaitContext(cctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return &busErr{msg: fmt.Sprintf("no confirm from RabbitMQ within %s", p.confirmTimeout), temporary: true}
	case !ok && (s.ch.IsClosed() || s.conn.IsClosed()):
		return &busErr{msg: "connection lost before the confirm", gen: s.gen, blocking: true}
	case !ok:
		return &busErr{msg: "RabbitMQ refused the event (nack)", temporary: true}
	}
	p.published.Add(1)
	return nil
}

// outcome keeps the pending count and lifts a pause that belongs to a session already replaced.
func (p *Publisher) outcome(o outbox.Outcome) {
	switch o.State {
	case outbox.Delivered, outbox.Discarded:
		p.pending.Add(-1)
	case outbox.Failed:
		p.pending.Add(-1)
		p.log.Error("bus: event dropped", "id", o.Item.RequestID, "err", o.Err)
	case outbox.Blocked:
		var be *busErr
		if errors.As(o.Err, &be) {
			p.mu.Lock()
			newer := p.sess != nil && p.sess.gen > be.gen
			p.mu.Unlock()
			if newer {
				p.q.Unblock()
			}
		}
	case outbox.Retrying:
		p.log.Warn("bus: event will be retried", "id", o.Item.RequestID, "err", o.Err, "at", o.Next)
	}
	p.changed()
}

func (p *Publisher) setState(state, detail string) {
	p.mu.Lock()
	moved := p.state != state || p.detail != detail
	p.state, p.detail = state, detail
	p.mu.Unlock()
	if moved {
		p.changed()
	}
}

// changed asks the notifier to report the state; it never blocks.
func (p *Publisher) changed() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// notifier calls onState for changes, at most every 100 ms, so a burst of events costs one report.
func (p *Publisher) notifier(ctx context.Context) {
	if p.onState == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			p.onState(p.State())
			return
		case <-p.notify:
		}
		p.onState(p.State())
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sleep waits d; false when Reconnect cut it short.
func (p *Publisher) sleep(ctx context.Context, d time.Duration) bool {
	if d == 0 {
		return true
	}
	var timer <-chan time.Time
	if d != forever {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return true
	case <-p.reconnect:
		return false
	case <-timer:
		return true
	}
}
