package doctor

import (
	"fmt"

	"github.com/gordonklaus/portaudio"
)

// inputDevices lists the names of PortAudio devices that can record. PortAudio is initialised only for the
// duration of the call (Initialize/Terminate are reference counted, so a running capture is unaffected).
func inputDevices() (names []string, err error) {
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
		return nil, fmt.Errorf("list devices: %w", err)
	}
	for _, d := range devs {
		if d.MaxInputChannels > 0 {
			names = append(names, d.Name)
		}
	}
	return names, nil
}
