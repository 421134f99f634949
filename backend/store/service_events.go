package store

import (
	"context"
	"fmt"
	"time"
)

// RecordServiceEvent stores a state change of a supervised service, for the history of restarts and failures.
func (s *Store) RecordServiceEvent(ctx context.Context, service, state, detail string) error {
	ev := ServiceEvent{Time: time.Now().UTC(), Service: service, State: state, Detail: detail}
	if err := s.db.WithContext(ctx).Create(&ev).Error; err != nil {
		return fmt.Errorf("record %s event: %w", service, err)
	}
	return nil
}
