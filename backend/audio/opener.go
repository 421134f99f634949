package audio

import (
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/gordonklaus/portaudio"
)

// SampleRate is the capture rate: 16 kHz mono signed 16-bit, what the speech server takes.
const SampleRate = 16000

// ErrDeviceNotFound reports a named input device that is not in the device list.
var ErrDeviceNotFound = errors.New("audio input device not found")

// Callback receives captured samples (16 kHz mono) and flags whether the device reported lost input. It
// runs on the audio thread and must only copy.
type Callback func(samples []int16, overflow bool)

// Opener opens input devices; the Capturer uses PortAudio's, tests inject fakes.
type Opener interface {
	// Open opens and starts the named input device ("" for the default) delivering frameSamples-sized
	// buffers at SampleRate to cb. It returns the opened device's name.
	Open(name string, frameSamples int, cb Callback) (InputStream, string, error)
	// Available reports whether the named device can be opened now (used to notice it coming back).
	Available(name string) bool
}

// InputStream is one open, running input stream.
type InputStream interface {
	Close() error
}

// PortAudioOpener opens devices through PortAudio.
type PortAudioOpener struct{}

type paStream struct {
	once   sync.Once
	stream *portaudio.Stream
}

// Close stops and closes the stream and releases PortAudio; it may block if the device hangs, which is why
// the Capturer calls it off its own goroutine.
func (s *paStream) Close() (err error) {
	s.once.Do(func() { err = closeStream(s.stream) })
	return err
}

// closeStream aborts and closes a stream and releases its reference on PortAudio, under paMu.
func closeStream(st *portaudio.Stream) error {
	paMu.Lock()
	defer paMu.Unlock()
	err := st.Abort()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if terr := portaudio.Terminate(); err == nil {
		err = terr
	}
	return err
}

// findInput returns the named input device, or the default one for "".
func findInput(name string) (*portaudio.DeviceInfo, error) {
	if name == "" {
		d, err := portaudio.DefaultInputDevice()
		if err != nil {
			return nil, fmt.Errorf("default input device: %w", err)
		}
		return d, nil
	}
	d, _, err := findDevice(name, func(d *portaudio.DeviceInfo) bool { return d.MaxInputChannels > 0 })
	if err == nil && d == nil {
		err = fmt.Errorf("%w: %q", ErrDeviceNotFound, name)
	}
	return d, err
}

// findDevice returns the device named name among those that fit (nil when none matches), and their names.
func findDevice(name string, fits func(*portaudio.DeviceInfo) bool) (*portaudio.DeviceInfo, []string, error) {
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, nil, fmt.Errorf("list audio devices: %w", err)
	}
	var found []*portaudio.DeviceInfo
	var names []string
	for _, d := range devs {
		if fits(d) {
			found = append(found, d)
			names = append(names, d.Name)
		}
	}
	if i := matchName(names, name); i >= 0 {
		return found[i], names, nil
	}
	return nil, names, nil
}

// matchName finds a saved device name among names: exactly, or else ignoring the ALSA card and device
// numbers PortAudio appends ("USB Mic: Audio (hw:2,0)"), which change when cards enumerate in another order
// after a restart or re-plug — but only when that leaves one candidate. It returns -1 for no match.
func matchName(names []string, want string) int {
	for i, n := range names {
		if n == want {
			return i
		}
	}
	base := alsaHWSuffix.ReplaceAllString(want, "")
	if base == want {
		return -1
	}
	found := -1
	for i, n := range names {
		if alsaHWSuffix.ReplaceAllString(n, "") == base {
			if found >= 0 {
				return -1 // two identical devices: the numbers were the only difference
			}
			found = i
		}
	}
	return found
}

// alsaHWSuffix is the " (hw:C,D)" PortAudio appends to ALSA hardware device names.
var alsaHWSuffix = regexp.MustCompile(` \(hw:[0-9]+,[0-9]+\)$`)

// Open implements Opener. It asks the device for 16 kHz mono; a device that cannot do 16 kHz is opened at
// its own rate and resampled in the callback (a few multiplies per sample).
func (PortAudioOpener) Open(name string, frameSamples int, cb Callback) (_ InputStream, _ string, err error) {
	quiet()
	paMu.Lock()
	defer paMu.Unlock()
	if err := portaudio.Initialize(); err != nil {
		return nil, "", fmt.Errorf("initialize portaudio: %w", err)
	}
	defer func() {
		if err != nil {
			portaudio.Terminate()
		}
	}()
	dev, err := findInput(name)
	if err != nil {
		return nil, "", err
	}
	params := portaudio.StreamParameters{
		Input:           portaudio.StreamDeviceParameters{Device: dev, Channels: 1, Latency: dev.DefaultLowInputLatency},
		SampleRate:      SampleRate,
		FramesPerBuffer: frameSamples,
	}
	callback := func(in []int16, _ portaudio.StreamCallbackTimeInfo, flags portaudio.StreamCallbackFlags) {
		cb(in, flags&portaudio.InputOverflow != 0)
	}
	stream, err := portaudio.OpenStream(params, callback)
	if errors.Is(err, portaudio.InvalidSampleRate) && dev.DefaultSampleRate > 0 {
		rs := newResampler(dev.DefaultSampleRate, SampleRate, frameSamples)
		params.SampleRate = dev.DefaultSampleRate
		params.FramesPerBuffer = int(float64(frameSamples) * dev.DefaultSampleRate / SampleRate)
		stream, err = portaudio.OpenStream(params, func(in []int16, _ portaudio.StreamCallbackTimeInfo, flags portaudio.StreamCallbackFlags) {
			cb(rs.process(in), flags&portaudio.InputOverflow != 0)
		})
	}
	if err != nil {
		return nil, "", fmt.Errorf("open input device %q: %w", dev.Name, detailed(err))
	}
	if err := stream.Start(); err != nil {
		stream.Close()
		return nil, "", fmt.Errorf("start input device %q: %w", dev.Name, detailed(err))
	}
	return &paStream{stream: stream}, dev.Name, nil
}

// Available implements Opener: the device is listed and opens at 16 kHz (or its own rate).
func (PortAudioOpener) Available(name string) bool {
	quiet()
	paMu.Lock()
	defer paMu.Unlock()
	if err := portaudio.Initialize(); err != nil {
		return false
	}
	defer portaudio.Terminate()
	dev, err := findInput(name)
	if err != nil {
		return false
	}
	if dev.HostApi != nil && dev.HostApi.Type == portaudio.ALSA {
		return alsaPresent(dev.Name)
	}
	p := portaudio.StreamParameters{Input: portaudio.StreamDeviceParameters{Device: dev, Channels: 1, Latency: dev.DefaultLowInputLatency}, SampleRate: SampleRate}
	if portaudio.IsFormatSupported(p, make([]int16, 1)) == nil {
		return true
	}
	p.SampleRate = dev.DefaultSampleRate
	return portaudio.IsFormatSupported(p, make([]int16, 1)) == nil
}

// resampler converts a mono stream between rates by linear interpolation, keeping state across buffers.
// It allocates only up front, so it is cheap enough for the audio callback.
type resampler struct {
	step float64 // input samples per output sample
	t    float64 // read position relative to the current buffer, may be negative (-1 = last sample)
	last int16
	out  []int16
}

func newResampler(from, to float64, outFrame int) *resampler {
	return &resampler{step: from / to, out: make([]int16, 0, outFrame*2+8)}
}

func (r *resampler) process(in []int16) []int16 {
	r.out = r.out[:0]
	at := func(i int) float64 {
		if i < 0 {
			return float64(r.last)
		}
		return float64(in[i])
	}
	for {
		i := int(r.t+1) - 1 // floor for t >= -1
		if i+1 >= len(in) {
			break
		}
		f := r.t - float64(i)
		v := at(i)*(1-f) + at(i+1)*f
		if len(r.out) == cap(r.out) {
			break
		}
		r.out = append(r.out, int16(v))
		r.t += r.step
	}
	if len(in) > 0 {
		r.last = in[len(in)-1]
		r.t -= float64(len(in))
	}
	return r.out
}

// detailed gives errors whose text is empty (PortAudio's host errors sometimes are) a readable one.
func detailed(err error) error {
	if err.Error() != "" {
		return err
	}
	return fmt.Errorf("the sound system refused without saying why (%T): %w", err, err)
}
