package audio

/*
#cgo pkg-config: alsa
#cgo LDFLAGS: -ldl
#include <alsa/asoundlib.h>
#include <dlfcn.h>

static void alsa_discard(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
static void jack_discard(const char *msg) {}

// silence replaces ALSA's error printer and, when PortAudio's JACK host API pulled libjack in, JACK's error
// and info printers. libjack is looked up among the already-loaded libraries only (RTLD_NOLOAD), so TonnyTray
// does not depend on it.
static void silence(void) {
	snd_lib_error_set_handler(alsa_discard);
	void *jack = dlopen("libjack.so.0", RTLD_LAZY | RTLD_NOLOAD);
	if (!jack) return;
	void (*set_error)(void (*)(const char *)) = dlsym(jack, "jack_set_error_function");
	void (*set_info)(void (*)(const char *)) = dlsym(jack, "jack_set_info_function");
	if (set_error) set_error(jack_discard);
	if (set_info) set_info(jack_discard);
	dlclose(jack);
}
*/
import "C"

// silenceProbes stops ALSA and JACK from writing every failed device probe to stderr.
func silenceProbes() { C.silence() }
