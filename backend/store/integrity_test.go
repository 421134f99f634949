package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkCheck compares the two integrity pragmas on a file with 100k log rows; it backs the choice of
// quick_check for Open (see integrity.go).
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rows := make([]LogEntry, 100_000)
	msg := strings.Repeat("log message text ", 5)
	for i := range rows {
		rows[i] = LogEntry{Time: testNow.Add(time.Duration(i) * time.Millisecond), Level: i % 4,
			Component: fmt.Sprint("c", i%7), Message: msg, Attrs: `{"k":"v"}`}
	}
	if err := s.DB().CreateInBatches(rows, 500).Error; err != nil {
		b.Fatal(err)
	}
	for _, pragma := range []string{"quick_check", "integrity_check"} {
		b.Run(pragma, func(b *testing.B) {
			for b.Loop() {
				if err := s.check(ctx, pragma); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
