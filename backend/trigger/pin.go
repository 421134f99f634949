package trigger

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// TerminalPIN returns an Env.ReadPIN that prompts on out and reads a line from in without echoing it,
// or nil when in is not a terminal: a PIN is only ever typed by a person.
func TerminalPIN(in *os.File, out io.Writer) func(prompt string) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	return func(prompt string) (string, error) {
		fmt.Fprint(out, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(out) // the user's Enter was not echoed either
		return strings.TrimSpace(string(b)), err
	}
}
