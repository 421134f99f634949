package audio

import (
	"testing"
	"time"
)

// The segmenter alone: voiced runs shorter than StartAfter are ignored, unvoiced runs shorter than Silence
// do not end a segment, and the positions are those of the first voiced and first trailing unvoiced frame.
func TestVADSegmenterSteps(t *testing.T) {
	v, err := NewVAD(VADOptions{Frame: 20 * time.Millisecond, StartAfter: 60 * time.Millisecond, Silence: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	//               a click   speech starts at frame 4    short pause    ends at 14
	pattern := "0" + "11" + "0" + "1111111" + "000" + "11" + "00000" + "0"
	var got []SpeechEvent
	for i, c := range pattern {
		if ev, ok := v.step(c == '1', Position(i*320)); ok {
			got = append(got, ev)
		}
	}
	want := []SpeechEvent{{Start: true, Pos: 4 * 320}, {Start: false, Pos: 16 * 320}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("events %+v, want %+v", got, want)
	}
}

func TestVADRejectsBadOptions(t *testing.T) {
	if _, err := NewVAD(VADOptions{Aggressiveness: 4}); err == nil {
		t.Error("aggressiveness 4 accepted")
	}
	if _, err := NewVAD(VADOptions{Frame: 25 * time.Millisecond}); err == nil {
		t.Error("25 ms frames accepted")
	}
}

// WebRTC's detector on real (synthesised) speech fed in odd-sized chunks: one segment, edges within
// ±150 ms of the envelope's for every frame size in modes 2 (the default) and 3; digital silence gives nothing.
func TestVADFindsSpeechEdges(t *testing.T) {
	sp := makeSpeech(t, speechText)
	silence := make([]int16, SampleRate)
	for mode := 0; mode <= 3; mode++ {
		for _, frame := range []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond} {
			v, err := NewVAD(VADOptions{Aggressiveness: mode, Frame: frame, Silence: 700 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			var evs []SpeechEvent
			base := Position(12345)
			pcm := append(append([]int16(nil), sp.pcm...), silence...) // room for the end-of-speech silence
			for off := 0; off < len(pcm); off += 333 {
				e, err := v.Push(base+Position(off), pcm[off:min(off+333, len(pcm))])
				if err != nil {
					t.Fatal(err)
				}
				evs = append(evs, e...)
			}
			v.Close()
			if len(evs) != 2 || !evs[0].Start || evs[1].Start {
				t.Errorf("mode %d frame %v: events %+v, want one start and one end", mode, frame, evs)
				continue
			}
			ds := ms(int(evs[0].Pos-base) - sp.start)
			de := ms(int(evs[1].Pos-base) - sp.end)
			t.Logf("mode %d frame %v: start %+.0f ms, end %+.0f ms from the envelope's edges", mode, frame, ds, de)
			// WebRTC's own hangover in modes 0 and 1 lengthens ends by up to ~160 ms here (late, the safe side).
			endLimit := 150.0
			if mode < 2 {
				endLimit = 200
			}
			if ds < -150 || ds > 150 || de < -150 || de > endLimit {
				t.Errorf("mode %d frame %v: edges off by %.0f / %.0f ms (limits ±150 / -150..+%.0f)", mode, frame, ds, de, endLimit)
			}
		}
	}
	v, _ := NewVAD(VADOptions{Aggressiveness: 3})
	defer v.Close()
	if evs, _ := v.Push(0, make([]int16, 5*SampleRate)); len(evs) != 0 {
		t.Errorf("silence gave events %+v", evs)
	}
}

func ms(samples int) float64 { return float64(samples) * 1000 / SampleRate }
