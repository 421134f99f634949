package store

import (
	"bytes"
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// seedHistory inserts one row per history table at time at, tagged with tag, plus an outbox item and a
// conversation in each status.
func seedHistory(t *testing.T, db *gorm.DB, at time.Time, tag string) {
	t.Helper()
	mustCreate(t, db,
		&Transcription{Text: tag, CreatedAt: at},
		&LogEntry{Time: at, Message: tag},
		&Metric{Time: at, Name: tag, Value: 1},
		&ServiceEvent{Time: at, Service: "whisper", State: tag},
	)
	for _, st := range []string{"pending", "delivered", "accepted", "failed", "discarded"} {
		mustCreate(t, db, &Conversation{RequestID: tag + "-" + st, Status: st, Reply: tag, CreatedAt: at})
	}
	for _, st := range []string{"pending", "delivered", "failed", "discarded"} {
		mustCreate(t, db, &OutboxItem{Target: "n8n", RequestID: tag + "-" + st, Status: st, Payload: tag, CreatedAt: at})
	}
}

func TestPrune(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	db := s.DB()
	cutoff := testNow.AddDate(0, 0, -30)
	seedHistory(t, db, cutoff.Add(-time.Hour), "old")
	seedHistory(t, db, cutoff.Add(time.Hour), "new")
	// The cutoff may come in any zone; Prune compares it in UTC, like the stored times.
	r, err := s.Prune(ctx, cutoff.In(time.FixedZone("CET", 3600)))
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}

	want := PruneResult{Before: cutoff, Logs: 1, Metrics: 1, Transcriptions: 1, Conversations: 4, ServiceEvents: 1, Outbox: 2}
	if r != want {
		t.Errorf("PruneResult = %+v, want %+v", r, want)
	}
	if r.Total() != 10 {
		t.Errorf("Total = %d, want 10", r.Total())
	}

	tests := []struct {
		name  string
		model any
		where string
		args  []any
		want  int64
	}{
		{"old transcriptions", &Transcription{}, "text = ?", []any{"old"}, 0},
		{"new transcriptions", &Transcription{}, "text = ?", []any{"new"}, 1},
		{"old logs", &LogEntry{}, "message = ?", []any{"old"}, 0},
		{"new logs", &LogEntry{}, "message = ?", []any{"new"}, 1},
		{"old metrics", &Metric{}, "name = ?", []any{"old"}, 0},
		{"new metrics", &Metric{}, "name = ?", []any{"new"}, 1},
		{"old service events", &ServiceEvent{}, "state = ?", []any{"old"}, 0},
		{"new service events", &ServiceEvent{}, "state = ?", []any{"new"}, 1},
		{"old pending conversation kept", &Conversation{}, "request_id = ?", []any{"old-pending"}, 1},
		{"old finished conversations", &Conversation{}, "reply = ? AND status <> ?", []any{"old", "pending"}, 0},
		{"new conversations", &Conversation{}, "reply = ?", []any{"new"}, 5},
		{"old pending outbox kept", &OutboxItem{}, "request_id = ?", []any{"old-pending"}, 1},
		{"old failed outbox kept", &OutboxItem{}, "request_id = ?", []any{"old-failed"}, 1},
		{"old delivered/discarded outbox", &OutboxItem{}, "payload = ? AND status IN ?", []any{"old", []string{"delivered", "discarded"}}, 0},
		{"new outbox", &OutboxItem{}, "payload = ?", []any{"new"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(t, db, tt.model, append([]any{tt.where}, tt.args...)...); got != tt.want {
				t.Errorf("count = %d, want %d", got, tt.want)
			}
		})
	}

	// Nothing left to prune: a second run deletes nothing.
	r, err = s.Prune(ctx, cutoff)
	if err != nil || r.Total() != 0 {
		t.Errorf("second Prune = %+v, %v; want nothing deleted", r, err)
	}
}

// TestRetentionRounds steps the retention loop with injected ticks and clock.
func TestRetentionRounds(t *testing.T) {
	s := openTest(t)
	db := s.DB()
	var days atomic.Int64
	days.Store(30)
	var now atomic.Pointer[time.Time]
	setNow := func(t time.Time) { now.Store(&t) }
	setNow(testNow)

	ticks := make(chan time.Time)
	reports := make(chan PruneResult)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	seedHistory(t, db, testNow.AddDate(0, 0, -31), "a") // older than 30 days at start
	seedHistory(t, db, testNow.AddDate(0, 0, -10), "b") // young at start
	go func() {
		done <- s.retain(ctx, func() int { return int(days.Load()) }, ticks, func() time.Time { return *now.Load() },
			func(r PruneResult) { reports <- r })
	}()

	tests := []struct {
		name      string
		advance   time.Duration
		days      int64
		wantTotal int64
		wantLogs  int64 // logs left afterwards
	}{
		{"at start", 0, 30, 10, 1},
		{"nothing old yet", 24 * time.Hour, 30, 0, 1},
		{"b ages out", 20 * 24 * time.Hour, 30, 10, 0},
	}
	for i, tt := range tests {
		if i > 0 {
			setNow(now.Load().Add(tt.advance))
			days.Store(tt.days)
			ticks <- testNow
		}
		r := <-reports
		if r.Total() != tt.wantTotal {
			t.Errorf("%s: pruned %d rows, want %d (%+v)", tt.name, r.Total(), tt.wantTotal, r)
		}
		if n := count(t, db, &LogEntry{}); n != tt.wantLogs {
			t.Errorf("%s: %d logs left, want %d", tt.name, n, tt.wantLogs)
		}
	}

	// Retention off keeps even very old history.
	seedHistory(t, db, testNow.AddDate(-5, 0, 0), "ancient")
	days.Store(0)
	ticks <- testNow
	if r := <-reports; r.Total() != 0 {
		t.Errorf("retention off pruned %+v", r)
	}
	if n := count(t, db, &LogEntry{}, "message = ?", "ancient"); n != 1 {
		t.Errorf("retention off: ancient logs = %d, want 1", n)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("retain returned %v after cancel, want nil", err)
	}
}

// TestRunRetention runs the public service with a real ticker and an injected clock; the clock's second call
// proves the first round (the prune at start) has finished, so no sleeping is needed.
func TestRunRetention(t *testing.T) {
	s := openTest(t)
	seedHistory(t, s.DB(), testNow.AddDate(0, 0, -8), "old")
	seedHistory(t, s.DB(), testNow.AddDate(0, 0, -1), "new")

	calls := make(chan struct{}, 1)
	clock := func() time.Time {
		select {
		case calls <- struct{}{}:
		default:
		}
		return testNow
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RunRetention(ctx, func() int { return 7 }, time.Millisecond, clock) }()
	<-calls // round 1 started
	<-calls // round 2 started, so round 1 finished
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunRetention = %v, want nil after cancel", err)
	}
	if n := count(t, s.DB(), &LogEntry{}, "message = ?", "old"); n != 0 {
		t.Errorf("old logs left: %d", n)
	}
	if n := count(t, s.DB(), &LogEntry{}, "message = ?", "new"); n != 1 {
		t.Errorf("new logs left: %d, want 1", n)
	}

	if err := s.RunRetention(context.Background(), func() int { return 7 }, 0, clock); err == nil {
		t.Error("RunRetention with interval 0 succeeded")
	}
}

func TestRetentionStopsOnPruneError(t *testing.T) {
	s := openTest(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.retain(context.Background(), func() int { return 1 }, nil, func() time.Time { return testNow }, nil)
	if err == nil {
		t.Fatal("retain on a closed store returned nil")
	}
}

func TestClearUserData(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	db := s.DB()
	const secret = "my bank PIN is 4711 and the spare key is under the blue flowerpot"
	p := &Profile{Name: "Dora", PinHash: "hash"}
	mustCreate(t, db, &Setting{Key: "settings", Value: `{"keep":true}`}, p)
	// Enough rows that the text sits in many pages, in the main file and in the WAL.
	fillTranscriptions(t, db, 2000, secret)
	if err := s.checkpoint(ctx); err != nil { // moves the first batch into the main file
		t.Fatal(err)
	}
	tr := &Transcription{ProfileID: &p.ID, Text: secret, CreatedAt: testNow}
	mustCreate(t, db, tr,
		&Conversation{RequestID: "r1", TranscriptionID: &tr.ID, Request: secret, Reply: secret, Status: "pending"},
		&LogEntry{Time: testNow, Message: secret},
		&Metric{Time: testNow, Name: "latency", Labels: secret},
		&OutboxItem{Target: "n8n", RequestID: "r1", Payload: secret},
		&ServiceEvent{Time: testNow, Service: "whisper", State: "up", Detail: secret},
	)
	if !fileHasText(t, s.Path(), secret) || !fileHasText(t, s.Path()+"-wal", secret) {
		t.Fatal("the secret is not in both the file and the WAL before clearing; the test proves nothing")
	}

	if err := s.ClearUserData(ctx); err != nil {
		t.Fatalf("ClearUserData: %v", err)
	}

	for _, m := range []any{&Transcription{}, &Conversation{}, &LogEntry{}, &Metric{}, &OutboxItem{}, &ServiceEvent{}} {
		if n := count(t, db, m); n != 0 {
			t.Errorf("%T: %d rows left", m, n)
		}
	}
	if n := count(t, db, &Setting{}); n != 1 {
		t.Errorf("settings = %d, want 1 kept", n)
	}
	if n := count(t, db, &Profile{}); n != 1 {
		t.Errorf("profiles = %d, want 1 kept", n)
	}
	// While the app is still running, and after it closed.
	for _, p := range []string{s.Path(), s.Path() + "-wal"} {
		if fileHasText(t, p, secret) {
			t.Errorf("%s still holds the cleared text", p)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.Path(), s.Path() + "-wal"} {
		if fileHasText(t, p, secret) {
			t.Errorf("%s still holds the cleared text after close", p)
		}
	}
}

// fileHasText reports whether the file at p contains text; a missing file contains nothing.
func fileHasText(t *testing.T, p, text string) bool {
	t.Helper()
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(b, []byte(text))
}
