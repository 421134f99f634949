package player

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/effects"
)

// source is the head of an item's signal chain: the jitter buffer as a beep.Streamer. It holds playback back
// until prebuffer samples are in (or the reader ended), then plays; when the buffer runs dry mid-item it
// plays silence, counts one underrun and buffers up again before going on, so a stall is one clean pause
// rather than a stutter of tiny gaps while data trickles back.
type source struct {
	j         *jitter
	prebuffer int
	started   bool
	ended     bool
}

func (s *source) Stream(dst [][2]float64) (int, bool) {
	if s.ended {
		return 0, false
	}
	eof := s.j.eof.Load() // before reading: everything written before eof is in the ring
	if !s.started {
		if !eof && s.j.buffered() < s.prebuffer {
			clear(dst)
			return len(dst), true
		}
		s.started = true
	}
	n := s.j.read(dst)
	if n == len(dst) {
		return n, true
	}
	if eof {
		s.ended = true
		return n, n > 0
	}
	s.j.underruns.Add(1)
	s.started = false
	clear(dst[n:])
	return len(dst), true
}

func (s *source) Err() error { return nil }

// fadeOut is how long a stopped item takes to fall silent: short enough for barge-in, long enough that
// cutting a waveform mid-swing does not click.
const fadeOut = 5 * time.Millisecond

// voice is the item being played: its chain (touched only by the audio callback) and the flags the callback
// and the Serve loop share.
type voice struct {
	e        *entry
	src      *source
	resample *beep.Resampler
	volume   *effects.Volume
	chain    beep.Streamer
	frames   [][2]float64

	ratio    float64 // item rate / device rate
	speed    float64 // applied speed, callback only
	gain     float64 // applied volume, callback only
	fade     float64 // 1 → 0 once stopping
	fadeStep float64

	stop     atomic.Bool // Interrupt asked
	finished atomic.Bool // the callback is done with this voice
}

func newVoice(e *entry, deviceRate int, speed, volume float64) *voice {
	v := &voice{
		e:        e,
		src:      &source{j: e.j, prebuffer: e.prebuffer},
		ratio:    float64(e.item.Rate) / float64(deviceRate),
		speed:    speed,
		fade:     1,
		fadeStep: 1 / (fadeOut.Seconds() * float64(deviceRate)),
		frames:   make([][2]float64, 512),
	}
	v.resample = beep.ResampleRatio(3, v.ratio*speed, v.src)
	v.volume = &effects.Volume{Streamer: v.resample, Base: 2}
	v.setVolume(volume)
	v.chain = v.volume
	return v
}

func (v *voice) setVolume(g float64) {
	v.gain = g
	v.volume.Silent = g <= 0
	if g > 0 {
		v.volume.Volume = math.Log2(g)
	}
}

// render writes the next len(out) samples of the item at the device rate; it returns false once the item
// has ended (played out, or faded after stop), with the rest of out silent. Audio callback only: no locks,
// no allocation.
func (v *voice) render(out []int16, speed, volume float64) bool {
	if speed != v.speed {
		v.speed = speed
		v.resample.SetRatio(v.ratio * speed)
	}
	if volume != v.gain {
		v.setVolume(volume)
	}
	for len(out) > 0 {
		frames := v.frames[:min(len(out), len(v.frames))]
		n, _ := v.chain.Stream(frames)
		stopping := v.stop.Load()
		sound := false
		for i, f := range frames[:n] {
			x := f[0]
			if stopping {
				v.fade = max(0, v.fade-v.fadeStep)
				x *= v.fade
			}
			x = math.Round(x * 32767)
			x = max(-32768, min(32767, x))
			out[i] = int16(x)
			sound = sound || out[i] != 0
		}
		if sound && v.e.j.firstSound.Load() == 0 {
			v.e.j.firstSound.Store(time.Now().UnixNano())
		}
		if n < len(frames) || (stopping && v.fade == 0) {
			clear(out[n:])
			return false
		}
		out = out[n:]
	}
	return true
}
