package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// testNow is the fixed "now" of these tests.
var testNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// openTest opens a fresh store in a temp dir and closes it when the test ends.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "tonnytray.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// mustCreate inserts rows, failing the test on error.
func mustCreate(t *testing.T, db *gorm.DB, rows ...any) {
	t.Helper()
	for _, r := range rows {
		if err := db.Create(r).Error; err != nil {
			t.Fatalf("create %T: %v", r, err)
		}
	}
}

func count(t *testing.T, db *gorm.DB, model any, where ...any) int64 {
	t.Helper()
	var n int64
	q := db.Model(model)
	if len(where) > 0 {
		q = q.Where(where[0], where[1:]...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatalf("count %T: %v", model, err)
	}
	return n
}

func TestOpenMigratesEmptyDatabase(t *testing.T) {
	s := openTest(t)
	db := s.DB()

	for _, m := range models() {
		name, err := tableName(db, m)
		if err != nil {
			t.Fatal(err)
		}
		if !db.Migrator().HasTable(name) {
			t.Errorf("table %s missing after migration", name)
		}
	}

	var ids []string
	if err := db.Table(migrationTable).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatalf("read migrations: %v", err)
	}
	var want []string
	for _, m := range migrations() {
		want = append(want, m.ID)
	}
	if !slices.Equal(ids, want) {
		t.Errorf("recorded migrations = %v, want %v", ids, want)
	}
	if !slices.Contains(ids, "202611220001_initial") {
		t.Errorf("initial migration not recorded: %v", ids)
	}
	if !filepath.IsAbs(s.Path()) {
		t.Errorf("Path() = %q, want absolute", s.Path())
	}
}

// TestMigratedSchemaMatchesModels guards the rule in migrations.go: whoever changes models.go must add a
// migration. The reference is what GORM would create from the current models on an empty file.
func TestMigratedSchemaMatchesModels(t *testing.T) {
	s := openTest(t)

	ref, err := gorm.Open(sqlite.Open(filepath.Join(t.TempDir(), "ref.db")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.AutoMigrate(models()...); err != nil {
		t.Fatalf("reference schema: %v", err)
	}
	t.Cleanup(func() {
		if sqlDB, err := ref.DB(); err == nil {
			_ = sqlDB.Close()
		}
	})

	got, want := describeSchema(t, s.DB()), describeSchema(t, ref)
	for table, w := range want {
		g, ok := got[table]
		if !ok {
			t.Errorf("table %s: missing; add a migration that creates it", table)
			continue
		}
		if !slices.Equal(g, w) {
			t.Errorf("table %s differs from models.go; add a migration.\n got: %q\nwant: %q", table, g, w)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("table %s exists but has no model", table)
		}
	}
}

// describeSchema lists, per table, its columns, indexes and foreign keys in a comparable form. Column order
// is ignored: ALTER TABLE ADD COLUMN appends, while a fresh CREATE TABLE follows the struct.
func describeSchema(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	var tables []string
	if err := db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`,
		migrationTable).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		var desc []string
		var cols []struct {
			Name      string
			Type      string
			NotNull   int
			DfltValue *string
			PK        int
		}
		if err := db.Raw(`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(?)`,
			table).Scan(&cols).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			d := "<nil>"
			if c.DfltValue != nil {
				d = *c.DfltValue
			}
			desc = append(desc, fmt.Sprintf("column %s %s notnull=%d default=%s pk=%d", c.Name, c.Type, c.NotNull, d, c.PK))
		}
		var idxs []struct {
			Name   string
			Unique int
		}
		if err := db.Raw(`SELECT name, "unique" FROM pragma_index_list(?)`, table).Scan(&idxs).Error; err != nil {
			t.Fatal(err)
		}
		for _, ix := range idxs {
			var cols []string
			if err := db.Raw(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.Name).Scan(&cols).Error; err != nil {
				t.Fatal(err)
			}
			desc = append(desc, fmt.Sprintf("index %s unique=%d (%s)", ix.Name, ix.Unique, strings.Join(cols, ",")))
		}
		var fks []struct {
			Table    string
			From     string
			To       string
			OnDelete string
		}
		if err := db.Raw(`SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?)`,
			table).Scan(&fks).Error; err != nil {
			t.Fatal(err)
		}
		for _, fk := range fks {
			desc = append(desc, fmt.Sprintf("fk %s -> %s(%s) on delete %s", fk.From, fk.Table, fk.To, fk.OnDelete))
		}
		slices.Sort(desc)
		out[table] = desc
	}
	return out
}

func TestDataSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tonnytray.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p := &Profile{Name: "Anna", Role: "child"}
	mustCreate(t, s.DB(), &Setting{Key: "settings", Value: `{"x":1}`}, p,
		&Transcription{ProfileID: &p.ID, Text: "turn on the lights", CreatedAt: testNow})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	var got Transcription
	if err := s.DB().Preload("Profile").First(&got).Error; err != nil {
		t.Fatal(err)
	}
	if got.Text != "turn on the lights" || got.Profile == nil || got.Profile.Name != "Anna" || !got.CreatedAt.Equal(testNow) {
		t.Errorf("after reopen got %+v (profile %+v)", got, got.Profile)
	}
	var set Setting
	if err := s.DB().First(&set, "key = ?", "settings").Error; err != nil || set.Value != `{"x":1}` {
		t.Errorf("setting after reopen = %+v, %v", set, err)
	}
	if n := count(t, s.DB(), &Profile{}); n != 1 {
		t.Errorf("profiles = %d, want 1", n)
	}
	if n := count(t, s.DB().Table(migrationTable), nil); n != int64(len(migrations())) {
		t.Errorf("migration rows = %d, want %d (migrations ran twice?)", n, len(migrations()))
	}
}

func TestFileModes(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string) // creates what is there before Open
	}{
		{"new file in new directory", func(t *testing.T, path string) {}},
		{"existing loose file", func(t *testing.T, path string) {
			ctx := context.Background()
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data", "tonnytray")
			path := filepath.Join(dir, "tonnytray.db")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(dir); err != nil { // Open must create it
				t.Fatal(err)
			}
			tt.prepare(t, path)
			s, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			mustCreate(t, s.DB(), &LogEntry{Time: testNow, Message: "hello"}) // makes sure the WAL exists

			checkMode(t, dir, 0o700)
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				checkMode(t, p, 0o600)
			}
		})
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %v, want %v", filepath.Base(path), got, want)
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	sqlDB, err := s.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
		{"secure_delete", "1"},
	}
	// Holding three connections at once forces the pool to open new ones.
	for i := range 3 {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, tt := range tests {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, tt.pragma, got, tt.want)
			}
		}
	}

	// Foreign keys are enforced, not just switched on.
	missing := uint(999)
	err = s.DB().Create(&Transcription{ProfileID: &missing, Text: "x"}).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Errorf("insert with a dangling profile id: err = %v, want ErrForeignKeyViolated", err)
	}
}

func TestIntegrityCheckPassesOnGoodFile(t *testing.T) {
	s := openTest(t)
	fillTranscriptions(t, s.DB(), 500, "good row")
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("IntegrityCheck: %v", err)
	}
}

// fillTranscriptions inserts n transcriptions whose text starts with text.
func fillTranscriptions(t *testing.T, db *gorm.DB, n int, text string) {
	t.Helper()
	rows := make([]Transcription, n)
	for i := range rows {
		rows[i] = Transcription{
			Text:      fmt.Sprintf("%s %d: %s", text, i, strings.Repeat("la ", 40)),
			Mode:      "push_to_talk",
			CreatedAt: testNow.Add(-time.Duration(i) * time.Second),
		}
	}
	if err := db.CreateInBatches(rows, 200).Error; err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsCorruptFile(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(t *testing.T, f *os.File, size int64)
	}{
		{"pages overwritten mid-file", func(t *testing.T, f *os.File, size int64) {
			const page = 4096
			off := (size / 2) / page * page
			if _, err := f.WriteAt(pattern(4*page), off); err != nil {
				t.Fatal(err)
			}
		}},
		{"header overwritten", func(t *testing.T, f *os.File, size int64) {
			if _, err := f.WriteAt(pattern(100), 0); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "tonnytray.db")
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			fillTranscriptions(t, s.DB(), 3000, "soon damaged")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			fi, err := f.Stat()
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() < 200_000 {
				t.Fatalf("file only %d bytes; the test needs a bigger one", fi.Size())
			}
			tt.corrupt(t, f, fi.Size())
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}

			s, err = Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged file succeeded")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			msg := err.Error()
			for _, want := range []string{path, "backup", "move", "-wal"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q: %s", want, msg)
				}
			}
		})
	}
}

// pattern returns n bytes of a non-zero repeating pattern, so the damage is not mistaken for free space.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(0xA5 ^ i)
	}
	return b
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tonnytray.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Exec("INSERT INTO "+migrationTable+" (id) VALUES (?)", "209901010001_from_the_future").Error; err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer TonnyTray") {
		t.Fatalf("Open of a newer schema: err = %v, want a 'newer TonnyTray' error", err)
	}
}

func TestStats(t *testing.T) {
	s := openTest(t)
	mustCreate(t, s.DB(), &Profile{Name: "Ben"}, &LogEntry{Time: testNow, Message: "a"}, &LogEntry{Time: testNow, Message: "b"})
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Path != s.Path() || st.FileBytes <= 0 {
		t.Errorf("stats = %+v", st)
	}
	want := map[string]int64{
		"settings": 0, "profiles": 1, "transcriptions": 0, "conversations": 0,
		"logs": 2, "metrics": 0, "outbox": 0, "service_events": 0,
	}
	for table, n := range want {
		if got, ok := st.Rows[table]; !ok || got != n {
			t.Errorf("Rows[%s] = %d (present %v), want %d", table, got, ok, n)
		}
	}
	if len(st.Rows) != len(want) {
		t.Errorf("Rows has %d tables, want %d: %v", len(st.Rows), len(want), st.Rows)
	}
}

// TestLaterMigrationRunsOnExistingFile shows how the schema grows: a migration appended to the list runs
// once on a file the earlier ones created, and keeps its data.
func TestLaterMigrationRunsOnExistingFile(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustCreate(t, s.DB(), &LogEntry{Time: testNow, Message: "before the upgrade"})

	runs := 0
	list := append(migrations(), &gormigrate.Migration{
		ID: "209901010001_test_index",
		Migrate: func(tx *gorm.DB) error {
			runs++
			return tx.Exec("CREATE INDEX idx_logs_message ON logs(message)").Error
		},
	})
	for range 2 {
		if err := migrate(ctx, s.DB(), list); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	if runs != 1 {
		t.Errorf("new migration ran %d times, want 1", runs)
	}
	if !s.DB().Migrator().HasIndex(&LogEntry{}, "idx_logs_message") {
		t.Error("index of the new migration missing")
	}
	if n := count(t, s.DB(), &LogEntry{}, "message = ?", "before the upgrade"); n != 1 {
		t.Errorf("data lost in the upgrade: %d rows", n)
	}
	if n := count(t, s.DB().Table(migrationTable), nil, "id = ?", "209901010001_test_index"); n != 1 {
		t.Errorf("new migration recorded %d times, want 1", n)
	}
}
