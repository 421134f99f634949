// Package event is TonnyTray's in-process event bus: typed `domain:action` events fanned out to bounded
// subscriber queues. A slow subscriber loses events (they are counted) but never blocks a producer, so the
// audio and network paths cannot be stalled by the UI.
package event

import (
	"sync"
	"sync/atomic"
	"time"
)

// Name is an event name of the form `domain:action`, e.g. `settings:changed`.
type Name string

// Payload is implemented by every typed event payload; the name is fixed per type.
type Payload interface {
	EventName() Name
}

// Event is one published payload with its name and time.
type Event struct {
	Name    Name      `json:"name"`
	Time    time.Time `json:"time"`
	Payload Payload   `json:"payload"`
}

// Bus fans events out to subscribers. The zero value is not usable; call NewBus.
type Bus struct {
	mu      sync.RWMutex
	subs    map[*Subscription]struct{}
	dropped atomic.Uint64
	now     func() time.Time
}

// NewBus returns an empty bus.
func NewBus() *Bus {
	return &Bus{subs: make(map[*Subscription]struct{}), now: time.Now}
}

// Subscription receives events on C until Close. Events that do not fit its buffer are dropped and counted.
type Subscription struct {
	C       <-chan Event
	ch      chan Event
	names   map[Name]struct{}
	bus     *Bus
	dropped atomic.Uint64
	once    sync.Once
}

// Subscribe returns a subscription with a queue of size buffer (at least 1). With no names it receives every
// event; otherwise only the named ones.
func (b *Bus) Subscribe(buffer int, names ...Name) *Subscription {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan Event, buffer)
	s := &Subscription{C: ch, ch: ch, bus: b}
	if len(names) > 0 {
		s.names = make(map[Name]struct{}, len(names))
		for _, n := range names {
			s.names[n] = struct{}{}
		}
	}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Publish delivers p to every interested subscriber without blocking.
func (b *Bus) Publish(p Payload) {
	ev := Event{Name: p.EventName(), Time: b.now(), Payload: p}
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs {
		if s.names != nil {
			if _, ok := s.names[ev.Name]; !ok {
				continue
			}
		}
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
			b.dropped.Add(1)
		}
	}
}

// Dropped is the number of deliveries dropped across all subscribers since the bus was made.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

// Dropped is the number of events this subscription lost because its queue was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close unsubscribes and closes C. It is safe to call more than once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.ch)
	})
}
