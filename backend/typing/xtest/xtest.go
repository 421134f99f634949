// Package xtest starts a private X display for tests that type, paste or read the clipboard.
package xtest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// StartXvfb starts a private Xvfb (its own display number through -displayfd, no TCP) and points DISPLAY at it
// for this process and the tools it runs; the caller's display is never used. stop kills it.
func StartXvfb() (func(), error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return nil, fmt.Errorf("Xvfb is not installed (apt-get install xvfb): %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-nolisten", "tcp", "-ac", "-screen", "0", "1280x800x24")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start Xvfb: %w", err)
	}
	w.Close()
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			stop()
			return nil, errors.New("Xvfb exited without reporting a display number")
		}
		os.Setenv("DISPLAY", ":"+n)
		os.Unsetenv("WAYLAND_DISPLAY")
		os.Setenv("XDG_SESSION_TYPE", "x11")
		return stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return nil, errors.New("Xvfb did not report a display number within 20 s")
	}
}
