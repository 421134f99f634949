package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/tonnytray/tonnytray/backend/store"
)

// Stats is the queue at a glance, for the Dashboard card and `tonnytray outbox`.
type Stats struct {
	Target  string
	Pending int64
	Failed  int64
	Oldest  time.Time // creation time of the oldest waiting item (pending or failed); zero when empty
	Breaker string    // closed | open | half-open
	RetryAt time.Time // when the next attempt is due, if the queue is waiting for backoff or the circuit
	Blocked error     // why the queue is paused, until the user fixes it or retries
	LastErr error     // the last attempt's error; nil after a delivery
}

// Entry is one item in a listing.
type Entry struct {
	ID            uint64
	RequestID     string
	Status        string
	Attempts      int
	LastError     string
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Payload       []byte
}

// Stats counts the waiting items and reads the breaker.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Target: q.o.Target}
	var rows []struct {
		Status string
		N      int64
	}
	db := q.db.WithContext(ctx).Model(&store.OutboxItem{}).Where("target = ?", q.o.Target)
	if err := db.Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return st, fmt.Errorf("count %s outbox: %w", q.o.Target, err)
	}
	for _, r := range rows {
		switch r.Status {
		case StatusPending:
			st.Pending = r.N
		case StatusFailed:
			st.Failed = r.N
		}
	}
	if st.Pending+st.Failed > 0 {
		var first []store.OutboxItem // Find, not Take: the worker may have delivered it since the count
		if err := q.db.WithContext(ctx).Where("target = ?", q.o.Target).Order("id").Limit(1).Find(&first).Error; err != nil {
			return st, fmt.Errorf("read %s outbox: %w", q.o.Target, err)
		}
		if len(first) == 1 {
			st.Oldest = first[0].CreatedAt
		}
	}
	q.mu.Lock()
	st.Blocked, st.LastErr = q.blocked, q.lastErr
	next, breaker := q.next, q.breaker
	q.mu.Unlock()
	state := breaker.State()
	st.Breaker = state.String()
	if state == gobreaker.StateOpen {
		next = maxTime(next, q.reopensAt())
	}
	if st.Pending > 0 && st.Blocked == nil && next.After(time.Now()) {
		st.RetryAt = next
	}
	return st, nil
}

// List returns up to limit items, oldest first.
func (q *Queue) List(ctx context.Context, limit int) ([]Entry, error) {
	var rows []store.OutboxItem
	if err := q.db.WithContext(ctx).Where("target = ?", q.o.Target).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list %s outbox: %w", q.o.Target, err)
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{ID: r.ID, RequestID: r.RequestID, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
			CreatedAt: r.CreatedAt, NextAttemptAt: r.NextAttemptAt, Payload: []byte(r.Payload)}
	}
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
