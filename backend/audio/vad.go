package audio

import (
	"errors"
	"fmt"
	"time"

	webrtcvad "github.com/baabaaox/go-webrtcvad"
)

// VADOptions configure voice activation.
type VADOptions struct {
	// Aggressiveness is WebRTC's mode, 0 (keeps most audio as speech) to 3 (filters most non-speech).
	Aggressiveness int
	// Frame is the analysis frame: 10, 20 or 30 ms (20 ms).
	Frame time.Duration
	// StartAfter is how much voiced audio in a row opens a speech segment (60 ms).
	StartAfter time.Duration
	// Silence is how much unvoiced audio in a row ends one (800 ms): the end-of-speech setting.
	Silence time.Duration
	// WarmUp is how long the detector only learns the noise floor after it starts (200 ms): in modes 0 and 1
	// WebRTC calls the first frames of any new noise floor voice.
	WarmUp time.Duration
}

// SpeechEvent is the start or end of a speech segment. Pos is the first voiced sample for a start and the
// sample after the last voiced frame for an end, both accurate to one analysis frame. WebRTC holds "voiced"
// for a short hangover after speech (about 50–150 ms, longer in modes 0 and 1), so ends err late, never early.
type SpeechEvent struct {
	Start bool
	Pos   Position
}

// VAD splits a stream of 16 kHz samples into speech segments with WebRTC's voice activity detector. It is
// not safe for concurrent use; Close releases it.
type VAD struct {
	inst     webrtcvad.VadInst
	frame    int // samples per analysis frame
	startN   int // voiced frames in a row that start speech
	silenceN int // unvoiced frames in a row that end it
	warmN    int // frames analysed before any speech may start
	frames   int // frames analysed so far
	buf      []int16
	bytes    []byte
	bufPos   Position // position of buf[0]
	inSpeech bool
	run      int      // length of the current voiced (outside speech) or unvoiced (inside) run
	runStart Position // where that run began
	started  bool
}

// NewVAD returns a segmenter; the zero VADOptions give mode 0, 20 ms frames, 60 ms to start, 800 ms to end.
func NewVAD(o VADOptions) (*VAD, error) {
	if o.Aggressiveness < 0 || o.Aggressiveness > 3 {
		return nil, fmt.Errorf("vad aggressiveness %d: want 0 to 3", o.Aggressiveness)
	}
	if o.Frame == 0 {
		o.Frame = 20 * time.Millisecond
	}
	if o.StartAfter <= 0 {
		o.StartAfter = 60 * time.Millisecond
	}
	if o.Silence <= 0 {
		o.Silence = 800 * time.Millisecond
	}
	if o.WarmUp == 0 {
		o.WarmUp = 200 * time.Millisecond
	}
	frame := int(SampleRate * o.Frame / time.Second)
	if !webrtcvad.ValidRateAndFrameLength(SampleRate, frame) {
		return nil, fmt.Errorf("vad frame %v: want 10, 20 or 30 ms", o.Frame)
	}
	inst := webrtcvad.Create()
	if inst == nil {
		return nil, errors.New("vad: out of memory")
	}
	if err := webrtcvad.Init(inst); err != nil {
		webrtcvad.Free(inst)
		return nil, fmt.Errorf("vad init: %w", err)
	}
	if err := webrtcvad.SetMode(inst, o.Aggressiveness); err != nil {
		webrtcvad.Free(inst)
		return nil, fmt.Errorf("vad mode: %w", err)
	}
	ceil := func(d time.Duration) int { return int((d + o.Frame - 1) / o.Frame) }
	return &VAD{inst: inst, frame: frame, startN: max(1, ceil(o.StartAfter)), silenceN: max(1, ceil(o.Silence)),
		warmN: ceil(o.WarmUp), bytes: make([]byte, 2*frame)}, nil
}

// Close frees the detector.
func (v *VAD) Close() {
	if v.inst != nil {
		webrtcvad.Free(v.inst)
		v.inst = nil
	}
}

// InSpeech reports whether a segment is open.
func (v *VAD) InSpeech() bool { return v.inSpeech }

// Push feeds consecutive samples starting at pos (any length; a gap in positions restarts the framing) and
// returns the speech starts and ends they complete.
func (v *VAD) Push(pos Position, samples []int16) ([]SpeechEvent, error) {
	if v.inst == nil {
		return nil, errors.New("vad: used after Close")
	}
	if !v.started || pos != v.bufPos+Position(len(v.buf)) {
		v.buf, v.bufPos, v.started = v.buf[:0], pos, true
	}
	v.buf = append(v.buf, samples...)
	var events []SpeechEvent
	for len(v.buf) >= v.frame {
		voiced, err := v.voiced(v.buf[:v.frame])
		if err != nil {
			return events, err
		}
		at := v.bufPos
		if v.frames < v.warmN {
			v.frames++
			voiced = false
		}
		if ev, ok := v.step(voiced, at); ok {
			events = append(events, ev)
		}
		v.buf = v.buf[v.frame:]
		v.bufPos += Position(v.frame)
	}
	// Keep the carry-over at the front so the slice does not creep through memory.
	v.buf = append(v.buf[:0:0], v.buf...)
	return events, nil
}

func (v *VAD) voiced(s []int16) (bool, error) {
	for i, x := range s {
		v.bytes[2*i], v.bytes[2*i+1] = byte(x), byte(uint16(x)>>8)
	}
	ok, err := webrtcvad.Process(v.inst, SampleRate, v.bytes, v.frame)
	if err != nil {
		return false, fmt.Errorf("vad: %w", err)
	}
	return ok, nil
}

// step advances the segmenter by one frame at position at.
func (v *VAD) step(voiced bool, at Position) (SpeechEvent, bool) {
	if !v.inSpeech {
		if !voiced {
			v.run = 0
			return SpeechEvent{}, false
		}
		if v.run == 0 {
			v.runStart = at
		}
		v.run++
		if v.run >= v.startN {
			v.inSpeech, v.run = true, 0
			return SpeechEvent{Start: true, Pos: v.runStart}, true
		}
		return SpeechEvent{}, false
	}
	if voiced {
		v.run = 0
		return SpeechEvent{}, false
	}
	if v.run == 0 {
		v.runStart = at
	}
	v.run++
	if v.run >= v.silenceN {
		v.inSpeech, v.run = false, 0
		return SpeechEvent{Start: false, Pos: v.runStart}, true
	}
	return SpeechEvent{}, false
}
