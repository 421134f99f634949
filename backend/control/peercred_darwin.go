package control

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// peerUIDOf reads a socket's peer uid with LOCAL_PEERCRED.
func peerUIDOf(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return 0, fmt.Errorf("LOCAL_PEERCRED: %w", err)
	}
	return int(cred.Uid), nil
}
