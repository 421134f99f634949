//go:build !cgo

package store

// sqliteCorrupt never matches: without cgo the SQLite driver is a stub that cannot open any file. This file
// only keeps cross-builds without a C toolchain compiling.
func sqliteCorrupt(error) (string, bool) { return "", false }
