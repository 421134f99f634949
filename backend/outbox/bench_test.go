package outbox

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/store"
)

// BenchmarkDrain measures how fast a backlog left by an outage drains when the far end answers at once:
// the store's share of the drain rate (the n8n round trip adds to it; see the daemon's benchmark).
func BenchmarkDrain(b *testing.B) {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const backlog = 500
	var total time.Duration
	for i := 0; i < b.N; i++ {
		f := newFar()
		q := New(Options{Store: st, Target: fmt.Sprintf("t%d", i), Deliver: f.deliver})
		for j := 0; j < backlog; j++ {
			if _, err := q.Enqueue(context.Background(), fmt.Sprintf("%d-%d", i, j), []byte(`{"text":"turn on the lights"}`), nil); err != nil {
				b.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		go func() { _ = q.Serve(ctx) }()
		for range backlog {
			<-f.arrived
		}
		total += time.Since(start)
		cancel()
	}
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "items/s")
}
