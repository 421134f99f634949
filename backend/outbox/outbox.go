// Package outbox is a durable delivery queue on the SQLite store: an item is written before its first attempt,
// delivered in order (FIFO per target), retried with backoff behind a circuit breaker, and kept across restarts
// and crashes until it is delivered or the user discards it. The n8n commands use it; so can the event bus.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/sony/gobreaker/v2"
	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/store"
)

// Item statuses in the outbox table. Delivered and discarded items are deleted, so only these two stay.
const (
	StatusPending = "pending" // waiting for its turn or its next attempt
	StatusFailed  = "failed"  // refused for good (e.g. 422); kept for "retry" or "discard"
)

// Item is one delivery.
type Item struct {
	ID        uint64
	RequestID string // stable across retries (the Idempotency-Key)
	Payload   []byte
	Attempts  int // attempts made before this one
	CreatedAt time.Time
}

// Deliver makes one attempt. Its error decides what happens next: see Temporary and Blocking.
type Deliver func(ctx context.Context, it Item) error

// temporary is implemented by errors that are worth retrying with backoff (network, 5xx, …).
type temporary interface{ Temporary() bool }

// blocking is implemented by errors that would fail every later item the same way until the user fixes
// something (bad URL, wrong key, inactive workflow): the queue pauses instead of burning through its items.
type blocking interface{ Blocking() bool }

// Outcome reports what happened to an item, for the caller's bookkeeping (conversation rows, UI).
type Outcome struct {
	Item  Item
	State string    // delivered | retrying | blocked | failed | discarded
	Err   error     // the attempt's error (nil when delivered or discarded)
	Next  time.Time // retrying: when the next attempt is due
}

// Outcome states.
const (
	Delivered = "delivered"
	Retrying  = "retrying"
	Blocked   = "blocked"
	Failed    = "failed"
	Discarded = "discarded"
)

// Options configure a Queue.
type Options struct {
	Store   *store.Store
	Target  string // the queue's name in the outbox table, e.g. "n8n"
	Deliver Deliver
	// OnOutcome is called after every attempt, and on discard; it must not block for long.
	OnOutcome func(Outcome)
	// OnChange is called when the queue's state (counts, breaker, block) may have changed.
	OnChange func()
	// BreakerFailures consecutive failures open the circuit (default 3).
	BreakerFailures uint32
	// BreakerTimeout is how long the circuit stays open before one probe (default 30 s).
	BreakerTimeout time.Duration
	// InitialBackoff and MaxBackoff bound the retry delay of the item at the head (defaults 1 s and 30 s).
	InitialBackoff, MaxBackoff time.Duration
}

// Queue delivers one target's items in order. Run Serve in its own goroutine (it is a suture service).
type Queue struct {
	o    Options
	db   *gorm.DB
	kick chan struct{}

	// The breaker calls back under its own lock, so these two are atomics rather than fields under mu.
	openedAt atomic.Int64 // when the circuit last opened, in Unix nanoseconds
	moved    atomic.Bool  // the circuit changed state since the last report

	mu      sync.Mutex
	breaker *gobreaker.CircuitBreaker[struct{}]
	blocked error  // set while a blocking error pauses the queue
	lastErr error  // the last attempt's error, cleared by a delivery
	headID  uint64 // the item the backoff belongs to
	bo      *backoff.ExponentialBackOff
	next    time.Time // when the head item may be tried again
}

// New makes a queue; nothing runs until Serve.
func New(o Options) *Queue {
	if o.BreakerFailures == 0 {
		o.BreakerFailures = 3
	}
	if o.BreakerTimeout == 0 {
		o.BreakerTimeout = 30 * time.Second
	}
	if o.InitialBackoff == 0 {
		o.InitialBackoff = time.Second
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 30 * time.Second
	}
	q := &Queue{o: o, db: o.Store.DB(), kick: make(chan struct{}, 1)}
	q.breaker = q.newBreaker()
	return q
}

func (q *Queue) newBreaker() *gobreaker.CircuitBreaker[struct{}] {
	return gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        q.o.Target,
		Timeout:     q.o.BreakerTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= q.o.BreakerFailures },
		// A refused item (422) proves the far end is up: it must not open the circuit.
		IsSuccessful: func(err error) bool { return err == nil || permanent(err) },
		IsExcluded:   func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				q.openedAt.Store(time.Now().UnixNano())
			}
			q.moved.Store(true) // reported by breakerState, outside the breaker's lock
		},
	})
}

// Enqueue stores an item before any attempt and wakes the worker. also, when set, runs in the same transaction
// (the caller's own row for the item, e.g. the conversation), so both exist or neither does.
func (q *Queue) Enqueue(ctx context.Context, requestID string, payload []byte, also func(tx *gorm.DB) error) (Item, error) {
	row := store.OutboxItem{Target: q.o.Target, Status: StatusPending, RequestID: requestID, Payload: string(payload)}
	err := q.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return Item{}, fmt.Errorf("queue %s item: %w", q.o.Target, err)
	}
	q.Kick()
	q.changed()
	return itemOf(row), nil
}

// Kick wakes the worker (new item, settings changed).
func (q *Queue) Kick() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// Unblock lifts a pause caused by a blocking error, e.g. after the user changed the URL or the key.
func (q *Queue) Unblock() {
	q.mu.Lock()
	q.blocked = nil
	q.mu.Unlock()
	q.Kick()
	q.changed()
}

// RetryNow is the user's "retry now": failed items (all, or the one with id) become pending again, the pause
// and the backoff are lifted and the circuit is closed, so the head is tried at once.
func (q *Queue) RetryNow(ctx context.Context, id uint64) error {
	tx := q.db.WithContext(ctx).Model(&store.OutboxItem{}).Where("target = ? AND status = ?", q.o.Target, StatusFailed)
	if id != 0 {
		tx = tx.Where("id = ?", id)
	}
	if err := tx.Updates(map[string]any{"status": StatusPending, "next_attempt_at": time.Time{}}).Error; err != nil {
		return fmt.Errorf("retry %s items: %w", q.o.Target, err)
	}
	q.mu.Lock()
	q.blocked, q.next, q.headID = nil, time.Time{}, 0
	q.breaker = q.newBreaker()
	q.mu.Unlock()
	q.Kick()
	q.changed()
	return nil
}

// ErrNotFound is returned for an id that is not in this queue.
var ErrNotFound = errors.New("no such outbox item")

// Discard removes an item for good (the user gave up on it).
func (q *Queue) Discard(ctx context.Context, id uint64) error {
	var row store.OutboxItem
	err := q.db.WithContext(ctx).Where("target = ? AND id = ?", q.o.Target, id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("discard item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("discard item %d: %w", id, err)
	}
	if err := q.db.WithContext(ctx).Delete(&store.OutboxItem{}, id).Error; err != nil {
		return fmt.Errorf("discard item %d: %w", id, err)
	}
	q.report(Outcome{Item: itemOf(row), State: Discarded})
	q.Kick()
	q.changed()
	return nil
}

// Serve delivers items until ctx ends.
func (q *Queue) Serve(ctx context.Context) error {
	for {
		wait, err := q.step(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if wait == 0 {
			continue
		}
		if err := q.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// forever stands for "until kicked".
const forever = time.Duration(1<<63 - 1)

// step makes at most one attempt and says how long to wait before the next step (0 = go on at once).
func (q *Queue) step(ctx context.Context) (time.Duration, error) {
	q.mu.Lock()
	blocked := q.blocked != nil
	q.mu.Unlock()
	if blocked {
		return forever, nil
	}
	var row store.OutboxItem
	err := q.db.WithContext(ctx).Where("target = ? AND status = ?", q.o.Target, StatusPending).Order("id").Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return forever, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s outbox: %w", q.o.Target, err)
	}
	if wait := q.waitFor(row); wait > 0 {
		return wait, nil
	}
	return 0, q.attempt(ctx, row)
}

// waitFor is how long the head item must still wait: its backoff, or the open circuit.
func (q *Queue) waitFor(row store.OutboxItem) time.Duration {
	q.mu.Lock()
	if row.ID != q.headID {
		q.headID, q.next = row.ID, time.Time{}
		q.bo = &backoff.ExponentialBackOff{InitialInterval: q.o.InitialBackoff, RandomizationFactor: 0.2,
			Multiplier: 2, MaxInterval: q.o.MaxBackoff}
		q.bo.Reset()
	}
	next, breaker := q.next, q.breaker
	q.mu.Unlock()
	wait := time.Until(next)
	// Reading the state may move an open circuit to half-open; the breaker's callback only flags that.
	if breaker.State() == gobreaker.StateOpen {
		wait = max(wait, time.Until(q.reopensAt()))
	}
	if q.moved.Swap(false) {
		q.changed()
	}
	return max(wait, 0)
}

// reopensAt is when an open circuit lets a probe through.
func (q *Queue) reopensAt() time.Time {
	return time.Unix(0, q.openedAt.Load()).Add(q.o.BreakerTimeout)
}

// attempt delivers the head item once and records the outcome.
func (q *Queue) attempt(ctx context.Context, row store.OutboxItem) error {
	it := itemOf(row)
	q.mu.Lock()
	breaker := q.breaker
	q.mu.Unlock()
	_, err := breaker.Execute(func() (struct{}, error) { return struct{}{}, q.o.Deliver(ctx, it) })
	if q.moved.Swap(false) {
		q.changed()
	}
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil // waitFor will wait for the probe
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	db := q.db.WithContext(ctx)
	if err == nil {
		if err := db.Delete(&store.OutboxItem{}, row.ID).Error; err != nil {
			return fmt.Errorf("remove delivered item %d: %w", row.ID, err)
		}
		q.mu.Lock()
		q.lastErr = nil
		q.mu.Unlock()
		q.report(Outcome{Item: it, State: Delivered})
		q.changed()
		return nil
	}
	out := Outcome{Item: it, Err: err}
	update := map[string]any{"attempts": row.Attempts + 1, "last_error": err.Error()}
	q.mu.Lock()
	q.lastErr = err
	switch {
	case isBlocking(err):
		q.blocked, out.State = err, Blocked
	case permanent(err):
		update["status"], out.State = StatusFailed, Failed
	default:
		q.next = time.Now().Add(q.bo.NextBackOff())
		update["next_attempt_at"], out.State, out.Next = q.next.UTC(), Retrying, q.next
	}
	q.mu.Unlock()
	if err := db.Model(&store.OutboxItem{}).Where("id = ?", row.ID).Updates(update).Error; err != nil {
		return fmt.Errorf("record attempt on item %d: %w", row.ID, err)
	}
	q.report(out)
	q.changed()
	return nil
}

func (q *Queue) sleep(ctx context.Context, d time.Duration) error {
	var timer <-chan time.Time
	if d != forever {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-q.kick:
	case <-timer:
	}
	return nil
}

func (q *Queue) report(o Outcome) {
	if q.o.OnOutcome != nil {
		q.o.OnOutcome(o)
	}
}

func (q *Queue) changed() {
	if q.o.OnChange != nil {
		q.o.OnChange()
	}
}

func itemOf(r store.OutboxItem) Item {
	return Item{ID: r.ID, RequestID: r.RequestID, Payload: []byte(r.Payload), Attempts: r.Attempts, CreatedAt: r.CreatedAt}
}

func isBlocking(err error) bool {
	var b blocking
	return errors.As(err, &b) && b.Blocking()
}

// permanent errors fail their own item only: neither worth a retry nor a reason to stop the queue.
func permanent(err error) bool {
	if err == nil || isBlocking(err) {
		return false
	}
	var t temporary
	return errors.As(err, &t) && !t.Temporary()
}
