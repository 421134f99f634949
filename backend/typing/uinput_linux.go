package typing

import "golang.org/x/sys/unix"

// writable reports whether this process may write to path (ydotool and dotool need /dev/uinput).
func writable(path string) bool {
	return unix.Access(path, unix.W_OK) == nil
}
