//go:build linux || darwin

package control

import (
	"fmt"
	"net"
)

// peerUID reads the connecting process's uid, which the kernel records at connect time (peerUIDOf holds the
// platform's socket option).
func peerUID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("raw conn: %w", err)
	}
	var uid int
	var credErr error
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerUIDOf(int(fd)) }); err != nil {
		return 0, fmt.Errorf("raw control: %w", err)
	}
	return uid, credErr
}
