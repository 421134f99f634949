package event

import (
	"sync"
	"testing"
)

func TestSubscribersReceiveInOrder(t *testing.T) {
	b := NewBus()
	all := b.Subscribe(10)
	onlySecrets := b.Subscribe(10, SecretChanged)
	b.Publish(NoticePayload{Level: "info", Title: "one"})
	b.Publish(SecretChangedPayload{Key: "n8n.auth", Configured: true})

	if ev := <-all.C; ev.Name != Notice || ev.Payload.(NoticePayload).Title != "one" {
		t.Fatalf("first event = %+v, want the notice", ev)
	}
	if ev := <-all.C; ev.Name != SecretChanged {
		t.Fatalf("second event = %+v, want secret:changed", ev)
	}
	if ev := <-onlySecrets.C; ev.Name != SecretChanged || ev.Time.IsZero() {
		t.Fatalf("filtered subscriber got %+v, want secret:changed with a time", ev)
	}
	if n := len(onlySecrets.C); n != 0 {
		t.Fatalf("filtered subscriber has %d extra events", n)
	}
}

func TestSlowSubscriberDropsWithoutBlockingProducer(t *testing.T) {
	b := NewBus()
	slow := b.Subscribe(4)
	fast := b.Subscribe(1000)
	const n = 1000
	for i := 0; i < n; i++ { // would deadlock here if Publish blocked on the full queue
		b.Publish(NoticePayload{Title: "x"})
	}
	if got := len(slow.C); got != 4 {
		t.Fatalf("slow subscriber holds %d events, want its buffer of 4", got)
	}
	if slow.Dropped() != n-4 || fast.Dropped() != 0 || b.Dropped() != n-4 {
		t.Fatalf("dropped: slow=%d fast=%d bus=%d, want %d/0/%d", slow.Dropped(), fast.Dropped(), b.Dropped(), n-4, n-4)
	}
}

func TestCloseUnsubscribesAndIsIdempotent(t *testing.T) {
	b := NewBus()
	s := b.Subscribe(1)
	s.Close()
	s.Close()
	b.Publish(NoticePayload{}) // must not panic on a closed channel
	if _, ok := <-s.C; ok {
		t.Fatal("closed subscription delivered an event")
	}
}

func TestConcurrentPublishSubscribe(t *testing.T) {
	b := NewBus()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				b.Publish(LogAppendedPayload{ID: uint64(j)})
			}
		}()
		go func() {
			defer wg.Done()
			s := b.Subscribe(8)
			for j := 0; j < 50; j++ {
				select {
				case <-s.C:
				default:
				}
			}
			s.Close()
		}()
	}
	wg.Wait()
	s := b.Subscribe(1)
	b.Publish(NoticePayload{Title: "after"})
	if ev := <-s.C; ev.Payload.(NoticePayload).Title != "after" {
		t.Fatalf("bus unusable after concurrent use: %+v", ev)
	}
}

func BenchmarkPublish(b *testing.B) {
	bus := NewBus()
	for i := 0; i < 4; i++ {
		bus.Subscribe(64)
	}
	b.ReportAllocs()
	for b.Loop() {
		bus.Publish(LogAppendedPayload{ID: 1})
	}
}
