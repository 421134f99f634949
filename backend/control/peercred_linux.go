package control

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// peerUIDOf reads a socket's peer uid with SO_PEERCRED.
func peerUIDOf(fd int) (int, error) {
	cred, err := unix.GetsockoptUcred(fd, unix.SOL_SOCKET, unix.SO_PEERCRED)
	if err != nil {
		return 0, fmt.Errorf("SO_PEERCRED: %w", err)
	}
	return int(cred.Uid), nil
}
