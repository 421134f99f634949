package snihost

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Bus is a private session bus (a dbus-daemon child process) for tests, so
// they never touch the desktop's bus.
type Bus struct {
	Address string // DBUS_SESSION_BUS_ADDRESS form
	cmd     *exec.Cmd
	dir     string
}

// StartBus starts `dbus-daemon --session` listening on a socket in a new
// temporary directory and waits (at most 10 s) for its address. It fails,
// rather than skipping, when dbus-daemon is not installed.
func StartBus() (*Bus, error) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		return nil, fmt.Errorf("snihost: dbus-daemon is required for tray tests (apt-get install dbus-daemon): %w", err)
	}
	dir, err := os.MkdirTemp("", "snibus-")
	if err != nil {
		return nil, fmt.Errorf("snihost: bus dir: %w", err)
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--nopidfile", "--print-address=1",
		"--address=unix:path="+filepath.Join(dir, "bus"))
	var stderr lockedBuffer // dbus-daemon chats (fd limits); shown only on failure
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("snihost: bus stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("snihost: start dbus-daemon: %w", err)
	}
	b := &Bus{cmd: cmd, dir: dir}
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case b.Address = <-addr:
	case <-time.After(10 * time.Second):
	}
	if b.Address == "" {
		b.Close()
		return nil, fmt.Errorf("snihost: dbus-daemon printed no address within 10 s: %s", stderr.String())
	}
	return b, nil
}

// Close stops the daemon and removes its socket directory.
func (b *Bus) Close() error {
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	return os.RemoveAll(b.dir)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
