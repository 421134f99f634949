//go:build cgo

package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// sqliteCorrupt reports whether err is SQLite saying the file is damaged or not a database at all.
func sqliteCorrupt(err error) (detail string, ok bool) {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB) {
		return se.Error(), true
	}
	return "", false
}
