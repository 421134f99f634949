package audio

import (
	"bytes"
	"io"
	"os"
	"syscall"
	"testing"
)

// captureStderr runs fn with file descriptor 2 redirected, because ALSA and JACK write there from C.
func captureStderr(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(w.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	fn()
	syscall.Dup2(saved, 2)
	syscall.Close(saved)
	w.Close()
	return string(<-done)
}

// On a machine with no sound card ALSA prints dozens of "cannot find card" lines while PortAudio probes;
// on one with a sound server it lists devices. Either way Devices works and stderr stays clean.
func TestDevicesListsWithoutStderrNoise(t *testing.T) {
	var devs []Device
	var err error
	noise := captureStderr(t, func() { devs, err = Devices() })
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	if bytes.Contains([]byte(noise), []byte("ALSA lib")) || bytes.Contains([]byte(noise), []byte("jack server")) {
		t.Fatalf("device listing wrote to stderr:\n%s", noise)
	}
	for _, d := range devs {
		if d.Name == "" || d.InputChannels+d.OutputChannels == 0 {
			t.Errorf("device without name or channels: %+v", d)
		}
	}
	names, err := InputNames()
	if err != nil {
		t.Fatal(err)
	}
	inputs := 0
	for _, d := range devs {
		if d.InputChannels > 0 {
			inputs++
		}
	}
	if len(names) != inputs {
		t.Fatalf("InputNames = %v, want the %d devices with input channels", names, inputs)
	}
	t.Logf("%d devices, inputs %v", len(devs), names)
}
