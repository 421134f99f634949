// Package ptytest helps tests that type into a program through a pseudo-terminal.
package ptytest

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// WaitEchoOff waits (up to 10 s) until the terminal behind the pty master ptmx stops echoing. A program
// prints its PIN prompt just before it turns echo off; a person reads the prompt before typing, so a test
// must wait for the echo to go too.
func WaitEchoOff(ptmx *os.File) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		tios, err := unix.IoctlGetTermios(int(ptmx.Fd()), unix.TCGETS)
		if err != nil {
			return err
		}
		if tios.Lflag&unix.ECHO == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the terminal still echoes 10 s after the prompt")
		}
		time.Sleep(time.Millisecond) // bounded by the deadline above
	}
}
