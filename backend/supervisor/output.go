package supervisor

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"sync"
	"time"
)

// proc is one spawned process as the Serve loop sees it.
type proc struct {
	p         Process
	pid       int
	startedAt time.Time
	exited    chan error    // the exit, sent once by the goroutine blocked in Process.Wait
	drained   chan struct{} // closed when stdout and stderr are both at EOF
}

// drain waits (briefly) for the output a process wrote just before it exited, so that its last lines are
// in LastLines before a crash is reported.
func (r *proc) drain() {
	t := time.NewTimer(drainTimeout)
	defer t.Stop()
	select {
	case <-r.drained:
	case <-t.C:
	}
}

// outLine is one line on its way to OnLine.
type outLine struct{ stream, text string }

// watch starts the goroutines that follow a process: one blocked in Wait (exit detection without polling),
// one per output stream, and one calling OnLine. All of them end by themselves once the process and its
// pipes are gone.
func (s *Supervisor) watch(p Process, gen uint64) *proc {
	r := &proc{p: p, pid: p.PID(), exited: make(chan error, 1), drained: make(chan struct{})}
	go func() { r.exited <- p.Wait() }()

	var out chan outLine
	if s.spec.OnLine != nil {
		out = make(chan outLine, lineBuffer)
		go func() {
			for l := range out {
				s.spec.OnLine(l.stream, l.text)
			}
		}()
	}
	var wg sync.WaitGroup
	for _, st := range []struct {
		name string
		r    io.Reader
	}{{"stdout", p.Stdout()}, {"stderr", p.Stderr()}} {
		wg.Go(func() { s.pump(st.name, st.r, gen, out) })
	}
	go func() {
		wg.Wait()
		if out != nil {
			close(out)
		}
		close(r.drained)
	}()
	return r
}

// pump reads one output stream line by line until EOF. It never waits for OnLine: a line that does not
// fit the buffer is dropped and counted, so the child never blocks on a full pipe because of us.
func (s *Supervisor) pump(stream string, rd io.Reader, gen uint64, out chan<- outLine) {
	if rd == nil {
		return
	}
	if c, ok := rd.(io.Closer); ok {
		defer c.Close()
	}
	br := bufio.NewReaderSize(rd, 4096)
	for {
		line, err := readLine(br)
		if line != "" || err == nil {
			s.addLine(gen, line)
			if out != nil {
				select {
				case out <- outLine{stream, line}:
				default:
					s.dropped.Add(1)
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// readLine returns the next line without its line ending, cut to maxLineBytes, as valid UTF-8.
func readLine(br *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if room := maxLineBytes - len(buf); room > 0 {
			buf = append(buf, chunk[:min(len(chunk), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue // a long line: keep reading (and discarding past the cap) until its end
		}
		buf = bytes.TrimRight(buf, "\r\n")
		return strings.ToValidUTF8(string(buf), "\uFFFD"), err
	}
}

// addLine keeps line among the last lines, unless it comes from an earlier process.
func (s *Supervisor) addLine(gen uint64, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.lineGen {
		return
	}
	if len(s.lines) == lastLinesKept {
		copy(s.lines, s.lines[1:])
		s.lines = s.lines[:lastLinesKept-1]
	}
	s.lines = append(s.lines, line)
}

// resetLines starts a new process's output and returns its generation.
func (s *Supervisor) resetLines() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lineGen++
	s.lines = make([]string, 0, lastLinesKept)
	return s.lineGen
}
