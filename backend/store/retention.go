package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// PruneResult counts the rows Prune deleted per table.
type PruneResult struct {
	Before         time.Time // rows older than this were deleted
	Logs           int64
	Metrics        int64
	Transcriptions int64
	Conversations  int64
	ServiceEvents  int64
	Outbox         int64
}

// Total is the number of rows deleted over all tables.
func (r PruneResult) Total() int64 {
	return r.Logs + r.Metrics + r.Transcriptions + r.Conversations + r.ServiceEvents + r.Outbox
}

// Prune deletes history older than before: logs, metrics, transcriptions, service events, conversations that
// are no longer pending and outbox items that were delivered or discarded. Anything still waiting to go out
// is kept whatever its age. It then compacts the file so the space and the deleted text are really gone.
func (s *Store) Prune(ctx context.Context, before time.Time) (PruneResult, error) {
	s.maint.Lock()
	defer s.maint.Unlock()

	// Timestamps are stored as text in UTC; comparing with a UTC value keeps the comparison textual and lets
	// SQLite use the time indexes.
	before = before.UTC()
	r := PruneResult{Before: before}
	steps := []struct {
		n     *int64
		model any
		where string
		args  []any
	}{
		{&r.Conversations, &Conversation{}, "created_at < ? AND status <> ?", []any{before, "pending"}},
		{&r.Transcriptions, &Transcription{}, "created_at < ?", []any{before}},
		{&r.Logs, &LogEntry{}, `"time" < ?`, []any{before}},
		{&r.Metrics, &Metric{}, `"time" < ?`, []any{before}},
		{&r.ServiceEvents, &ServiceEvent{}, `"time" < ?`, []any{before}},
		{&r.Outbox, &OutboxItem{}, "created_at < ? AND status IN ?", []any{before, []string{"delivered", "discarded"}}},
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, st := range steps {
			res := tx.Where(st.where, st.args...).Delete(st.model)
			if res.Error != nil {
				return res.Error
			}
			*st.n = res.RowsAffected
		}
		return nil
	})
	if err != nil {
		return PruneResult{Before: before}, fmt.Errorf("prune: %w", err)
	}
	// VACUUM rewrites the whole file; skip it when nothing changed so an idle app does not churn the disk.
	if r.Total() == 0 {
		return r, nil
	}
	if err := s.compact(ctx); err != nil {
		return r, fmt.Errorf("prune: %w", err)
	}
	return r, nil
}

// RunRetention is a service that prunes history older than days() days at start and then every interval,
// until ctx is done (it then returns nil). days is asked each time so a settings change applies without a
// restart; days() <= 0 keeps everything. now is the clock. A failed prune ends the service with the error,
// for its owner to log and restart it.
func (s *Store) RunRetention(ctx context.Context, days func() int, interval time.Duration, now func() time.Time) error {
	if interval <= 0 {
		return fmt.Errorf("retention: interval must be positive, got %v", interval)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	return s.retain(ctx, days, t.C, now, nil)
}

// retain is RunRetention with the ticks injected; report, when set, sees the result of every round (the zero
// result when retention is off), so tests can step it without sleeping.
func (s *Store) retain(ctx context.Context, days func() int, ticks <-chan time.Time, now func() time.Time,
	report func(PruneResult)) error {
	for {
		var r PruneResult
		if d := days(); d > 0 {
			var err error
			r, err = s.Prune(ctx, now().AddDate(0, 0, -d))
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("retention: %w", err)
			}
		}
		if report != nil {
			report(r)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticks:
		}
	}
}

// ClearUserData deletes everything the app recorded about what was said and done: transcriptions,
// conversations, logs, metrics, the outbox and service events. Settings and profiles stay. Afterwards the
// deleted text is gone from the file and from its WAL, not just unlinked.
func (s *Store) ClearUserData(ctx context.Context) error {
	s.maint.Lock()
	defer s.maint.Unlock()

	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		all := tx.Session(&gorm.Session{AllowGlobalUpdate: true})
		// Conversations first: they point at transcriptions.
		for _, m := range []any{&Conversation{}, &Transcription{}, &LogEntry{}, &Metric{}, &OutboxItem{}, &ServiceEvent{}} {
			if err := all.Delete(m).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("clear user data: %w", err)
	}
	if err := s.compact(ctx); err != nil {
		return fmt.Errorf("clear user data: %w", err)
	}
	return nil
}

// compact rebuilds the file without free pages (VACUUM), then copies the WAL, which now holds the rebuilt
// pages and old page images, into the file and truncates it to zero bytes.
func (s *Store) compact(ctx context.Context) error {
	if err := s.db.WithContext(ctx).Exec("VACUUM").Error; err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return s.checkpoint(ctx)
}
