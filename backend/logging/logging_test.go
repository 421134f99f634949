package logging

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/store"
)

func TestRecordsReachAllOutputs(t *testing.T) {
	st, _ := openStore(t)
	var console syncBuffer
	logFile := filepath.Join(t.TempDir(), "logs", "tonnytray.log")
	l, err := New(Options{Console: &console, FilePath: logFile, DB: st.DB()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	startRun(t, l)

	before := time.Now().UTC()
	log := For(l.Logger(), "audio").With("device", "mic 1").WithGroup("capture")
	log.Info("stream opened", "rate", 16000, slog.Group("buf", "frames", 320), slog.Duration("lat", 20*time.Millisecond))
	For(l.Logger(), "n8n").Warn("plain")

	waitFor(t, "2 rows", func() bool { return l.written.Load() == 2 })
	var rows []store.LogEntry
	if err := st.DB().Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if r.Component != "audio" || r.Message != "stream opened" || r.Level != int(slog.LevelInfo) {
		t.Errorf("row = %+v", r)
	}
	if r.Time.Location() != time.UTC || r.Time.Before(before.Add(-time.Second)) || r.Time.After(time.Now().Add(time.Second)) {
		t.Errorf("time = %v, want UTC now", r.Time)
	}
	var attrs map[string]string
	if err := json.Unmarshal([]byte(r.Attrs), &attrs); err != nil {
		t.Fatalf("attrs %q: %v", r.Attrs, err)
	}
	want := map[string]string{"device": "mic 1", "capture.rate": "16000", "capture.buf.frames": "320", "capture.lat": "20ms"}
	if fmt.Sprint(attrs) != fmt.Sprint(want) {
		t.Errorf("attrs = %v, want %v", attrs, want)
	}
	if rows[1].Component != "n8n" || rows[1].Attrs != "{}" || rows[1].Level != int(slog.LevelWarn) {
		t.Errorf("second row = %+v", rows[1])
	}

	if c := console.String(); !strings.Contains(c, "component=audio") || !strings.Contains(c, `device="mic 1"`) {
		t.Errorf("console lacks component or attrs:\n%s", c)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readJSONLines(t, logFile)
	if len(lines) != 2 || lines[0]["component"] != "audio" || lines[1]["component"] != "n8n" {
		t.Fatalf("file lines = %v", lines)
	}
	if ts, _ := lines[0]["time"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("file time %q is not UTC", ts)
	}
}

func readJSONLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// The database is write-locked by another connection for the whole burst: the writer is stuck in its busy
// wait, the queue fills, and every further record must be dropped and counted rather than waited for.
func TestCallerNeverBlocksWhenDatabaseStalls(t *testing.T) {
	st, path := openStore(t)
	const queueSize, batchSize, total, workers = 64, 16, 10000, 4
	l, err := New(Options{DB: st.DB(), QueueSize: queueSize, BatchSize: batchSize, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	startRun(t, l)

	other, err := sql.Open("sqlite3", path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			log := For(l.Logger(), fmt.Sprintf("worker%d", w))
			for i := range total / workers {
				log.Info("line", "i", i)
			}
		})
	}
	returned := make(chan struct{})
	go func() { wg.Wait(); close(returned) }()
	select {
	case <-returned:
	case <-time.After(waitTimeout):
		t.Fatal("log calls blocked while the database was locked")
	}

	// While we hold the write lock nothing can have been written; everything the queue and the writer's
	// one batch in hand could not take was dropped.
	if n := l.written.Load(); n != 0 {
		t.Fatalf("%d records written through a held write lock", n)
	}
	if min := uint64(total - queueSize - batchSize); l.Dropped()+l.Failed() < min {
		t.Fatalf("dropped %d + failed %d, want at least %d", l.Dropped(), l.Failed(), min)
	}

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every record written, dropped or failed", func() bool {
		return l.written.Load()+l.Dropped()+l.Failed() == total
	})
	var count int64
	if err := st.DB().Model(&store.LogEntry{}).Count(&count).Error; err != nil {
		t.Fatal(err)
	}
	if uint64(count) != l.written.Load() {
		t.Errorf("table has %d rows, writer counted %d", count, l.written.Load())
	}
	t.Logf("written %d, dropped %d, failed %d", l.written.Load(), l.Dropped(), l.Failed())
}

func TestRedactionInEveryOutput(t *testing.T) {
	st, dbPath := openStore(t)
	var console syncBuffer
	logFile := filepath.Join(t.TempDir(), "tonnytray.log")
	red := NewRedactor()
	l, err := New(Options{Console: &console, FilePath: logFile, DB: st.DB(), Redactor: red})
	if err != nil {
		t.Fatal(err)
	}
	stop := startRun(t, l)

	const known = "sk_live_51HXq9Zr8e7"
	red.Add(known)
	red.Add("abc") // too short to redact: would blank out words
	// Values the redactor was never told about, caught by their shape or their key.
	unknown := []string{"hunter2-pw", "urlpass-77", "eyJhbGciOi.bearer-77", "n8n-hook-key-77", "tok-in-query-77", "grp-token-77"}

	log := For(l.Logger(), "tts").With("cfg", "key is "+known)
	log.Info("calling ElevenLabs with " + known)
	log.Info("attrs",
		"plain", known,
		"err", fmt.Errorf("request failed: %w", errors.New("401 for "+known)),
		"struct", struct{ Key string }{known},
		"num", 42,
		"password", unknown[0],
		"broker", "amqp://tonny:"+unknown[1]+"@localhost:5672/",
		"Authorization", "whatever",
		"header", "Bearer "+unknown[2],
		"webhookKey", unknown[3],
		"url", "https://n8n.local/webhook/abc?token="+unknown[4]+"&x=1",
		slog.Group("n8n", slog.String("Token", unknown[5])),
		"hotkey", "ctrl+shift+v",
		"note", "abc stays",
	)
	log.WithGroup("g").Error("valuer", "v", secretValuer{known})

	waitFor(t, "3 rows", func() bool { return l.written.Load() == 3 })
	stop()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	page, err := Query(context.Background(), st.DB(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	outputs := map[string]string{"console": console.String()}
	fileBytes, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	outputs["file"] = string(fileBytes)
	// The raw database files, WAL included, not what a query returns.
	dbFiles, _ := filepath.Glob(dbPath + "*")
	for _, p := range dbFiles {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(p)] = string(b)
	}
	for name, out := range outputs {
		for _, s := range append([]string{known}, unknown...) {
			if strings.Contains(out, s) {
				t.Errorf("%s contains secret %q", name, s)
			}
		}
	}
	for _, name := range []string{"console", "file"} {
		for _, s := range []string{Redacted, "ctrl+shift+v", "abc stays", "amqp://tonny:", "42"} {
			if !strings.Contains(outputs[name], s) {
				t.Errorf("%s lacks %q:\n%s", name, s, outputs[name])
			}
		}
	}

	attrs := page.Entries[1].Attrs // newest first: the "attrs" record
	wantAttrs := map[string]string{
		"cfg":           "key is " + Redacted,
		"plain":         Redacted,
		"err":           "request failed: 401 for " + Redacted,
		"struct":        "{" + Redacted + "}",
		"num":           "42",
		"password":      Redacted,
		"broker":        "amqp://tonny:" + Redacted + "@localhost:5672/",
		"Authorization": Redacted,
		"header":        "Bearer " + Redacted,
		"webhookKey":    Redacted,
		"url":           "https://n8n.local/webhook/abc?token=" + Redacted + "&x=1",
		"n8n.Token":     Redacted,
		"hotkey":        "ctrl+shift+v",
		"note":          "abc stays",
	}
	for k, v := range wantAttrs {
		if attrs[k] != v {
			t.Errorf("db attr %s = %q, want %q", k, attrs[k], v)
		}
	}
	if got := page.Entries[2].Message; got != "calling ElevenLabs with "+Redacted {
		t.Errorf("db message = %q", got)
	}
	if got := page.Entries[0].Attrs["g.v"]; got != Redacted {
		t.Errorf("LogValuer attr = %q", got)
	}
}

type secretValuer struct{ s string }

func (v secretValuer) LogValue() slog.Value { return slog.StringValue(v.s) }

func TestOnEntryGetsCommittedIDs(t *testing.T) {
	st, _ := openStore(t)
	var mu sync.Mutex
	var got []event.LogAppendedPayload
	l, err := New(Options{DB: st.DB(), OnEntry: func(p event.LogAppendedPayload) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
	}})
	if err != nil {
		t.Fatal(err)
	}
	startRun(t, l)
	log := For(l.Logger(), "pipeline")
	for i := range 5 {
		log.Info(fmt.Sprintf("utterance %d", i), "n", i)
	}
	waitFor(t, "5 events", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 5 })

	page, err := Query(context.Background(), st.DB(), Filter{After: 0, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.Entries)
	mu.Lock()
	defer mu.Unlock()
	for i, p := range got {
		if p.ID == 0 || p.EventName() != event.LogAppended {
			t.Fatalf("event %d = %+v", i, p)
		}
		if fmt.Sprint(p) != fmt.Sprint(page.Entries[i]) {
			t.Errorf("event %d = %+v, row %+v", i, p, page.Entries[i])
		}
	}
}

func TestLevelChangesAtRuntime(t *testing.T) {
	st, _ := openStore(t)
	var console syncBuffer
	level := new(slog.LevelVar)
	l, err := New(Options{Level: level, Console: &console, DB: st.DB()})
	if err != nil {
		t.Fatal(err)
	}
	startRun(t, l)
	log := For(l.Logger(), "settings")

	log.Debug("hidden-debug")
	log.Info("marker-1")
	level.Set(slog.LevelDebug)
	log.Debug("shown-debug")
	level.Set(slog.LevelError)
	log.Warn("hidden-warn")
	log.Error("marker-2")

	// One queue, in order: once marker-2 is written, anything logged before it that passed is written too.
	waitFor(t, "marker-2", func() bool {
		p, err := Query(context.Background(), st.DB(), Filter{Text: "marker-2"})
		return err == nil && len(p.Entries) == 1
	})
	p, err := Query(context.Background(), st.DB(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range p.Entries {
		msgs = append(msgs, e.Message)
	}
	if want := []string{"marker-2", "shown-debug", "marker-1"}; !slices.Equal(msgs, want) {
		t.Errorf("db messages = %v, want %v", msgs, want)
	}
	c := console.String()
	for _, m := range []string{"marker-1", "shown-debug", "marker-2"} {
		if !strings.Contains(c, m) {
			t.Errorf("console lacks %s", m)
		}
	}
	for _, m := range []string{"hidden-debug", "hidden-warn"} {
		if strings.Contains(c, m) {
			t.Errorf("console has %s", m)
		}
	}
}

func TestFileRotates(t *testing.T) {
	dir := t.TempDir()
	logFile := filepath.Join(dir, "tonnytray.log")
	l, err := New(Options{FilePath: logFile, fileMaxMB: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	log := For(l.Logger(), "rotate")
	pad := strings.Repeat("x", 500)
	for i := range 3000 { // ~1.6 MB: one rotation at 1 MB
		log.Info("filler", "i", i, "pad", pad)
	}
	// lumberjack compresses the backup in the background; wait until it is done so that nothing is still
	// writing when the temp dir is removed.
	waitFor(t, "a compressed backup and no uncompressed one", func() bool {
		gz, _ := filepath.Glob(filepath.Join(dir, "tonnytray-*.log.gz"))
		raw, _ := filepath.Glob(filepath.Join(dir, "tonnytray-*.log"))
		return len(gz) == 1 && len(raw) == 0
	})
	info, err := os.Stat(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() == 0 || info.Size() > 1<<20 {
		t.Errorf("current file size %d after rotation", info.Size())
	}
}

func TestCloseDoesNotReopenFile(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "tonnytray.log")
	l, err := New(Options{FilePath: logFile})
	if err != nil {
		t.Fatal(err)
	}
	l.Logger().Info("before")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := os.Remove(logFile); err != nil {
		t.Fatal(err)
	}
	l.Logger().Info("after")
	if _, err := os.Stat(logFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("log file recreated after Close: %v", err)
	}
}

func TestBadFilePathFailsNew(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{FilePath: filepath.Join(blocker, "sub", "x.log")}); err == nil {
		t.Fatal("New succeeded with a log directory under a file")
	}
}

// Nothing is flushed before shutdown (huge batch, hour-long interval), so every row in the table after Run
// returns was written by the final drain.
func TestRunDrainsQueueOnShutdown(t *testing.T) {
	st, _ := openStore(t)
	l, err := New(Options{DB: st.DB(), BatchSize: 10000, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	stop := startRun(t, l)
	for i := range 300 {
		l.Logger().Info("queued", "i", i)
	}
	stop()
	var count int64
	if err := st.DB().Model(&store.LogEntry{}).Count(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != 300 || l.Dropped() != 0 || l.Failed() != 0 {
		t.Errorf("rows %d dropped %d failed %d, want 300/0/0", count, l.Dropped(), l.Failed())
	}
}

func TestRunTwiceFails(t *testing.T) {
	st, _ := openStore(t)
	l, err := New(Options{DB: st.DB()})
	if err != nil {
		t.Fatal(err)
	}
	startRun(t, l)
	waitFor(t, "first Run to start", l.running.Load)
	if err := l.Run(context.Background()); err == nil {
		t.Fatal("second concurrent Run returned nil")
	}
}

// Without a database Run is a no-op service and logging still works.
func TestNoOutputs(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Logger().Info("nowhere")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}
