// Package store owns TonnyTray's one SQLite file: opening it safely, versioned migrations, integrity checks,
// online backups, retention and "clear my data". Other packages read and write through DB() with the models
// in models.go.
package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Store is an open TonnyTray database. It is safe for concurrent use.
type Store struct {
	db   *gorm.DB
	path string

	// maint serialises the heavy maintenance operations (prune, clear, backup) so two VACUUMs never compete
	// for the write lock; ordinary reads and writes do not take it.
	maint sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at path, checks its integrity and migrates it to the latest
// schema. A damaged file yields an error wrapping ErrCorrupt that tells the user what to do.
func Open(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := preparePath(abs); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}

	db, err := gorm.Open(sqlite.Open(dsn(abs)), &gorm.Config{
		Logger: logger.Discard, // callers log errors once, at their boundary
		// The models promise UTC; GORM's default clock is local time, which would also break the string
		// comparisons retention does on timestamps.
		NowFunc:        func() time.Time { return time.Now().UTC() },
		TranslateError: true, // unique/foreign-key violations become gorm.ErrDuplicatedKey/ErrForeignKeyViolated
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", classify(abs, err))
	}
	s := &Store{db: db, path: abs}

	if err := s.check(ctx, openCheck); err != nil {
		return nil, errors.Join(fmt.Errorf("open database: %w", err), s.closeDB())
	}
	if err := migrate(ctx, db, migrations()); err != nil {
		return nil, errors.Join(fmt.Errorf("open database: %w", classify(abs, err)), s.closeDB())
	}
	// SQLite gives new -wal/-shm files the main file's mode; this catches ones left by older versions.
	if err := chmodFiles(abs); err != nil {
		return nil, errors.Join(fmt.Errorf("open database: %w", err), s.closeDB())
	}
	return s, nil
}

// DB returns the GORM handle. Use WithContext on it for request-scoped work.
func (s *Store) DB() *gorm.DB { return s.db }

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close folds the WAL back into the main file and closes the database. Calling it again returns the first
// result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.maint.Lock()
		defer s.maint.Unlock()
		// A checkpoint that cannot finish (a reader still busy) is not worth failing shutdown for: SQLite
		// checkpoints again when the last connection closes.
		_ = s.checkpoint(context.Background())
		s.closeErr = s.closeDB()
	})
	return s.closeErr
}

func (s *Store) closeDB() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// checkpoint copies the whole WAL into the main file and truncates the WAL to zero bytes. It fails when a
// reader kept it from finishing, because callers rely on the WAL really being empty afterwards.
func (s *Store) checkpoint(ctx context.Context) error {
	var busy, logFrames, done int
	err := s.db.WithContext(ctx).Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&busy, &logFrames, &done)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: database busy, %d of %d wal frames copied", done, logFrames)
	}
	return nil
}

// dsn builds the mattn/go-sqlite3 data source name. The pragmas live here, not in Exec calls, so that every
// connection the pool opens gets them.
func dsn(abs string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_synchronous", "NORMAL")
	// Deleted rows are overwritten with zeros, so "clear my data" and retention really remove the text.
	q.Set("_secure_delete", "on")
	// BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that later upgrades to a write
	// gets SQLITE_BUSY at once, without the busy timeout helping.
	q.Set("_txlock", "immediate")

	p := filepath.ToSlash(abs)
	if runtime.GOOS == "windows" {
		p = "/" + p // file:/C:/… is how SQLite spells a drive path in a URI
	}
	// A file: URI with an escaped path keeps a '?' or '#' in a directory name from being read as parameters.
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// preparePath creates the parent directory (0700) and the file (0600), and tightens an existing file.
func preparePath(abs string) error {
	dir := filepath.Dir(abs)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		// Only a directory we create gets 0700: the path may point into a shared directory we must not lock.
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create directory: %w", err)
		}
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	return chmodFiles(abs)
}

// chmodFiles sets mode 0600 on the database file and on its -wal and -shm files when they exist.
func chmodFiles(abs string) error {
	for _, p := range []string{abs, abs + "-wal", abs + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	return nil
}

// classify turns SQLite's "corrupt" and "not a database" errors into the user-facing ErrCorrupt error.
func classify(abs string, err error) error {
	if detail, ok := sqliteCorrupt(err); ok {
		return corruptError(abs, detail)
	}
	return err
}
