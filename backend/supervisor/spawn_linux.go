package supervisor

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

func sysProcAttr() *syscall.SysProcAttr {
	// Setpgid: the child leads a new process group, so one signal reaches everything it started.
	// Pdeathsig: the kernel kills the child when the thread that forked it ends; run keeps that thread
	// locked and alive for the child's whole life (see golang/go#27505), so this means "when the app dies".
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// groupState makes signalling and reaping exclusive: while the leader is unreaped its PID (the group ID)
// cannot be reused, so a signal to the group never reaches a stranger.
type groupState struct {
	mu     sync.Mutex
	reaped bool
}

// run starts the process on a locked OS thread, reports the start, and then, on the same thread, waits for
// the exit: first without reaping, to kill the rest of the group while its ID is still ours, then reaping.
func (p *execProcess) run(started chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := p.cmd.Start(); err != nil {
		started <- err
		return
	}
	p.pid = p.cmd.Process.Pid
	started <- nil

	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, p.pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break // on any other error, cmd.Wait below still reaps and reports
		}
	}
	p.group.mu.Lock()
	_ = syscall.Kill(-p.pid, syscall.SIGKILL) // orphans of the group; usually none, then ESRCH or zombies
	p.err = p.cmd.Wait()
	p.group.reaped = true
	p.group.mu.Unlock()
	close(p.done)
}

// Signal sends sig to the process group.
func (p *execProcess) Signal(sig syscall.Signal) error {
	p.group.mu.Lock()
	defer p.group.mu.Unlock()
	if p.group.reaped {
		return os.ErrProcessDone
	}
	return syscall.Kill(-p.pid, sig)
}
