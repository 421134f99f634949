package bus

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"
)

// BenchmarkPublishConfirmed: events per second from Publish to the broker's confirm, through the store.
func BenchmarkPublishConfirmed(b *testing.B) {
	p := serve(b, openStore(b), fixed(config("")), nil, nil)
	eventually(b, 30*time.Second, "connected", func() bool { return p.State().State == StateConnected })
	e := SpeechStart(Who{Profile: "p", Role: "adult"}, "command")
	start := p.State().Published
	b.ResetTimer()
	t0 := time.Now()
	for range b.N {
		e.Body["id"] = NewID()
		if err := p.Publish(context.Background(), e); err != nil {
			b.Fatal(err)
		}
	}
	eventually(b, 5*time.Minute, "confirms", func() bool { return p.State().Published-start >= uint64(b.N) })
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
}

// BenchmarkPublishCall: the cost of Publish on the caller's path (validate, encode, one SQLite insert), with the
// broker up and with no broker at all — it must not depend on the network.
func BenchmarkPublishCall(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	nobody := l.Addr().String()
	l.Close()
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"up", config("")},
		{"down", Config{URL: "amqp://tonny@" + nobody + "/tonny", Password: "x"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := serve(b, openStore(b), fixed(c.cfg), nil, nil)
			e := SpeechStart(Who{Profile: "p", Role: "adult"}, "command")
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				e.Body["id"] = NewID()
				t0 := time.Now()
				if err := p.Publish(context.Background(), e); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(took)
			at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) }
			b.ReportMetric(at(0.5), "p50-µs")
			b.ReportMetric(at(0.99), "p99-µs")
			b.ReportMetric(at(1), "max-µs")
		})
	}
}
