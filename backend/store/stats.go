package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"gorm.io/gorm"
)

// Stats describes the database for the Dashboard.
type Stats struct {
	Path      string           // absolute path of the database file
	FileBytes int64            // size of the main file
	WALBytes  int64            // size of the -wal file (0 when absent)
	Rows      map[string]int64 // row count per table name, for every model in models.go
}

// Stats reports the file sizes and the row count of every table.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Path: s.path, Rows: map[string]int64{}}
	var err error
	if st.FileBytes, err = fileSize(s.path); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	if st.WALBytes, err = fileSize(s.path + "-wal"); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	db := s.db.WithContext(ctx)
	for _, m := range models() {
		table, err := tableName(db, m)
		if err != nil {
			return Stats{}, fmt.Errorf("stats: %w", err)
		}
		var n int64
		if err := db.Model(m).Count(&n).Error; err != nil {
			return Stats{}, fmt.Errorf("stats: count %s: %w", table, err)
		}
		st.Rows[table] = n
	}
	return st, nil
}

// models lists every model in models.go.
func models() []any {
	return []any{
		&Setting{}, &Profile{}, &Transcription{}, &Conversation{},
		&LogEntry{}, &Metric{}, &OutboxItem{}, &ServiceEvent{},
	}
}

// tableName asks GORM which table a model maps to.
func tableName(db *gorm.DB, model any) (string, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return "", fmt.Errorf("parse model %T: %w", model, err)
	}
	return stmt.Schema.Table, nil
}

// fileSize is the size of p, or 0 when p does not exist.
func fileSize(p string) (int64, error) {
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
