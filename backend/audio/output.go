package audio

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gordonklaus/portaudio"
)

// ErrNoOutput wraps every failure to open an output device: a missing device, a sound server without sinks,
// a driver that never starts pulling samples.
var ErrNoOutput = errors.New("no audio output")

// outputOpenTimeout bounds OpenOutput: opening, starting and the device's first request for samples.
const outputOpenTimeout = 5 * time.Second

// OutputStream is an open output device; Close stops it.
type OutputStream interface{ Close() error }

// OpenOutput opens an output device by name ("" = default), mono s16 at rate, or at the device's own rate
// when it refuses rate (the rate actually used is returned and fill must produce samples at it). fill is
// called on PortAudio's thread: it must not block or allocate, and it writes exactly len(out) samples.
// OpenOutput returns once the device has asked for its first buffer, so an output that opens but never
// plays (beep's speaker hangs on those) is an error here, within a few seconds. It returns the device name.
func OpenOutput(name string, rate, frameSamples int, fill func(out []int16)) (OutputStream, string, int, error) {
	return openOutput(name, rate, frameSamples, fill, outputOpenTimeout)
}

// ProbeOutput opens the output device ("" = default), waits for it to ask for samples (it plays silence)
// and closes it, all within timeout. The error names the device and PortAudio's reason.
func ProbeOutput(name string, timeout time.Duration) error {
	zero := func(out []int16) { clear(out) }
	s, _, _, err := openOutput(name, 48000, 480, zero, timeout)
	if err != nil {
		return err
	}
	return s.Close()
}

type outputOpen struct {
	s    *paOutput
	name string
	rate int
	err  error
}

// openOutput runs the open on its own goroutine so a wedged driver cannot hang the caller past timeout. When
// the open gives up late, that goroutine closes what it opened; if it is stuck in C for good it is leaked
// (holding paMu, so later opens time out too — with an error rather than a hang).
func openOutput(name string, rate, frameSamples int, fill func(out []int16), timeout time.Duration) (OutputStream, string, int, error) {
	label := name
	if label == "" {
		label = "default"
	}
	done := make(chan outputOpen, 1)
	started := time.Now()
	go func() {
		s, dev, used, err := openPortAudioOutput(name, rate, frameSamples, fill)
		if err == nil {
			select {
			case <-s.first:
			case <-time.After(timeout - time.Since(started)):
				s.Close()
				err = fmt.Errorf("output device %q opened but never asked for samples within %v", dev, timeout)
			}
		}
		done <- outputOpen{s, dev, used, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, "", 0, fmt.Errorf("%w: %w", ErrNoOutput, r.err)
		}
		return r.s, r.name, r.rate, nil
	case <-timer.C:
		go func() {
			if r := <-done; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, "", 0, fmt.Errorf("%w: opening output device %q did not finish within %v (the sound system hangs)", ErrNoOutput, label, timeout)
	}
}

// paOutput is one running PortAudio output stream.
type paOutput struct {
	once   sync.Once
	stream *portaudio.Stream
	called atomic.Bool
	first  chan struct{} // closed on the first callback
}

// Close stops and closes the stream and releases PortAudio.
func (s *paOutput) Close() (err error) {
	s.once.Do(func() { err = closeStream(s.stream) })
	return err
}

// findOutput returns the named output device, or the default one for "".
func findOutput(name string) (*portaudio.DeviceInfo, error) {
	if name == "" {
		d, err := portaudio.DefaultOutputDevice()
		if err != nil {
			return nil, fmt.Errorf("default output device: %w", detailed(err))
		}
		return d, nil
	}
	d, names, err := findDevice(name, func(d *portaudio.DeviceInfo) bool { return d.MaxOutputChannels > 0 })
	if err == nil && d == nil {
		err = fmt.Errorf("output device %q not found among %q", name, names)
	}
	return d, err
}

// openPortAudioOutput opens and starts the device under paMu.
func openPortAudioOutput(name string, rate, frameSamples int, fill func(out []int16)) (_ *paOutput, _ string, _ int, err error) {
	quiet()
	paMu.Lock()
	defer paMu.Unlock()
	if err := portaudio.Initialize(); err != nil {
		return nil, "", 0, fmt.Errorf("initialize portaudio: %w", detailed(err))
	}
	defer func() {
		if err != nil {
			portaudio.Terminate()
		}
	}()
	dev, err := findOutput(name)
	if err != nil {
		return nil, "", 0, err
	}
	s := &paOutput{first: make(chan struct{})}
	callback := func(out []int16) {
		fill(out)
		if !s.called.Load() && s.called.CompareAndSwap(false, true) {
			close(s.first)
		}
	}
	params := portaudio.StreamParameters{
		Output:          portaudio.StreamDeviceParameters{Device: dev, Channels: 1, Latency: outLatency(dev)},
		SampleRate:      float64(rate),
		FramesPerBuffer: frameSamples,
	}
	s.stream, err = portaudio.OpenStream(params, callback)
	if errors.Is(err, portaudio.InvalidSampleRate) && dev.DefaultSampleRate > 0 {
		params.SampleRate = dev.DefaultSampleRate
		params.FramesPerBuffer = int(float64(frameSamples) * dev.DefaultSampleRate / float64(rate))
		s.stream, err = portaudio.OpenStream(params, callback)
	}
	if err != nil {
		return nil, "", 0, fmt.Errorf("open output device %q: %w", dev.Name, detailed(err))
	}
	if err := s.stream.Start(); err != nil {
		s.stream.Close()
		return nil, "", 0, fmt.Errorf("start output device %q: %w", dev.Name, detailed(err))
	}
	return s, dev.Name, int(params.SampleRate), nil
}

// minOutputLatency is the least output latency asked for. ALSA's pulse plugin reports a few milliseconds
// for "default"; with 30 ms a busy machine (the -race tests, 2 cores) already let the device run dry every
// few hundred milliseconds (recordings slipped by 4–16 ms), with 60 ms it did not. It is also what barge-in
// cannot take back: the device buffer already written.
const minOutputLatency = 60 * time.Millisecond

func outLatency(dev *portaudio.DeviceInfo) time.Duration {
	return max(dev.DefaultLowOutputLatency, minOutputLatency)
}
