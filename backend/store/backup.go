package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to dest while the app keeps running. dest must not exist;
// the copy gets mode 0600 and is a complete database that Open accepts. To restore, quit TonnyTray and copy
// the backup over Path() (after removing its -wal and -shm files).
func (s *Store) Backup(ctx context.Context, dest string) (err error) {
	s.maint.Lock()
	defer s.maint.Unlock()

	// An absolute path also keeps SQLite from reading a dest that starts with "file:" as a URI.
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if abs == s.path {
		return fmt.Errorf("backup: %s is the live database; choose another file", abs)
	}
	// Creating the file first with O_EXCL both refuses to overwrite and fixes its mode before any data is in
	// it; VACUUM INTO accepts an existing empty file.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("backup: %s already exists; choose a new file name or move the old backup away: %w", abs, err)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return errors.Join(fmt.Errorf("backup: %w", err), os.Remove(abs))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.Remove(abs))
		}
	}()

	// VACUUM INTO reads one snapshot of the database, so writers can go on while it copies.
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", abs).Error; err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Chmod(abs, 0o600); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO does not sync its output; a backup should survive a power cut right after it.
	if err := syncFile(abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

func syncFile(p string) error {
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
