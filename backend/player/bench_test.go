package player

import (
	"bytes"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFirstSample: from Enqueue of an item whose bytes are all there to the first non-silent sample
// handed to the device callback (real PortAudio → Pulse path, device already open), p50/p95; "first TTS
// byte → first sample to the device" minus the network. The first item, which opens the device, is
// reported as cold-ms.
func BenchmarkFirstSample(b *testing.B) {
	warm(b)
	firsts := make(chan time.Duration, 1)
	p := New(Options{Volume: 1})
	p.ended = func(e *entry) {
		if at := e.j.firstSound.Load(); at > 0 {
			firsts <- time.Unix(0, at).Sub(e.enqueued)
		} else {
			firsts <- -1
		}
	}
	serve(b, p)
	pcm := bytesOf(signal(40, 24000, 100*time.Millisecond))
	play := func() time.Duration {
		if err := wait(b, p.Enqueue(Item{ID: "b", PCM: bytes.NewReader(pcm), Rate: 24000}), 10*time.Second); err != nil {
			b.Fatal(err)
		}
		return <-firsts
	}
	cold := play()
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		lat = append(lat, play())
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(cold), "cold-ms")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkCPUWhileSpeaking: process CPU time (user+system, including PortAudio's and the ALSA pulse
// plugin's threads) per second of audio played through the real device. Run with -benchtime=1x.
func BenchmarkCPUWhileSpeaking(b *testing.B) {
	warm(b)
	p := New(Options{Volume: 1, Speed: 1})
	serve(b, p)
	const seconds = 5
	pcm := bytesOf(signal(50, 24000, seconds*time.Second))
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var used time.Duration
	for range b.N {
		before := cpu()
		if err := wait(b, p.Enqueue(Item{ID: "cpu", PCM: bytes.NewReader(pcm), Rate: 24000}), 30*time.Second); err != nil {
			b.Fatal(err)
		}
		used += cpu() - before
	}
	b.ReportMetric(float64(used)/float64(time.Millisecond)/float64(seconds*b.N), "cpu-ms/s-audio")
	b.ReportMetric(0, "ns/op")
}
