package logging

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/store"
)

// BenchmarkIngest measures the slog → queue → SQLite path. One op is one log line.
//
//   - sqlite: lines/s committed to the database. The benchmark paces itself on the queue's fill level so
//     that nothing is dropped and the figure is the writer's sustained rate.
//   - caller: what a Log call costs the caller with the writer running (drops allowed, reported).
//   - caller_db_locked: the same with the database write-locked by another connection the whole time: the
//     cost stays flat because the handler never waits.
func BenchmarkIngest(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		st, _ := openStore(b)
		l, err := New(Options{DB: st.DB(), QueueSize: 1 << 16})
		if err != nil {
			b.Fatal(err)
		}
		startRun(b, l)
		log := For(l.Logger(), "pipeline")
		high, low := cap(l.queue)*3/4, cap(l.queue)/4
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			if len(l.queue) > high {
				for len(l.queue) > low {
					time.Sleep(50 * time.Microsecond)
				}
			}
			logLine(log, i)
		}
		waitFor(b, "all lines written", func() bool { return l.written.Load()+l.Dropped() == uint64(b.N) })
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "lines/s")
		b.ReportMetric(float64(l.Dropped()), "dropped")
	})
	b.Run("caller", func(b *testing.B) {
		st, _ := openStore(b)
		l, err := New(Options{DB: st.DB()})
		if err != nil {
			b.Fatal(err)
		}
		startRun(b, l)
		log := For(l.Logger(), "pipeline")
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			logLine(log, i)
		}
		b.StopTimer()
		b.ReportMetric(float64(l.Dropped())/float64(b.N), "dropped/op")
	})
	b.Run("caller_db_locked", func(b *testing.B) {
		st, path := openStore(b)
		l, err := New(Options{DB: st.DB()})
		if err != nil {
			b.Fatal(err)
		}
		startRun(b, l)
		release := lockDB(b, path)
		defer release()
		log := For(l.Logger(), "pipeline")
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			logLine(log, i)
		}
		b.StopTimer()
		b.ReportMetric(float64(l.Dropped())/float64(b.N), "dropped/op")
	})
}

// logLine is a typical record: a component, a short message and three attributes.
func logLine(log *slog.Logger, i int) {
	log.Info("utterance routed", "route", "command", "latency_ms", i%900, "profile", "dad")
}

// lockDB holds the database's write lock from another connection until release is called.
func lockDB(b *testing.B, path string) (release func()) {
	b.Helper()
	other, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		b.Fatal(err)
	}
	return func() {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		_ = conn.Close()
		_ = other.Close()
	}
}

const benchRows = 1_000_000

// Components and their share of the generated rows; "n8n" is the filtered page's component (~10 %).
var benchComponents = [...]string{"audio", "audio", "audio", "whisper", "whisper", "pipeline", "pipeline", "n8n",
	"tts", "tts", "bus", "store", "settings", "supervisor", "hotkey", "typing", "app", "profile", "tray", "control"}

// BenchmarkQuery1M measures logs-viewer queries over a 1,000,000-row table, built once per run (the parent
// benchmark runs once) in a temp file. One op is one query.
func BenchmarkQuery1M(b *testing.B) {
	st, _ := openStore(b)
	start := time.Now()
	if err := build1M(st.DB()); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d rows in %v", benchRows, time.Since(start).Round(time.Millisecond))

	warn, errLevel := int(slog.LevelWarn), int(slog.LevelError)
	cases := []struct {
		name string
		f    Filter
	}{
		{"first_page", Filter{}},
		{"filtered_component_minlevel", Filter{Component: "n8n", MinLevel: &warn}},
		{"text_search", Filter{Text: "timeout"}},
		{"text_search_no_match", Filter{Text: "no-such-text"}},
		{"minlevel_error", Filter{MinLevel: &errLevel}},
		{"deep_page", Filter{Before: benchRows / 2}},
		{"follow_after", Filter{After: benchRows - 50}},
		{"time_range", Filter{Since: benchAt(500_000), Until: benchAt(600_000)}},
		{"time_range_component_minlevel", Filter{Since: benchAt(500_000), Until: benchAt(600_000), Component: "n8n", MinLevel: &warn}},
		{"since_whole_table", Filter{Since: benchAt(0)}}, // worst case: the time range covers every row
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Logf("%s plan: %s", c.name, queryPlan(b, st.DB(), c.f))
		b.Run(c.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				p, err := Query(ctx, st.DB(), c.f)
				if err != nil {
					b.Fatal(err)
				}
				n = len(p.Entries)
			}
			b.ReportMetric(float64(n), "rows/op")
		})
	}
	b.Run("components", func(b *testing.B) {
		var n int
		for b.Loop() {
			cs, err := Components(ctx, st.DB())
			if err != nil {
				b.Fatal(err)
			}
			n = len(cs)
		}
		b.ReportMetric(float64(n), "components")
	})
}

// benchAt is the time of the i-th generated row (10 rows a second from 2026-01-01).
func benchAt(i int) time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 100 * time.Millisecond)
}

// build1M fills the logs table with generated rows in one transaction, 100 rows per prepared INSERT.
func build1M(db *gorm.DB) error {
	const perStmt = 100
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A 256 MB page cache keeps the three secondary indexes in memory while they grow.
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
		return err
	}
	defer conn.ExecContext(ctx, "PRAGMA cache_size = -2000")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	row := "(?,?,?,?,?)"
	stmt, err := tx.Prepare("INSERT INTO logs (time, level, component, message, attrs) VALUES " +
		strings.Repeat(row+",", perStmt-1) + row)
	if err != nil {
		return err
	}
	defer stmt.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	args := make([]any, 0, 5*perStmt)
	for i := range benchRows {
		level := slog.LevelInfo
		switch p := rng.IntN(100); {
		case p < 30:
			level = slog.LevelDebug
		case p < 85:
		case p < 97:
			level = slog.LevelWarn
		default:
			level = slog.LevelError
		}
		msg := "utterance routed"
		switch p := rng.IntN(100); {
		case p == 0:
			msg = "n8n request failed: context deadline exceeded (Client.Timeout exceeded)"
		case p < 20:
			msg = "audio level"
		case p < 40:
			msg = fmt.Sprintf("transcript partial %d", i)
		}
		args = append(args, benchAt(i), int(level),
			benchComponents[rng.IntN(len(benchComponents))], msg,
			fmt.Sprintf(`{"i":"%d","profile":"dad","latency_ms":"%d"}`, i, rng.IntN(900)))
		if len(args) == cap(args) {
			if _, err := stmt.Exec(args...); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	return tx.Commit()
}

// queryPlan is SQLite's plan for the page query of f, to show which index each case uses.
func queryPlan(b *testing.B, db *gorm.DB, f Filter) string {
	q, err := pageQuery(context.Background(), db, f)
	if err != nil || q == nil {
		b.Fatalf("page query: %v", err)
	}
	var rows []store.LogEntry
	stmt := q.Session(&gorm.Session{DryRun: true}).Find(&rows).Statement
	res, err := db.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Rows()
	if err != nil {
		b.Fatal(err)
	}
	defer res.Close()
	var steps []string
	for res.Next() {
		var id, parent, notused int
		var detail string
		if err := res.Scan(&id, &parent, &notused, &detail); err != nil {
			b.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "; ")
}
