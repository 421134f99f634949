package typing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// run executes a tool with a time limit, feeding stdin (never a shell), and returns its stdout. The tool's
// stderr is folded into the error.
func run(ctx context.Context, timeout time.Duration, stdin, path string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A grandchild that inherited our pipes must not hold us past the deadline.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return stdout.String(), toolError(ctx, path, timeout, err, stderr.Bytes())
	}
	return stdout.String(), nil
}

// runServing executes a clipboard tool that forks a child to serve the selection (xclip -i, xsel -i,
// wl-copy). The child keeps whatever stdout/stderr it inherits open for as long as it owns the selection, so
// stderr goes to an unlinked temporary file instead of a pipe we would wait on, and stdout to /dev/null.
func runServing(ctx context.Context, timeout time.Duration, stdin, path string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	errFile, err := os.CreateTemp("", "tonnytray-clip-*")
	if err != nil {
		return fmt.Errorf("stderr file for %s: %w", path, err)
	}
	_ = os.Remove(errFile.Name())
	defer errFile.Close()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stderr = errFile
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		msg := make([]byte, 2048)
		n, _ := errFile.ReadAt(msg, 0)
		return toolError(ctx, path, timeout, err, msg[:n])
	}
	return nil
}

// toolError names the tool, the failure and the first lines of its stderr.
func toolError(ctx context.Context, path string, timeout time.Duration, err error, stderr []byte) error {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s did not finish within %s: %w", name, timeout, err)
	}
	if msg := strings.TrimSpace(string(stderr)); msg != "" {
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return fmt.Errorf("%s: %w: %s", name, err, strings.ReplaceAll(msg, "\n", "; "))
	}
	return fmt.Errorf("%s: %w", name, err)
}
