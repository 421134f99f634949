package outbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/store"
)

// failure is a Deliver error of a chosen kind.
type failure struct{ temp, block bool }

func (f failure) Error() string   { return fmt.Sprintf("failure temp=%v block=%v", f.temp, f.block) }
func (f failure) Temporary() bool { return f.temp }
func (f failure) Blocking() bool  { return f.block }

var (
	errDown    = failure{temp: true}
	errAuth    = failure{block: true}
	errInvalid = failure{}
)

// far is the far end: it records what arrives and fails while told to.
type far struct {
	mu       sync.Mutex
	got      []string
	attempts map[string]int
	fail     func(it Item) error
	arrived  chan struct{}
}

func newFar() *far { return &far{attempts: map[string]int{}, arrived: make(chan struct{}, 1000)} }

func (f *far) deliver(_ context.Context, it Item) error {
	f.mu.Lock()
	defer func() { f.mu.Unlock(); f.arrived <- struct{}{} }()
	f.attempts[it.RequestID]++
	if f.fail != nil {
		if err := f.fail(it); err != nil {
			return err
		}
	}
	f.got = append(f.got, it.RequestID)
	return nil
}

func (f *far) setFail(fn func(Item) error) { f.mu.Lock(); f.fail = fn; f.mu.Unlock() }
func (f *far) delivered() []string         { f.mu.Lock(); defer f.mu.Unlock(); return slices.Clone(f.got) }
func (f *far) tries(id string) int         { f.mu.Lock(); defer f.mu.Unlock(); return f.attempts[id] }

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newQueue(t *testing.T, st *store.Store, f *far, outcomes chan<- Outcome) *Queue {
	return New(Options{Store: st, Target: "n8n", Deliver: f.deliver,
		OnOutcome: func(o Outcome) {
			if outcomes != nil {
				outcomes <- o
			}
		},
		BreakerTimeout: 100 * time.Millisecond, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
}

// serve runs the queue until the test ends.
func serve(t *testing.T, q *Queue) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve ended with %v, want context.Canceled", err)
		}
	})
}

func enqueue(t *testing.T, q *Queue, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := q.Enqueue(context.Background(), id, []byte(`{"id":"`+id+`"}`), nil); err != nil {
			t.Fatal(err)
		}
	}
}

func ids(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return out
}

// eventually polls cond for up to 10 s: behaviour, not timing, is asserted.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func stats(t *testing.T, q *Queue) Stats {
	t.Helper()
	s, err := q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeliversInOrderAndEmptiesTheTable(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	defer st.Close()
	f := newFar()
	q := newQueue(t, st, f, nil)
	want := ids(100, "a")
	enqueue(t, q, want[:50]...)
	serve(t, q)
	enqueue(t, q, want[50:]...)
	eventually(t, "100 deliveries", func() bool { return len(f.delivered()) == 100 })
	if got := f.delivered(); !slices.Equal(got, want) {
		t.Fatalf("delivered out of order:\n got %v\nwant %v", got, want)
	}
	eventually(t, "an empty outbox", func() bool { s := stats(t, q); return s.Pending == 0 && s.Oldest.IsZero() })
}

func TestOutageOpensTheCircuitAndDrainsInOrderWhenItCloses(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	defer st.Close()
	f := newFar()
	f.setFail(func(Item) error { return errDown })
	outcomes := make(chan Outcome, 1000)
	q := newQueue(t, st, f, outcomes)
	want := ids(20, "b")
	enqueue(t, q, want...)
	serve(t, q)

	eventually(t, "the circuit to open", func() bool { return stats(t, q).Breaker == "open" })
	s := stats(t, q)
	if s.Pending != 20 || s.LastErr == nil || s.Oldest.IsZero() {
		t.Fatalf("while down: %+v, want 20 pending, the last error and the oldest time", s)
	}
	if o := <-outcomes; o.State != Retrying || o.Item.RequestID != "b-000" || o.Next.IsZero() {
		t.Fatalf("first outcome = %+v, want the head retrying", o)
	}
	// Only the head is tried while the far end is down: later items keep their place.
	if n := f.tries("b-001"); n != 0 {
		t.Fatalf("b-001 tried %d times while b-000 was failing", n)
	}

	f.setFail(nil)
	eventually(t, "the drain after the circuit closes", func() bool { return len(f.delivered()) == 20 })
	if got := f.delivered(); !slices.Equal(got, want) {
		t.Fatalf("drained out of order: %v", got)
	}
	eventually(t, "a closed circuit and no error", func() bool {
		s := stats(t, q)
		return s.Breaker == "closed" && s.LastErr == nil && s.Pending == 0
	})
}

func TestBlockingErrorPausesUntilUnblocked(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	defer st.Close()
	f := newFar()
	f.setFail(func(Item) error { return errAuth })
	outcomes := make(chan Outcome, 100)
	q := newQueue(t, st, f, outcomes)
	enqueue(t, q, "c-1", "c-2")
	serve(t, q)

	if o := <-outcomes; o.State != Blocked || !errors.Is(o.Err, errAuth) {
		t.Fatalf("outcome = %+v, want blocked by the auth error", o)
	}
	q.Kick() // a new item or a kick must not retry while blocked
	enqueue(t, q, "c-3")
	if s := stats(t, q); s.Blocked == nil || s.Pending != 3 || !s.RetryAt.IsZero() {
		t.Fatalf("stats while blocked = %+v", s)
	}
	select {
	case o := <-outcomes:
		t.Fatalf("attempt while blocked: %+v", o)
	case <-time.After(50 * time.Millisecond): // a sample, not a timing assertion: any attempt would be a failure
	}

	f.setFail(nil)
	q.Unblock()
	eventually(t, "all three delivered", func() bool { return len(f.delivered()) == 3 })
	if got := f.delivered(); !slices.Equal(got, []string{"c-1", "c-2", "c-3"}) {
		t.Fatalf("delivered %v", got)
	}
	if n := f.tries("c-1"); n != 2 {
		t.Fatalf("c-1 tried %d times, want 2 (blocked once, then delivered)", n)
	}
}

func TestRefusedItemFailsAloneAndCanBeRetriedOrDiscarded(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	defer st.Close()
	f := newFar()
	f.setFail(func(it Item) error {
		if it.RequestID == "d-2" || it.RequestID == "d-3" {
			return errInvalid
		}
		return nil
	})
	outcomes := make(chan Outcome, 100)
	q := newQueue(t, st, f, outcomes)
	enqueue(t, q, "d-1", "d-2", "d-3", "d-4")
	serve(t, q)
	eventually(t, "d-1 and d-4", func() bool { return len(f.delivered()) == 2 })
	if got := f.delivered(); !slices.Equal(got, []string{"d-1", "d-4"}) {
		t.Fatalf("delivered %v", got)
	}
	s := stats(t, q)
	if s.Failed != 2 || s.Pending != 0 || s.Breaker != "closed" {
		t.Fatalf("stats = %+v: refused items must fail alone and leave the circuit closed", s)
	}
	list, err := q.List(context.Background(), 10)
	if err != nil || len(list) != 2 || list[0].RequestID != "d-2" || list[0].Status != StatusFailed || list[0].Attempts != 1 || list[0].LastError == "" {
		t.Fatalf("list = %+v, %v", list, err)
	}

	f.setFail(nil)
	if err := q.RetryNow(context.Background(), list[0].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "d-2 after retry", func() bool { return slices.Contains(f.delivered(), "d-2") })
	if err := q.Discard(context.Background(), list[1].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "an empty outbox", func() bool { s := stats(t, q); return s.Pending+s.Failed == 0 })
	if slices.Contains(f.delivered(), "d-3") {
		t.Fatal("a discarded item was delivered")
	}
	var sawDiscard bool
	for len(outcomes) > 0 {
		if o := <-outcomes; o.State == Discarded && o.Item.RequestID == "d-3" {
			sawDiscard = true
		}
	}
	if !sawDiscard {
		t.Fatal("no discarded outcome for d-3")
	}
	if err := q.Discard(context.Background(), 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("discard of an unknown id = %v, want ErrNotFound", err)
	}
}

func TestItemsSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	st := openStore(t, path)
	f := newFar()
	q := newQueue(t, st, f, nil)
	want := ids(10, "e")
	enqueue(t, q, want...) // no worker: the app stops before the first attempt
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = openStore(t, path)
	defer st.Close()
	q = newQueue(t, st, f, nil)
	serve(t, q)
	eventually(t, "the items of the last run", func() bool { return len(f.delivered()) == 10 })
	if got := f.delivered(); !slices.Equal(got, want) {
		t.Fatalf("delivered %v", got)
	}
}

func TestEnqueueIsAtomicWithTheCallersRow(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	defer st.Close()
	q := newQueue(t, st, newFar(), nil)
	boom := errors.New("conversation row refused")
	_, err := q.Enqueue(context.Background(), "f-1", []byte("{}"), func(*gorm.DB) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Enqueue = %v, want the caller's error", err)
	}
	if s := stats(t, q); s.Pending != 0 {
		t.Fatalf("%d items left behind by a failed transaction", s.Pending)
	}
	if _, err := q.Enqueue(context.Background(), "f-2", []byte("{}"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(context.Background(), "f-2", []byte("{}"), nil); err == nil {
		t.Fatal("a second item with the same request id was accepted")
	}
}

func TestShutdownMidAttemptKeepsTheItem(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "t.db"))
	defer st.Close()
	started := make(chan struct{})
	q := New(Options{Store: st, Target: "n8n", Deliver: func(ctx context.Context, _ Item) error {
		close(started)
		<-ctx.Done()
		return fmt.Errorf("post: %w", ctx.Err())
	}})
	enqueue(t, q, "g-1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Serve(ctx) }()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve = %v", err)
	}
	list, err := q.List(context.Background(), 10)
	if err != nil || len(list) != 1 || list[0].Status != StatusPending || list[0].Attempts != 0 {
		t.Fatalf("after shutdown: %+v, %v; want g-1 pending with no attempt counted", list, err)
	}
}
