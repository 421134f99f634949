// Package audio is TonnyTray's access to sound devices through PortAudio: the device list (the doctor and
// Settings use it), capture at 16 kHz mono into a ring buffer with pre-roll (Capturer), a level meter, a
// watchdog that falls back to the default device and takes the chosen one back, and voice activation (VAD).
//
// Pre-roll: Open the Capturer when the key goes down (or keep it open, "warm", between utterances), take
// Mark at key-down and Stream from that mark once the socket is up: nothing from the key press on is lost.
package audio

import (
	"fmt"
	"os"
	"sync"

	"github.com/gordonklaus/portaudio"
)

// Device is one PortAudio device as the user sees it.
type Device struct {
	Name           string `json:"name"`
	HostAPI        string `json:"hostApi"`
	InputChannels  int    `json:"inputChannels"`
	OutputChannels int    `json:"outputChannels"`
	DefaultRate    int    `json:"defaultRate"`
	DefaultInput   bool   `json:"defaultInput"`
	DefaultOutput  bool   `json:"defaultOutput"`
}

// quietOnce guards process-wide state: ALSA's error handler and the environment are per process.
var quietOnce sync.Once

// paMu serialises every PortAudio call but the stream callback: PortAudio and its Go binding keep
// process-wide state (the binding's initialisation count is unguarded) and are not safe for concurrent use.
var paMu sync.Mutex

// quiet stops ALSA and JACK from printing dozens of probe failures to stderr while PortAudio enumerates
// (every missing hardware card, every absent JACK server): real failures come back as errors instead.
func quiet() {
	quietOnce.Do(func() {
		silenceProbes()
		skipLowStreamIDs()
		if os.Getenv("JACK_NO_START_SERVER") == "" {
			os.Setenv("JACK_NO_START_SERVER", "1") // never spawn a JACK server just to list devices
		}
	})
}

// Devices lists every device. PortAudio is initialised only for the call (Initialize/Terminate are
// reference counted, so a running stream is unaffected).
func Devices() (list []Device, err error) {
	quiet()
	paMu.Lock()
	defer paMu.Unlock()
	if err := portaudio.Initialize(); err != nil {
		return nil, fmt.Errorf("initialize portaudio: %w", err)
	}
	defer func() {
		if terr := portaudio.Terminate(); terr != nil && err == nil {
			err = fmt.Errorf("terminate portaudio: %w", terr)
		}
	}()
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("list audio devices: %w", err)
	}
	for _, d := range devs {
		dev := Device{Name: d.Name, InputChannels: d.MaxInputChannels, OutputChannels: d.MaxOutputChannels, DefaultRate: int(d.DefaultSampleRate)}
		if d.HostApi != nil {
			dev.HostAPI = d.HostApi.Name
			dev.DefaultInput = d.HostApi.DefaultInputDevice == d
			dev.DefaultOutput = d.HostApi.DefaultOutputDevice == d
		}
		list = append(list, dev)
	}
	return list, nil
}

// InputNames lists the names of the devices that can record.
func InputNames() ([]string, error) {
	devs, err := Devices()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range devs {
		if d.InputChannels > 0 {
			names = append(names, d.Name)
		}
	}
	return names, nil
}
