package wlksim

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"
)

// speechAmplitude is the level of Speech: far above DefaultSpeechRMS, far below clipping.
const speechAmplitude = 8000

// Speech returns d of voiced s16le 16 kHz mono PCM: a 250 Hz square wave.
// Every sample has the same magnitude, so any slice of it is voiced.
func Speech(d time.Duration) []byte {
	n := samplesOf(d)
	b := make([]byte, 2*n)
	for i := int64(0); i < n; i++ {
		v := int16(speechAmplitude)
		if (i/32)%2 == 1 { // 32 samples per half period: 250 Hz
			v = -speechAmplitude
		}
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// Silence returns d of digital silence as s16le 16 kHz mono PCM.
func Silence(d time.Duration) []byte {
	return make([]byte, 2*samplesOf(d))
}

// WAVHeader returns a 44-byte streaming WAV header (sizes 0xFFFFFFFF) for
// s16le 16 kHz mono, what a client sends first to a server without --pcm-input.
func WAVHeader() []byte {
	h := make([]byte, 44)
	copy(h, "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 0xFFFFFFFF)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], 1) // mono
	binary.LittleEndian.PutUint32(h[24:], SampleRate)
	binary.LittleEndian.PutUint32(h[28:], BytesPerSecond)
	binary.LittleEndian.PutUint16(h[32:], BytesPerSample)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], 0xFFFFFFFF)
	return h
}

// ParseScript splits a script text into utterances, one per non-blank line.
func ParseScript(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// maxContainerHeader bounds how much the ffmpeg-mode sniffer buffers.
const maxContainerHeader = 64 << 10

type inputState int

const (
	inputSniff inputState = iota
	inputPCM
	inputOpaque // a container ffmpeg would decode but the simulator cannot
	inputFailed
)

// inputDecoder stands in for ffmpeg when the server runs without
// --pcm-input: a WAV stream is unwrapped to its PCM, WebM and Ogg are
// accepted but not decoded (they yield no audio), and anything else (such as
// headerless PCM) makes ffmpeg fail.
type inputDecoder struct {
	state inputState
	hdr   []byte
}

func newInputDecoder(pcmInput bool) *inputDecoder {
	if pcmInput {
		return &inputDecoder{state: inputPCM}
	}
	return &inputDecoder{}
}

// decode returns the PCM in b, and failed=true the first time the input
// turns out to be undecodable.
func (d *inputDecoder) decode(b []byte) (pcm []byte, failed bool) {
	switch d.state {
	case inputPCM:
		return b, false
	case inputOpaque, inputFailed:
		return nil, false
	}
	d.hdr = append(d.hdr, b...)
	h := d.hdr
	if len(h) < 4 {
		return nil, false
	}
	switch {
	case bytes.HasPrefix(h, []byte{0x1A, 0x45, 0xDF, 0xA3}), bytes.HasPrefix(h, []byte("OggS")):
		d.state, d.hdr = inputOpaque, nil
		return nil, false
	case !bytes.HasPrefix(h, []byte("RIFF")):
		d.state, d.hdr = inputFailed, nil
		return nil, true
	case len(h) < 12:
		return nil, false
	case string(h[8:12]) != "WAVE":
		d.state, d.hdr = inputFailed, nil
		return nil, true
	}
	for off := 12; off+8 <= len(h); {
		size := int(binary.LittleEndian.Uint32(h[off+4:]))
		if string(h[off:off+4]) == "data" {
			d.state = inputPCM
			rest := h[off+8:]
			d.hdr = nil
			return rest, false
		}
		if size < 0 || size > maxContainerHeader {
			break
		}
		off += 8 + size + size%2
	}
	if len(h) > maxContainerHeader {
		d.state, d.hdr = inputFailed, nil
		return nil, true
	}
	return nil, false
}
