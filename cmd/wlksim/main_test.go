package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tonnytray/tonnytray/backend/wlksim"
)

// wait bounds every wait on the child process.
const wait = 20 * time.Second

// proc is a running wlksim with its stderr collected line by line.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
	mu    sync.Mutex
	all   strings.Builder
	done  chan struct{}
	err   error // from Wait, valid after done
}

func start(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 4096), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.all.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody is waiting for lines this far on
			}
		}
		p.err = cmd.Wait() // after all reads, as exec requires
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.all.String()
}

// waitLine returns the first stderr line containing s.
func (p *proc) waitLine(s string) string {
	p.t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, s) {
				return l
			}
		case <-p.done:
			p.t.Fatalf("process exited before logging %q; stderr:\n%s", s, p.stderr())
		case <-deadline:
			p.t.Fatalf("no %q in stderr:\n%s", s, p.stderr())
		}
	}
}

// baseURL waits for uvicorn's "running" line and returns its URL.
func (p *proc) baseURL() string {
	p.t.Helper()
	l := p.waitLine("Uvicorn running on ")
	_, after, _ := strings.Cut(l, "running on ")
	return strings.Fields(after)[0]
}

// exitCode waits for the process and returns its exit status (-1: killed by a signal).
func (p *proc) exitCode() int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(wait):
		p.t.Fatalf("process did not exit; stderr:\n%s", p.stderr())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("wait: %v", p.err)
	}
	return 0
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := http.Client{Timeout: wait}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "wlksim")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestBinary(t *testing.T) {
	bin := buildBinary(t)

	t.Run("crash on start", func(t *testing.T) {
		p := start(t, bin, nil, "--port", "0", "--crash-on-start")
		if code := p.exitCode(); code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		out := p.stderr()
		for _, want := range []string{"Traceback (most recent call last):", "RuntimeError:", "Application startup failed. Exiting."} {
			if !strings.Contains(out, want) {
				t.Errorf("stderr lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "Uvicorn running") {
			t.Errorf("the port opened:\n%s", out)
		}
	})

	t.Run("serves and exits 0 on SIGTERM", func(t *testing.T) {
		p := start(t, bin, nil, "--port", "0", "--pcm-input", "--model", "tiny", "--backend", "faster-whisper",
			"--backend-policy", "localagreement", "--warmup-file", "", "--startup-delay", "100ms")
		p.waitLine("Waiting for application startup.")
		p.waitLine("Loading Whisper tiny model")
		base := p.baseURL()
		if !strings.HasPrefix(base, "http://127.0.0.1:") {
			t.Fatalf("listening on %s, want loopback", base)
		}
		if code, body := get(t, base+"/health"); code != 200 || body != `{"status":"ok","backend":"faster-whisper","ready":true}` {
			t.Fatalf("/health: %d %s", code, body)
		}
		if code, _ := get(t, base+"/"); code != 200 {
			t.Fatalf("/: %d", code)
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.exitCode(); code != 0 {
			t.Fatalf("exit %d, want 0; stderr:\n%s", code, p.stderr())
		}
		out := p.stderr()
		for _, want := range []string{"model=tiny", "backend=faster-whisper", "backend-policy=localagreement",
			`warmup-file=""`, "pcm-input=true", "Finished server process"} {
			if !strings.Contains(out, want) {
				t.Errorf("stderr lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("ignores SIGTERM when told", func(t *testing.T) {
		p := start(t, bin, nil, "--port", "0", "--ignore-sigterm")
		base := p.baseURL()
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		p.waitLine("ignoring it")
		if code, _ := get(t, base+"/health"); code != 200 {
			t.Fatalf("/health after SIGTERM: %d", code)
		}
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if code := p.exitCode(); code != -1 {
			t.Fatalf("exit %d, want killed by a signal", code)
		}
	})

	t.Run("exit after", func(t *testing.T) {
		p := start(t, bin, nil, "--port", "0", "--exit-after", "200ms", "--exit-code", "7")
		p.baseURL()
		if code := p.exitCode(); code != 7 {
			t.Fatalf("exit %d, want 7", code)
		}
	})

	t.Run("never ready", func(t *testing.T) {
		p := start(t, bin, nil, "--port", "0", "--never-ready")
		base := p.baseURL()
		for _, path := range []string{"/", "/health"} {
			if code, _ := get(t, base+path); code != http.StatusServiceUnavailable {
				t.Errorf("%s: %d, want 503", path, code)
			}
		}
	})

	t.Run("old version has no health", func(t *testing.T) {
		p := start(t, bin, nil, "--port", "0", "--version", "0.2.19")
		base := p.baseURL()
		if code, _ := get(t, base+"/health"); code != http.StatusNotFound {
			t.Errorf("/health: %d, want 404", code)
		}
		if code, _ := get(t, base+"/"); code != 200 {
			t.Errorf("/: %d, want 200", code)
		}
	})

	t.Run("bad flags exit 2", func(t *testing.T) {
		for _, args := range [][]string{{"--no-such-flag"}, {"--version", "latest"}, {"stray"}} {
			p := start(t, bin, nil, args...)
			if code := p.exitCode(); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})

	t.Run("token from env and a scripted session", func(t *testing.T) {
		script := filepath.Join(t.TempDir(), "script.txt")
		if err := os.WriteFile(script, []byte("Turn on the lights\n\nplease\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		const token = "tok-3f9a7c"
		p := start(t, bin, []string{"WLK_API_TOKEN=" + token}, "--port", "0", "--pcm-input", "--script", script,
			"--latency", "0s", "--commit-delay", "0s")
		ws := "ws" + strings.TrimPrefix(p.baseURL(), "http") + "/asr"
		d := websocket.Dialer{HandshakeTimeout: wait}
		if c, resp, err := d.Dial(ws, nil); err == nil {
			_ = c.Close()
			t.Fatal("dial without the token succeeded")
		} else if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("without token: %v, want HTTP 403", err)
		}
		c, _, err := d.Dial(ws+"?token="+token, nil)
		if err != nil {
			t.Fatalf("dial with token: %v", err)
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(wait))
		pcm := wlksim.Speech(1500 * time.Millisecond) // five words
		if err := c.WriteMessage(websocket.BinaryMessage, pcm); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMessage(websocket.BinaryMessage, nil); err != nil {
			t.Fatal(err)
		}
		var last map[string]any
		for i := 0; i < 1000; i++ {
			_, data, err := c.ReadMessage()
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] == "ready_to_stop" {
				break
			}
			if _, ok := m["lines"]; ok {
				last = m
			}
		}
		lines, _ := last["lines"].([]any)
		if len(lines) != 1 || lines[0].(map[string]any)["text"] != " Turn on the lights please" {
			t.Fatalf("final update %v", last)
		}
		if strings.Contains(p.stderr(), token) {
			t.Errorf("the token leaked into the log:\n%s", p.stderr())
		}
	})
}
