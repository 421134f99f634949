package supervisor

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
)

// Spawner starts a process for a Command. The default is ExecSpawner; tests swap in fakes.
type Spawner interface {
	// Spawn starts c. ctx bounds the start only: cancelling it later must not touch the process, which the
	// supervisor stops itself, gracefully.
	Spawn(ctx context.Context, c Command) (Process, error)
}

// Process is a started child.
type Process interface {
	PID() int
	// Wait blocks until the process has exited and returns how: nil for status 0, otherwise an error such as
	// *exec.ExitError. The supervisor calls it once, from a goroutine of its own.
	Wait() error
	// Signal sends sig to the process's whole group (its descendants too, where the platform allows). After
	// the exit it returns an error and does nothing.
	Signal(sig syscall.Signal) error
	// Stdout and Stderr are the child's output streams, read until EOF (and closed, if they are Closers).
	Stdout() io.Reader
	Stderr() io.Reader
}

// ExecSpawner starts processes with os/exec. On Linux the child leads a process group of its own (so a stop
// reaches its descendants), gets SIGKILL when the app dies (parent-death signal), and when it exits, what
// is left of its group is killed too, so no orphan keeps the port or the pipes.
type ExecSpawner struct{}

// Spawn starts c with stdin from /dev/null and stdout/stderr on pipes.
func (ExecSpawner) Spawn(ctx context.Context, c Command) (Process, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Path, err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: stdout pipe: %w", c.Path, err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("start %s: stderr pipe: %w", c.Path, err)
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Env, cmd.Dir = c.Env, c.Dir
	// *os.File outputs go to the child as they are, with no copying goroutine in os/exec: our own readers
	// see EOF when the last writer in the group is gone, and cmd.Wait never waits on them.
	cmd.Stdout, cmd.Stderr = outW, errW
	cmd.SysProcAttr = sysProcAttr()
	p := &execProcess{cmd: cmd, stdout: outR, stderr: errR, done: make(chan struct{})}
	started := make(chan error, 1)
	go p.run(started)
	err = <-started
	outW.Close() // the child has its copies
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("start %s: %w", c.Path, err)
	}
	return p, nil
}

// execProcess is a process started by ExecSpawner. Its run goroutine owns the exec.Cmd.
type execProcess struct {
	cmd            *exec.Cmd
	pid            int
	stdout, stderr *os.File
	done           chan struct{} // closed once the process has been reaped; err is set then
	err            error
	group          groupState // platform part: guards signals against a reaped process group
}

func (p *execProcess) PID() int          { return p.pid }
func (p *execProcess) Stdout() io.Reader { return p.stdout }
func (p *execProcess) Stderr() io.Reader { return p.stderr }

func (p *execProcess) Wait() error {
	<-p.done
	return p.err
}
