//go:build race

package audio

import "github.com/gordonklaus/portaudio"

// skipLowStreamIDs works around a portaudio binding bug that only the race detector's checkptr sees: the
// binding passes its stream ids (0, 1, 2, …) to C as pointers, and checkptr aborts the process on any
// "pointer" below 4096 other than nil, so a second stream could never open under -race. Failed opens use
// up ids, so a few thousand of them (no device involved, microseconds each) move the ids out of that range.
func skipLowStreamIDs() {
	paMu.Lock()
	defer paMu.Unlock()
	if portaudio.Initialize() != nil {
		return
	}
	defer portaudio.Terminate()
	for range 4096 {
		portaudio.OpenStream(portaudio.StreamParameters{}) // fails in argument checks, after taking an id
	}
}
