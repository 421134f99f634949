package audio

import (
	"math"
	"testing"

	"github.com/tonnytray/tonnytray/backend/audio/audiotest"
)

// speech is espeak-ng speech converted to 16 kHz mono s16: the samples, the raw file ready for paplay
// (as WAV), and its true speech edges from the energy envelope.
type speech struct {
	pcm        []int16
	wav        string
	start, end int // first and one-past-last sample of speech
}

const speechText = "Hello Tonny. Please turn on the kitchen lights and tell me the weather for tomorrow."

// makeSpeech synthesises text, padded with half a second of silence on both sides so the edges are inside.
func makeSpeech(t testing.TB, text string) speech {
	t.Helper()
	sp := audiotest.Speak(t, text, 0.5)
	s := speech{pcm: sp.PCM, wav: sp.WAV}
	s.start, s.end = speechEdges(sp.PCM)
	if s.end <= s.start {
		t.Fatalf("no speech found in espeak-ng output (%d samples)", len(sp.PCM))
	}
	return s
}

// speechEdges finds where the energy envelope (10 ms windows) first and last exceeds 1% of its peak RMS.
func speechEdges(pcm []int16) (start, end int) {
	const win = SampleRate / 100
	var rms []float64
	peak := 0.0
	for i := 0; i+win <= len(pcm); i += win {
		var sum float64
		for _, v := range pcm[i : i+win] {
			sum += float64(v) * float64(v)
		}
		r := math.Sqrt(sum / win)
		rms = append(rms, r)
		peak = math.Max(peak, r)
	}
	start, end = -1, -1
	for i, r := range rms {
		if r > peak/100 {
			if start < 0 {
				start = i * win
			}
			end = (i + 1) * win
		}
	}
	return start, end
}

// bestLag finds the lag at which b[i+lag] best matches a[i]: a coarse search on 10 ms energy envelopes,
// then an exact one on samples around it. It returns the lag and the normalized cross-correlation there.
func bestLag(a, b []int16, maxLag int) (int, float64) {
	const win = SampleRate / 100
	env := func(x []int16) []float64 {
		e := make([]float64, len(x)/win)
		for i := range e {
			for _, v := range x[i*win : (i+1)*win] {
				e[i] += math.Abs(float64(v))
			}
		}
		return e
	}
	ea, eb := env(a), env(b)
	coarse, best := 0, math.Inf(-1)
	for l := -maxLag / win; l <= maxLag/win; l++ {
		var s float64
		for i := range ea {
			if j := i + l; j >= 0 && j < len(eb) {
				s += ea[i] * eb[j]
			}
		}
		if s > best {
			coarse, best = l*win, s
		}
	}
	lag, ncc := coarse, -1.0
	for l := coarse - 2*win; l <= coarse+2*win; l++ {
		if c := nccAt(a, b, l); c > ncc {
			lag, ncc = l, c
		}
	}
	return lag, ncc
}

// nccAt is the normalized cross-correlation of a[i] with b[i+lag] over their overlap.
func nccAt(a, b []int16, lag int) float64 {
	var ab, aa, bb float64
	for i, x := range a {
		j := i + lag
		if j < 0 || j >= len(b) {
			continue
		}
		fa, fb := float64(x), float64(b[j])
		ab += fa * fb
		aa += fa * fa
		bb += fb * fb
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}
