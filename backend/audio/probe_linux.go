package audio

/*
#cgo pkg-config: alsa
#include <stdlib.h>
#include <alsa/asoundlib.h>

// probe_capture opens an ALSA PCM for capture without blocking, sets its hardware parameters and closes
// it again; it returns 0 or a negative errno.
static int probe_capture(const char *name) {
	snd_pcm_t *pcm;
	int err = snd_pcm_open(&pcm, name, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
	if (err < 0) return err;
	snd_pcm_hw_params_t *hw;
	snd_pcm_hw_params_alloca(&hw);
	unsigned int rate = 16000;
	if ((err = snd_pcm_hw_params_any(pcm, hw)) < 0 ||
	    (err = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels_near(pcm, hw, &(unsigned int){1})) < 0 ||
	    (err = snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, 0)) < 0) {
		snd_pcm_close(pcm);
		return err;
	}
	// Installing the parameters is what makes sound-server plugins (pulse) look the source up.
	err = snd_pcm_hw_params(pcm, hw);
	snd_pcm_close(pcm);
	return err < 0 ? err : 0;
}
*/
import "C"

import (
	"regexp"
	"syscall"
	"unsafe"
)

// alsaHW pulls the ALSA name out of PortAudio's names for hardware devices, "Card: Device (hw:0,0)".
var alsaHW = regexp.MustCompile(`\((hw:[0-9]+,[0-9]+)\)$`)

// alsaPresent reports whether the ALSA PCM behind a PortAudio ALSA device name opens for capture. It goes
// to ALSA directly because PortAudio prints every failed open to stderr. A busy device is present (it may
// be ours).
func alsaPresent(name string) bool {
	quiet()
	if m := alsaHW.FindStringSubmatch(name); m != nil {
		name = m[1]
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	err := int(C.probe_capture(cname))
	return err == 0 || syscall.Errno(-err) == syscall.EBUSY || syscall.Errno(-err) == syscall.EAGAIN
}
