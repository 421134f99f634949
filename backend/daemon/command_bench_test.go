package daemon

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/elevensim"
	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/n8nsim"
	"github.com/tonnytray/tonnytray/backend/settings"
)

// spoken records when replies reach the speaker (the TTS issue's player plugs in here).
type spoken struct {
	mu  sync.Mutex
	at  []time.Time
	got chan struct{}
}

func (s *spoken) Speak(context.Context, string) error {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
	s.got <- struct{}{}
	return nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkCommandPath measures the command path with the n8n simulator on loopback (header auth and
// signatures on): final text in → request on the wire, and request on the wire → reply handed to the speaker
// (the simulator answers at once, so this is TonnyTray's share plus one loopback HTTP response).
func BenchmarkCommandPath(b *testing.B) {
	sim := startN8N(b, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(b, sim, nil)
	sp := &spoken{got: make(chan struct{}, 1)}
	d.tonny.speaker = sp
	d.settings.Get() // warm
	toWire := make([]time.Duration, 0, b.N)
	toSpeaker := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := d.SendCommand(context.Background(), fmt.Sprintf("turn on light %d", i)); err != nil {
			b.Fatal(err)
		}
		select {
		case <-sp.got:
		case <-time.After(10 * time.Second):
			b.Fatal("no reply reached the speaker")
		}
		rec := sim.Received()[i]
		sp.mu.Lock()
		handed := sp.at[i]
		sp.mu.Unlock()
		toWire = append(toWire, rec.At.Sub(start))
		toSpeaker = append(toSpeaker, handed.Sub(rec.At))
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(toWire, 0.5).Microseconds())/1000, "text→wire-p50-ms")
	b.ReportMetric(float64(percentile(toWire, 0.95).Microseconds())/1000, "text→wire-p95-ms")
	b.ReportMetric(float64(percentile(toSpeaker, 0.5).Microseconds())/1000, "wire→speaker-p50-ms")
	b.ReportMetric(float64(percentile(toSpeaker, 0.95).Microseconds())/1000, "wire→speaker-p95-ms")
}

// BenchmarkOutboxDrain measures how fast 500 commands queued during an outage reach n8n once it is back
// ("retry now", so the circuit's 30 s probe wait is not part of the figure).
func BenchmarkOutboxDrain(b *testing.B) {
	sim := startN8N(b, n8nsim.RespondJSON)
	d, _ := tonnyDaemon(b, sim, nil)
	const backlog = 500
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := sim.SetDown(true); err != nil {
			b.Fatal(err)
		}
		for j := range backlog {
			if _, err := d.SendCommand(context.Background(), fmt.Sprintf("command %d/%d", i, j)); err != nil {
				b.Fatal(err)
			}
		}
		if err := sim.SetDown(false); err != nil {
			b.Fatal(err)
		}
		before := len(sim.Received())
		b.StartTimer()
		start := time.Now()
		if err := d.RetryOutbox(context.Background(), 0); err != nil {
			b.Fatal(err)
		}
		for len(sim.Received()) < before+backlog {
			if time.Since(start) > time.Minute {
				b.Fatalf("drain stalled at %d of %d", len(sim.Received())-before, backlog)
			}
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(backlog*b.N)/total.Seconds(), "commands/s")
}

// BenchmarkCachedReplyStart measures a cached reply: Speak → the player starts it (speech:state speaking,
// after its jitter buffer filled), with no network involved.
func BenchmarkCachedReplyStart(b *testing.B) {
	d, _, _, _ := voiceDaemon(b, elevensim.Config{}, nil)
	const reply = "The lights are on."
	if err := d.SpeakAndWait(context.Background(), reply); err != nil { // synthesized once, cached
		b.Fatal(err)
	}
	speech := watchSpeech(b, d)
	starts := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := d.Speak(context.Background(), reply); err != nil {
			b.Fatal(err)
		}
		speech.next(b, "speaking", func(p event.SpeechStatePayload) bool { return p.Speaking })
		starts = append(starts, time.Since(start))
		speech.next(b, "silence", func(p event.SpeechStatePayload) bool { return !p.Speaking })
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(starts, 0.5).Microseconds())/1000, "start-p50-ms")
	b.ReportMetric(float64(percentile(starts, 0.95).Microseconds())/1000, "start-p95-ms")
}

// BenchmarkTriggerRoundTrip measures a CLI trigger: the control socket call for pause (and resume) and its
// answer, as `tonnytray pause` makes it (without the process start).
func BenchmarkTriggerRoundTrip(b *testing.B) {
	h := newHarness(b)
	h.start(b)
	rtts := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := "pause"
		if i%2 == 1 {
			name = "resume"
		}
		start := time.Now()
		var st AppStateInfo
		if err := control.Call(context.Background(), h.socket, name, nil, &st); err != nil {
			b.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(rtts, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(rtts, 0.95).Microseconds())/1000, "p95-ms")
}

// BenchmarkHotkeyToListening measures a key press on the X display (xdotool, whose process start is
// included) until the app state says listening, and the second press until it does not.
func BenchmarkHotkeyToListening(b *testing.B) {
	if xErr != nil {
		b.Fatal(xErr)
	}
	h := newHarness(b)
	h.configure(b, func(s *settings.Settings) { s.Hotkeys.Toggle = "Ctrl+Alt+Y" })
	d, _ := h.start(b)
	for deadline := time.Now().Add(20 * time.Second); len(d.HotkeyStatus().Active) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("shortcut not grabbed: %+v", d.HotkeyStatus())
		}
	}
	states := d.Bus().Subscribe(64, event.AppState)
	defer states.Close()
	wait := func(listening bool) {
		timeout := time.After(20 * time.Second)
		for {
			select {
			case ev := <-states.C:
				if (ev.Payload.(event.AppStatePayload).State == StateListening) == listening {
					return
				}
			case <-timeout:
				b.Fatal("no state change after the key press")
			}
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := exec.Command("xdotool", "key", "--delay", "0", "ctrl+alt+y").Run(); err != nil {
			b.Fatal(err)
		}
		wait(true)
		lat = append(lat, time.Since(start))
		if err := exec.Command("xdotool", "key", "--delay", "0", "ctrl+alt+y").Run(); err != nil {
			b.Fatal(err)
		}
		wait(false)
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "press→listening-p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "press→listening-p95-ms")
}
