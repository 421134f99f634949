package typing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// keyTimeout bounds sending one paste key.
const keyTimeout = 5 * time.Second

// Result describes a successful insertion.
type Result struct {
	// Method is what inserted the text.
	Method Method
	// Duration is the time until the text was typed or the paste key sent, without the clipboard-restore wait.
	Duration time.Duration
}

// Error is an insertion failure, with a sentence for the user and whether the text was kept on the clipboard.
type Error struct {
	// Reason is a human sentence fragment, e.g. "no typing tool works on this Wayland session (…)".
	Reason string
	// OnClipboard is true when the text was left on the clipboard for the user to paste.
	OnClipboard bool
	// Err is the underlying error, if any.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	s := "insert text: " + e.Reason
	if e.OnClipboard {
		s += " (text left on the clipboard)"
	}
	if e.Err != nil && !strings.Contains(e.Reason, e.Err.Error()) {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Message is the text for a notification: what went wrong and where the text is now.
func (e *Error) Message() string {
	r := strings.TrimSuffix(e.Reason, ".")
	if e.OnClipboard {
		return "Could not type the text: " + r + ". It is on the clipboard — paste it with Ctrl+V (Ctrl+Shift+V in a terminal)."
	}
	return "Could not type the text: " + r + ", and it could not be put on the clipboard either."
}

// Inserter inserts text into the focused window. It detects the tools on every call, so installing one takes
// effect without a restart, and it inserts one text at a time.
type Inserter struct {
	o   Options
	sys system
	mu  sync.Mutex // two texts typed at once would interleave
}

// New returns an Inserter for o.
func New(o Options) *Inserter {
	return &Inserter{o: o, sys: newSystem(o)}
}

// Insert puts text into the focused window by pasting or typing. On any failure it leaves the text on the
// clipboard if at all possible and returns *Error. After a paste it waits Options.ClipboardRestore and then
// restores the previous clipboard, so it may block for that long.
func (i *Inserter) Insert(ctx context.Context, text string) (Result, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	start := time.Now()
	d := detect(ctx, i.o, i.sys)
	res := Result{Method: d.Chosen}
	if text == "" {
		return res, nil
	}
	var clip clipboard
	if d.Clipboard != "" {
		clip = newClipboard(d.Clipboard, i.sys)
	}
	switch d.Chosen {
	case "":
		return res, i.fallback(ctx, clip, text, d.reason, nil)
	case MethodClipboard:
		m, restore, err := i.paste(ctx, d, clip, text)
		res.Method, res.Duration = m, time.Since(start)
		if err != nil {
			return res, err
		}
		restore()
		return res, nil
	}
	if err := i.typeText(ctx, d.Chosen, text); err != nil {
		return res, i.fallback(ctx, clip, text, fmt.Sprintf("%s failed", d.Chosen), err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

// typeText types text key by key with tool m.
func (i *Inserter) typeText(ctx context.Context, m Method, text string) error {
	pieces := []string{text}
	premapped := false
	if m == MethodXdotool && !isASCII(text) {
		if restore, ok := i.premap(ctx, text); ok {
			defer restore()
			premapped = true
		} else {
			pieces = asciiRuns(text) // only the non-ASCII runs need xdotool's slow pace
		}
	}
	for _, piece := range pieces {
		delay := typingDelay(m, i.o.KeyDelay, piece)
		if premapped {
			delay = typingDelay(m, i.o.KeyDelay, "") // every character is on the keyboard now
		}
		args, stdin := typeCommand(m, piece, delay)
		// Generous: a stuck tool is cut off, a slow one on a busy machine is not.
		timeout := 10*time.Second + time.Duration(utf8.RuneCountInString(piece))*2*max(delay, xdotoolDefaultDelay)
		if _, err := run(ctx, timeout, stdin, i.sys.path(string(m)), args...); err != nil {
			return err
		}
	}
	return nil
}

// paste puts text on the clipboard and presses the paste key. It returns the method that inserted the text
// (typing when the clipboard could not be set) and a function that restores the old clipboard.
func (i *Inserter) paste(ctx context.Context, d Detection, clip clipboard, text string) (Method, func(), error) {
	key := focusedPasteKey(ctx, d, i.sys)
	sels := []selection{selClipboard}
	if key == keyShiftInsert {
		sels = append(sels, selPrimary)
	}
	saved := map[selection]string{}
	if i.o.ClipboardRestore > 0 {
		for _, s := range sels {
			// Only text can be saved; an image or an empty clipboard is left alone.
			if old, err := clip.get(ctx, s); err == nil {
				saved[s] = old
			}
		}
	}
	for _, s := range sels {
		if err := clip.set(ctx, s, text); err != nil {
			if s != selClipboard {
				return MethodClipboard, nil, &Error{Reason: "could not set the " + string(s) + " selection", OnClipboard: true, Err: err}
			}
			// The clipboard is broken but the key tool can still type.
			if terr := i.typeText(ctx, d.keyTool, text); terr != nil {
				return d.keyTool, nil, &Error{Reason: "could neither put the text on the clipboard nor type it with " + string(d.keyTool),
					Err: errors.Join(fmt.Errorf("clipboard: %w", err), fmt.Errorf("typing: %w", terr))}
			}
			return d.keyTool, func() {}, nil
		}
	}
	args, stdin := keyCommand(d.keyTool, key)
	if _, err := run(ctx, keyTimeout, stdin, i.sys.path(string(d.keyTool)), args...); err != nil {
		return MethodClipboard, nil, &Error{Reason: fmt.Sprintf("could not press %s with %s", key, d.keyTool), OnClipboard: true, Err: err}
	}
	return MethodClipboard, func() { i.restore(ctx, clip, saved, text) }, nil
}

// restore waits for the application to read the paste, then puts the old selections back — but only where
// ours is still there, because the user may have copied something meanwhile. A restore that fails is not an
// insertion failure: the text is in the window, and the user's old clipboard is what is lost.
func (i *Inserter) restore(ctx context.Context, clip clipboard, saved map[selection]string, text string) {
	if len(saved) == 0 {
		return
	}
	t := time.NewTimer(i.o.ClipboardRestore)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop() // shutting down: restore now rather than leave the dictated text behind
	}
	rctx := context.WithoutCancel(ctx)
	for s, old := range saved {
		if cur, err := clip.get(rctx, s); err == nil && cur == text {
			_ = clip.set(rctx, s, old)
		}
	}
}

// fallback leaves text on the clipboard after a failure and builds the error.
func (i *Inserter) fallback(ctx context.Context, clip clipboard, text, reason string, cause error) *Error {
	e := &Error{Reason: reason, Err: cause}
	if cause != nil {
		e.Reason = fmt.Sprintf("%s (%v)", reason, cause)
	}
	if clip.tool == "" {
		return e
	}
	// The caller's context may be what ended the typing; saving the user's words must not die with it.
	if err := clip.set(context.WithoutCancel(ctx), selClipboard, text); err != nil {
		e.Err = errors.Join(cause, fmt.Errorf("copy to clipboard: %w", err))
		return e
	}
	e.OnClipboard = true
	return e
}
