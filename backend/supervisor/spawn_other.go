//go:build !linux

package supervisor

import (
	"syscall"
)

// Elsewhere the child is an ordinary child: no process group of its own and no parent-death signal
// (Linux is the tested platform; this keeps the package building).
func sysProcAttr() *syscall.SysProcAttr { return nil }

// groupState has nothing to guard without process groups.
type groupState struct{}

// run starts the process and waits for it.
func (p *execProcess) run(started chan<- error) {
	if err := p.cmd.Start(); err != nil {
		started <- err
		return
	}
	p.pid = p.cmd.Process.Pid
	started <- nil
	p.err = p.cmd.Wait()
	close(p.done)
}

// Signal signals the process itself (SIGKILL kills it; SIGTERM is not supported everywhere, e.g. on
// Windows, where the supervisor then kills it after the grace period).
func (p *execProcess) Signal(sig syscall.Signal) error {
	if sig == syscall.SIGKILL {
		return p.cmd.Process.Kill()
	}
	return p.cmd.Process.Signal(sig)
}
