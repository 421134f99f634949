package typing

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// clipTimeout bounds one clipboard read or write; an unresponsive selection owner must not hang us.
const clipTimeout = 5 * time.Second

// selection is an X11/Wayland selection.
type selection string

const (
	selClipboard selection = "clipboard" // Ctrl+V
	selPrimary   selection = "primary"   // middle click and, in xterm and urxvt, Shift+Insert
)

// clipboard reads and writes selections with one tool.
type clipboard struct {
	tool      string // "xclip", "xsel" or "wl-copy"
	path      string
	pastePath string // wl-paste, for reading on Wayland; may be ""
}

func newClipboard(tool string, sys system) clipboard {
	c := clipboard{tool: tool, path: sys.path(tool)}
	if tool == "wl-copy" {
		c.pastePath = sys.path("wl-paste")
	}
	return c
}

// set makes text the content of the selection; the tool keeps serving it in the background.
func (c clipboard) set(ctx context.Context, sel selection, text string) error {
	var args []string
	switch c.tool {
	case "xclip":
		args = []string{"-selection", string(sel), "-i"}
	case "xsel":
		args = []string{"--" + string(sel), "--input"}
	case "wl-copy":
		// An explicit type stops wl-copy from guessing one from the content (text that looks like HTML).
		args = []string{"--type", "text/plain;charset=utf-8"}
		if sel == selPrimary {
			args = append(args, "--primary")
		}
	default:
		return errors.New("no clipboard tool")
	}
	if err := runServing(ctx, clipTimeout, text, c.path, args...); err != nil {
		return err
	}
	return c.confirm(ctx, sel, text)
}

// confirm waits until the selection serves text. xclip, xsel and wl-copy fork a child that takes ownership
// of the selection after the parent has exited, so without this a paste key sent at once may paste the old
// content.
func (c clipboard) confirm(ctx context.Context, sel selection, text string) error {
	if c.tool == "wl-copy" && c.pastePath == "" {
		return nil // nothing to read it back with
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		got, err := c.get(ctx, sel)
		if err == nil && got == text {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not take over the %s selection within 2 s", c.tool, sel)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// get returns the selection's text; an error when it is empty, not text, or cannot be read.
func (c clipboard) get(ctx context.Context, sel selection) (string, error) {
	path, args := c.path, []string(nil)
	switch c.tool {
	case "xclip":
		args = []string{"-selection", string(sel), "-o"}
	case "xsel":
		args = []string{"--" + string(sel), "--output"}
	case "wl-copy":
		if c.pastePath == "" {
			return "", errors.New("wl-paste is not installed")
		}
		path, args = c.pastePath, []string{"--no-newline", "--type", "text"}
		if sel == selPrimary {
			args = append(args, "--primary")
		}
	default:
		return "", errors.New("no clipboard tool")
	}
	out, err := run(ctx, clipTimeout, "", path, args...)
	if err != nil {
		return "", err
	}
	if out == "" {
		return "", errors.New("the selection is empty")
	}
	return out, nil
}

// CopyToClipboard puts text on the clipboard only; the daemon uses it when typing is disabled.
func CopyToClipboard(ctx context.Context, o Options, text string) error {
	sys := newSystem(o)
	sess := DetectSession(sys.getenv)
	tool := clipboardTool(sess, sys)
	if tool == "" {
		if sess.Kind == KindNone {
			return fmt.Errorf("copy to clipboard: %s", noSession)
		}
		return errors.New("copy to clipboard: no clipboard tool is installed (xclip, xsel or wl-clipboard)")
	}
	if err := newClipboard(tool, sys).set(ctx, selClipboard, text); err != nil {
		return fmt.Errorf("copy to clipboard: %w", err)
	}
	return nil
}
