package pipeline

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/audio"
	"github.com/tonnytray/tonnytray/backend/whisper"
	"github.com/tonnytray/tonnytray/backend/wlksim"
)

// BenchmarkCaptureToSocket measures how long a captured frame waits before it is written to the speech
// server's socket, once the session is up (frames written in real time, 20 ms apart, like a microphone).
func BenchmarkCaptureToSocket(b *testing.B) {
	sim := wlksim.New(wlksim.Config{PCMInput: true})
	ts := httptest.NewServer(sim.Handler())
	defer ts.Close()
	ring := audio.NewRing(30 * audio.SampleRate)
	var mu sync.Mutex
	written := map[audio.Position]time.Time{}
	var waits []time.Duration
	src := ringSource{ring}
	done := make(chan Utterance, 1)
	p := New(Options{
		Source: src,
		Dial: func(ctx context.Context) (*whisper.Session, error) {
			return whisper.Dial(ctx, whisper.DialOptions{URL: ts.URL, ConfigWait: 5 * time.Second})
		},
		OnSent: func(pos audio.Position) {
			mu.Lock()
			if at, ok := written[pos]; ok {
				waits = append(waits, time.Since(at))
			}
			mu.Unlock()
		},
		Done: func(u Utterance) { done <- u },
	})
	if err := p.Begin("push_to_talk", ""); err != nil {
		b.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the session come up: this measures the steady state
	frame := make([]int16, 320)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mu.Lock()
		written[ring.End()] = time.Now()
		mu.Unlock()
		ring.Write(frame)
		time.Sleep(20 * time.Millisecond)
	}
	b.StopTimer()
	time.Sleep(100 * time.Millisecond)
	if err := p.End(); err != nil {
		b.Fatal(err)
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(waits) == 0 {
		b.Fatal("no frame was measured")
	}
	slices.Sort(waits)
	b.ReportMetric(float64(waits[len(waits)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(waits[len(waits)*95/100].Microseconds()), "p95-µs")
	b.ReportMetric(float64(waits[len(waits)-1].Microseconds()), "max-µs")
}
