package notify

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestMain runs the tests on a private session bus: never the desktop's.
func TestMain(m *testing.M) {
	stop, err := startBus()
	if err != nil {
		fmt.Fprintln(os.Stderr, "notify tests: private session bus:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func startBus() (func(), error) {
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dbus-daemon (apt-get install dbus): %w", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		return nil, err
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(line))
	return func() { cmd.Process.Kill(); cmd.Wait() }, nil
}

// server is a notification service that records what it is asked to show.
type server struct {
	mu   sync.Mutex
	got  []shown
	next uint32
}

type shown struct {
	App, Summary, Body string
	Replaces, ID       uint32
	Urgency            byte
}

func (s *server) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replaces
	if id == 0 {
		s.next++
		id = s.next
	}
	u, _ := hints["urgency"].Value().(byte)
	s.got = append(s.got, shown{App: app, Summary: summary, Body: body, Replaces: replaces, ID: id, Urgency: u})
	return id, nil
}

func (s *server) shown() []shown {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]shown(nil), s.got...)
}

func startServer(t *testing.T) *server {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &server{}
	if err := conn.Export(s, path, service); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(service, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", service, reply, err)
	}
	return s
}

func TestNoServiceIsAnErrorNotAHang(t *testing.T) {
	n := New("TonnyTray")
	defer n.Close()
	done := make(chan error, 1)
	go func() { done <- n.Send("", "Microphone", "gone", Normal) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoService) {
			t.Fatalf("Send without a service = %v, want ErrNoService", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send hung without a notification service")
	}
}

func TestNotificationsReachTheServiceAndReplaceByTag(t *testing.T) {
	s := startServer(t)
	n := New("TonnyTray")
	defer n.Close()
	if err := n.Send("n8n", "Tonny is unreachable", "the webhook is not registered", Critical); err != nil {
		t.Fatal(err)
	}
	if err := n.Send("n8n", "Tonny is unreachable", "still not registered", Critical); err != nil {
		t.Fatal(err)
	}
	if err := n.Send("", "Dictation", "on the clipboard", Normal); err != nil {
		t.Fatal(err)
	}
	got := s.shown()
	if len(got) != 3 {
		t.Fatalf("shown %d, want 3", len(got))
	}
	if got[0].App != "TonnyTray" || got[0].Summary != "Tonny is unreachable" || got[0].Urgency != Critical || got[0].Replaces != 0 {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].Replaces != got[0].ID || got[1].Body != "still not registered" {
		t.Errorf("the same tag must replace the first notification: %+v", got[1])
	}
	if got[2].Replaces != 0 || got[2].ID == got[0].ID {
		t.Errorf("an untagged notification must be new: %+v", got[2])
	}
}
