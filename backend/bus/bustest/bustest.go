// Package bustest runs a private RabbitMQ node for a test binary: its own node name, ports, data, logs, config
// and Erlang cookie in a temp dir, listening on 127.0.0.1 only, with no plugins. It needs the Debian
// rabbitmq-server package and fails (never skips) without it, so a machine that cannot run the bus tests says so.
//
// Start one per test binary from TestMain (a node takes seconds to boot):
//
//	func TestMain(m *testing.M) {
//		b, err := bustest.Start()
//		if err != nil { fmt.Fprintln(os.Stderr, err); os.Exit(1) }
//		code := m.Run()
//		b.Close()
//		os.Exit(code)
//	}
package bustest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The Debian package's own scripts: /usr/sbin/rabbitmq-server switches to the rabbitmq user with su, which
// drops the environment that makes the node private, so the unwrapped scripts are run instead.
var (
	serverBin = "/usr/lib/rabbitmq/bin/rabbitmq-server"
	ctlBin    = "/usr/lib/rabbitmq/bin/rabbitmqctl"
)

// Broker is a private RabbitMQ node.
type Broker struct {
	Node     string // Erlang node name, e.g. tt1234@localhost
	Port     int    // AMQP port on 127.0.0.1
	Dir      string // everything the node writes
	User     string // a user with all permissions on VHost
	Password string
	VHost    string

	env []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	out  *bytes.Buffer
}

// Start boots a node with a fresh temp dir, a user "tonny" with a random password and a vhost "tonny".
func Start() (*Broker, error) {
	for _, bin := range []string{serverBin, ctlBin} {
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("bustest: RabbitMQ is not installed (%s missing): apt-get install rabbitmq-server", bin)
		}
	}
	dir, err := os.MkdirTemp("", "bustest-")
	if err != nil {
		return nil, fmt.Errorf("bustest: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dist, err := freePort()
	if err != nil {
		return nil, err
	}
	b := &Broker{
		Node: fmt.Sprintf("tt%d@localhost", os.Getpid()), Port: port, Dir: dir,
		User: "tonny", Password: "pw-" + strconv.FormatInt(time.Now().UnixNano(), 36), VHost: "tonny",
	}
	conf := fmt.Sprintf("listeners.tcp.default = 127.0.0.1:%d\nloopback_users = none\nlog.console = false\nlog.file.level = warning\n", port)
	files := map[string]string{"rabbitmq.conf": conf, "enabled_plugins": "[].\n", "rabbitmq-env.conf": ""}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return nil, fmt.Errorf("bustest: %w", err)
		}
	}
	b.env = append(os.Environ(),
		"HOME="+dir, // a fresh .erlang.cookie, shared by the node and rabbitmqctl
		"RABBITMQ_NODENAME="+b.Node,
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(port),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(dist),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(dir, "log"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(dir, "rabbitmq.conf"),
		"RABBITMQ_ADVANCED_CONFIG_FILE="+filepath.Join(dir, "advanced.config"),
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(dir, "rabbitmq-env.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(dir, "enabled_plugins"),
		"RABBITMQ_PLUGINS_EXPAND_DIR="+filepath.Join(dir, "plugins-expand"),
		"RABBITMQ_PID_FILE="+filepath.Join(dir, "node.pid"),
		"ERL_CRASH_DUMP="+filepath.Join(dir, "erl_crash.dump"),
	)
	if err := b.Start(); err != nil {
		b.Close()
		return nil, err
	}
	for _, args := range [][]string{
		{"add_vhost", b.VHost},
		{"add_user", b.User, b.Password},
		{"set_permissions", "-p", b.VHost, b.User, ".*", ".*", ".*"},
		{"delete_user", "guest"}, // loopback_users = none would let guest in from 127.0.0.1
	} {
		if _, err := b.Ctl(args...); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// URL is the AMQP URL without the password, as TonnyTray's settings hold it.
func (b *Broker) URL() string {
	return fmt.Sprintf("amqp://%s@127.0.0.1:%d/%s", b.User, b.Port, url.PathEscape(b.VHost))
}

// FullURL includes the password, for test connections made directly with amqp091.
func (b *Broker) FullURL() string {
	return fmt.Sprintf("amqp://%s:%s@127.0.0.1:%d/%s", b.User, b.Password, b.Port, url.PathEscape(b.VHost))
}

// Addr is host:port of the AMQP listener.
func (b *Broker) Addr() string { return "127.0.0.1:" + strconv.Itoa(b.Port) }

// Ctl runs rabbitmqctl against the node and returns its output.
func (b *Broker) Ctl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctlBin, append([]string{"-n", b.Node}, args...)...)
	cmd.Env, cmd.Dir = b.env, b.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("bustest: rabbitmqctl %v: %w: %s", args, err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// Start starts the node (again, after Stop) and waits until it accepts connections.
func (b *Broker) Start() error {
	b.mu.Lock()
	if b.cmd != nil {
		b.mu.Unlock()
		return errors.New("bustest: broker already running")
	}
	cmd := exec.Command(serverBin)
	cmd.Env, cmd.Dir = b.env, b.Dir
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group so Kill reaches the shell and beam; Pdeathsig so a crashed test binary leaves no node.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.mu.Unlock()
		return fmt.Errorf("bustest: start rabbitmq-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	b.cmd, b.done, b.out = cmd, done, out
	b.mu.Unlock()

	deadline := time.Now().Add(120 * time.Second)
	for {
		select {
		case <-done:
			b.mu.Lock()
			b.cmd = nil
			b.mu.Unlock()
			return fmt.Errorf("bustest: rabbitmq-server exited during start-up: %s", tail(out.String()))
		default:
		}
		_, err := b.Ctl("await_startup", "--timeout", "60")
		if err == nil {
			if c, err := net.DialTimeout("tcp", b.Addr(), time.Second); err == nil {
				c.Close()
				return nil
			}
		}
		if time.Now().After(deadline) {
			_ = b.kill()
			return fmt.Errorf("bustest: rabbitmq-server did not start in time: %v; output: %s", err, tail(out.String()))
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// Stop stops the node gracefully (rabbitmqctl stop) and waits for its process to exit.
func (b *Broker) Stop() error {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_, err := b.Ctl("stop")
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		err = errors.Join(err, errors.New("bustest: rabbitmq-server did not exit after stop"))
		_ = b.kill()
	}
	b.mu.Lock()
	b.cmd = nil
	b.mu.Unlock()
	return err
}

// Restart stops the node and starts it again; durable queues and persistent messages survive.
func (b *Broker) Restart() error {
	if err := b.Stop(); err != nil {
		return err
	}
	return b.Start()
}

// Close stops the node and removes its directory.
func (b *Broker) Close() error {
	err := b.Stop()
	return errors.Join(err, os.RemoveAll(b.Dir))
}

// kill ends the node's process group (which this package started) and waits for it.
func (b *Broker) kill() error {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.cmd = nil
	b.mu.Unlock()
	if cmd == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("bustest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}
