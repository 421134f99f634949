package player

import (
	"encoding/binary"
	"math"
)

// Cue is a short generated sound.
type Cue int

// Cues: listening started (rising two-tone), stopped (falling), an error (low double beep).
const (
	CueStart Cue = iota
	CueStop
	CueError
)

// tone is one part of a cue: a frequency (0 = a pause) for a duration in milliseconds.
type tone struct{ hz, ms float64 }

var cues = map[Cue][]tone{
	CueStart: {{660, 75}, {880, 75}},
	CueStop:  {{880, 75}, {660, 75}},
	CueError: {{330, 60}, {0, 30}, {330, 60}},
}

// CuePCM renders a cue (~150 ms) as signed 16-bit little-endian mono at rate, ready for an Item. Each tone
// rises and falls over 5 ms so it does not click; the level is moderate (-10 dBFS peak).
func CuePCM(c Cue, rate int) []byte {
	const amp = 0.3 * 32767
	ramp := int(0.005 * float64(rate))
	var out []byte
	for _, t := range cues[c] {
		n := int(t.ms / 1000 * float64(rate))
		for i := range n {
			v := 0.0
			if t.hz > 0 {
				env := 1.0
				if k := min(i, n-1-i); k < ramp {
					env = 0.5 - 0.5*math.Cos(math.Pi*float64(k)/float64(ramp))
				}
				v = amp * env * math.Sin(2*math.Pi*t.hz*float64(i)/float64(rate))
			}
			out = binary.LittleEndian.AppendUint16(out, uint16(int16(math.Round(v))))
		}
	}
	return out
}
