package control

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/tonnytray/tonnytray/backend/paths"
)

// ErrAlreadyRunning means another TonnyTray process of this user holds the instance lock.
var ErrAlreadyRunning = errors.New("TonnyTray is already running")

// Instance is the held single-instance lock. Keep it for the life of the process and Release it on shutdown;
// the kernel drops the lock anyway if the process dies, so a crash never leaves a stale lock behind.
type Instance struct {
	lock *flock.Flock
}

// AcquireInstance takes the per-user single-instance lock at lockPath without blocking. Its directory is
// created (or tightened) to 0700. When another process holds the lock the error wraps ErrAlreadyRunning.
func AcquireInstance(lockPath string) (*Instance, error) {
	if err := paths.EnsurePrivateDir(filepath.Dir(lockPath)); err != nil {
		return nil, fmt.Errorf("instance lock: %w", err)
	}
	// The lock file itself is never removed: deleting it would let a second process lock a fresh inode
	// while the first still holds the old one.
	fl := flock.New(lockPath, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: %w", lockPath, ErrAlreadyRunning)
	}
	return &Instance{lock: fl}, nil
}

// Release drops the lock and closes the lock file. Calling it more than once is harmless.
func (i *Instance) Release() error {
	if err := i.lock.Unlock(); err != nil {
		return fmt.Errorf("release instance lock: %w", err)
	}
	return nil
}
