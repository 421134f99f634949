package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestBackupRestores(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustCreate(t, s.DB(), &Setting{Key: "settings", Value: `{"lang":"de"}`}, &Profile{Name: "Clara"})
	fillTranscriptions(t, s.DB(), 1000, "kept in the backup")

	// Writers keep going during the backup: it is an online backup.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var writeErr error
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.DB().Create(&LogEntry{Time: testNow, Message: fmt.Sprint("during backup ", i)}).Error; err != nil {
				writeErr = err
				return
			}
		}
	}()
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := s.Backup(ctx, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if writeErr != nil {
		t.Fatalf("write during backup: %v", writeErr)
	}
	checkMode(t, dest, 0o600)

	b, err := Open(ctx, dest)
	if err != nil {
		t.Fatalf("Open backup: %v", err)
	}
	defer b.Close()
	if err := b.IntegrityCheck(ctx); err != nil {
		t.Fatalf("backup integrity: %v", err)
	}
	if n := count(t, b.DB(), &Transcription{}, "text LIKE ?", "kept in the backup%"); n != 1000 {
		t.Errorf("backup has %d transcriptions, want 1000", n)
	}
	var set Setting
	if err := b.DB().First(&set, "key = ?", "settings").Error; err != nil || set.Value != `{"lang":"de"}` {
		t.Errorf("backup setting = %+v, %v", set, err)
	}
	if n := count(t, b.DB(), &Profile{}, "name = ?", "Clara"); n != 1 {
		t.Errorf("backup profiles named Clara = %d, want 1", n)
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "old-backup.db")
	if err := os.WriteFile(existing, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dest string
		is   error
	}{
		{"existing file", existing, fs.ErrExist},
		{"the live database", s.Path(), nil},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "b.db"), fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Backup(ctx, tt.dest)
			if err == nil {
				t.Fatal("Backup succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
		})
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "precious" {
		t.Errorf("existing file changed: %q, %v", b, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("live database after refused backups: %v", err)
	}
}
