package audio

import (
	"math"
	"testing"
)

// A 48 kHz device resampled to 16 kHz in 20 ms buffers: the right number of samples, and a 1 kHz tone
// stays a clean 1 kHz tone across buffer boundaries.
func TestResampler48kTo16k(t *testing.T) {
	const from, frame = 48000, 320
	r := newResampler(from, SampleRate, frame)
	var out []int16
	in := make([]int16, 960)
	n := 0
	for range 50 { // one second
		for i := range in {
			in[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(n)/from))
			n++
		}
		out = append(out, r.process(in)...)
	}
	if len(out) < SampleRate-2 || len(out) > SampleRate+2 {
		t.Fatalf("%d samples out of one second, want %d", len(out), SampleRate)
	}
	ref := make([]int16, len(out))
	for i := range ref {
		ref[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/SampleRate))
	}
	ncc := nccAt(ref, out, 0) // a periodic tone: compare in place, no lag search
	t.Logf("NCC %.5f", ncc)
	if ncc < 0.999 {
		t.Fatalf("resampled tone: NCC %.5f", ncc)
	}
}

// A saved device name is found again after a restart renumbered the ALSA cards, unless that is ambiguous.
func TestMatchNameAcrossRenumbering(t *testing.T) {
	names := []string{"HDA Intel PCH: ALC892 Analog (hw:0,0)", "USB Mic: Audio (hw:2,0)", "pulse", "default"}
	for _, c := range []struct {
		want string
		i    int
	}{
		{"pulse", 2},
		{"USB Mic: Audio (hw:2,0)", 1},
		{"USB Mic: Audio (hw:1,0)", 1}, // enumerated as card 1 last time
		{"HDA Intel PCH: ALC892 Analog (hw:1,0)", 0},
		{"Other: Mic (hw:1,0)", -1},
		{"USB Mic: Audio", -1}, // only numbers are ignored, not missing
		{"", -1},
	} {
		if got := matchName(names, c.want); got != c.i {
			t.Errorf("matchName(%q) = %d, want %d", c.want, got, c.i)
		}
	}
	twins := []string{"USB Mic: Audio (hw:1,0)", "USB Mic: Audio (hw:2,0)"}
	if got := matchName(twins, "USB Mic: Audio (hw:3,0)"); got != -1 {
		t.Errorf("two identical mics, saved one gone: matched %d, want none", got)
	}
	if got := matchName(twins, "USB Mic: Audio (hw:2,0)"); got != 1 {
		t.Errorf("two identical mics, exact name: matched %d, want 1", got)
	}
}
