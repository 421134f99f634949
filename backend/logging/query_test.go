package logging

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/store"
)

// at is the seed's time of second sec.
func at(sec int) time.Time {
	return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second)
}

// seed inserts n rows with a known spread of levels, components, times and texts, and returns them with
// their IDs.
func seed(t testing.TB, db *gorm.DB, n int) []store.LogEntry {
	t.Helper()
	components := []string{"audio", "n8n", "tts", ""}
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}
	messages := []string{"100% done", "100 done", "a_b c", "axb c", `back\slash`, "Plain Text", "line"}
	rows := make([]store.LogEntry, n)
	for i := range rows {
		attrs := "{}"
		if i%5 == 0 {
			attrs = fmt.Sprintf(`{"i":"%d","who":"Needle_%d"}`, i, i%3)
		}
		rows[i] = store.LogEntry{
			Time:      at(i),
			Level:     int(levels[(i/2)%len(levels)]),
			Component: components[i%len(components)],
			Message:   messages[i%len(messages)],
			Attrs:     attrs,
		}
	}
	if err := db.CreateInBatches(&rows, 500).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// matches is the reference meaning of a Filter (without the cursors).
func matches(f Filter, r store.LogEntry) bool {
	if f.MinLevel != nil && r.Level < *f.MinLevel {
		return false
	}
	if len(f.Levels) > 0 && !slices.Contains(f.Levels, r.Level) {
		return false
	}
	if f.Component != "" && r.Component != f.Component {
		return false
	}
	if !f.Since.IsZero() && r.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !r.Time.Before(f.Until) {
		return false
	}
	if f.Text != "" {
		text := strings.ToLower(f.Text)
		if !strings.Contains(strings.ToLower(r.Message), text) && !strings.Contains(strings.ToLower(r.Attrs), text) {
			return false
		}
	}
	return true
}

func ptr[T any](v T) *T { return &v }

// walk pages through every record matching f and returns the IDs in the order received.
func walk(t *testing.T, db *gorm.DB, f Filter) []uint64 {
	t.Helper()
	var ids []uint64
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("pagination does not end")
		}
		p, err := Query(context.Background(), db, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			ids = append(ids, e.ID)
		}
		if p.NextBefore == 0 {
			return ids
		}
		if len(p.Entries) != f.limit() || p.NextBefore != p.Entries[len(p.Entries)-1].ID {
			t.Fatalf("page of %d with NextBefore %d", len(p.Entries), p.NextBefore)
		}
		f.Before = p.NextBefore
	}
}

func TestQueryFilters(t *testing.T) {
	st, _ := openStore(t)
	rows := seed(t, st.DB(), 1050)
	cases := []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"min level warn", Filter{MinLevel: ptr(int(slog.LevelWarn))}},
		{"min level error", Filter{MinLevel: ptr(int(slog.LevelError))}},
		{"exact levels", Filter{Levels: []int{int(slog.LevelDebug), int(slog.LevelError)}}},
		{"component", Filter{Component: "n8n"}},
		{"component and level", Filter{Component: "tts", MinLevel: ptr(int(slog.LevelInfo))}},
		{"since", Filter{Since: at(1000)}},
		{"until", Filter{Until: at(10)}},
		{"time range", Filter{Since: at(100).Add(time.Millisecond), Until: at(200)}},
		{"time range in another zone", Filter{Since: at(100).In(time.FixedZone("X", 3600)), Until: at(200)}},
		{"percent is literal", Filter{Text: "100%"}},
		{"underscore is literal", Filter{Text: "a_b"}},
		{"backslash is literal", Filter{Text: `k\s`}},
		{"case-insensitive", Filter{Text: "plain text"}},
		{"text in attrs", Filter{Text: "needle_2"}},
		{"no match", Filter{Text: "nothing like this"}},
		{"everything", Filter{Component: "audio", MinLevel: ptr(int(slog.LevelInfo)), Text: "c", Since: at(50)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []uint64
			for _, r := range slices.Backward(rows) {
				if matches(c.f, r) {
					want = append(want, r.ID)
				}
			}
			if len(want) == 0 && c.name != "no match" {
				t.Fatal("case selects nothing; fix the seed")
			}
			f := c.f
			f.Limit = 37 // several pages, not a divisor of the counts
			if got := walk(t, st.DB(), f); !slices.Equal(got, want) {
				t.Errorf("got %d ids, want %d\n got %v\nwant %v", len(got), len(want), head(got), head(want))
			}
		})
	}
	// The percent and underscore cases must not have matched their wildcard readings.
	p, _ := Query(context.Background(), st.DB(), Filter{Text: "100%", Limit: 1})
	if p.Entries[0].Message != "100% done" {
		t.Errorf("%q matched for 100%%", p.Entries[0].Message)
	}
}

// Times out of ID order (clock steps, records queued late) must neither be missed nor leak in: the time
// range is narrowed to an ID range only as a shortcut, and the exact time conditions still decide.
func TestQueryTimeRangeOutOfOrder(t *testing.T) {
	st, _ := openStore(t)
	rows := seed(t, st.DB(), 600)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range rows {
		rows[i].Time = at(rng.IntN(600)) // scatter the times over the same span
		if err := st.DB().Model(&rows[i]).Update("time", rows[i].Time).Error; err != nil {
			t.Fatal(err)
		}
	}
	warn := int(slog.LevelWarn)
	for _, f := range []Filter{
		{Since: at(100), Until: at(200)},
		{Since: at(550)},
		{Until: at(50)},
		{Since: at(300), Until: at(301)},
		{Since: at(100), Until: at(400), Component: "audio", MinLevel: &warn},
		{Since: at(1000)},
	} {
		var want []uint64
		for _, r := range slices.Backward(rows) {
			if matches(f, r) {
				want = append(want, r.ID)
			}
		}
		f.Limit = 7
		if got := walk(t, st.DB(), f); !slices.Equal(got, want) {
			t.Errorf("%+v: got %d ids, want %d", f, len(got), len(want))
		}
		// Following live from the middle sees the same records, oldest first.
		f.After = rows[299].ID
		var after []uint64
		for _, id := range slices.Backward(want) {
			if id > f.After {
				after = append(after, id)
			}
		}
		var got []uint64
		for {
			p, err := Query(context.Background(), st.DB(), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				got = append(got, e.ID)
			}
			if len(p.Entries) < f.Limit {
				break
			}
			f.After = p.Entries[len(p.Entries)-1].ID
		}
		if !slices.Equal(got, after) {
			t.Errorf("after %+v: got %v, want %v", f, got, after)
		}
	}
}

func head(ids []uint64) []uint64 { return ids[:min(len(ids), 10)] }

func TestQueryPagination(t *testing.T) {
	st, _ := openStore(t)
	rows := seed(t, st.DB(), 300)

	// A count that is an exact multiple of the page size ends without an empty extra page.
	ids := walk(t, st.DB(), Filter{Limit: 100})
	if len(ids) != 300 {
		t.Fatalf("walked %d ids, want 300", len(ids))
	}
	seen := map[uint64]bool{}
	for i, id := range ids {
		if seen[id] || (i > 0 && id >= ids[i-1]) {
			t.Fatalf("id %d repeated or out of order at %d", id, i)
		}
		seen[id] = true
	}

	p, err := Query(context.Background(), st.DB(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != DefaultLimit || p.Entries[0].ID != rows[299].ID {
		t.Errorf("default page: %d entries, first %d", len(p.Entries), p.Entries[0].ID)
	}
	e := p.Entries[0]
	if e.Time != rows[299].Time.Format(time.RFC3339Nano) || e.Level != slog.Level(rows[299].Level).String() || e.Message != rows[299].Message {
		t.Errorf("entry = %+v, row %+v", e, rows[299])
	}

	p, err = Query(context.Background(), st.DB(), Filter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 300 || p.NextBefore != 0 {
		t.Errorf("big limit: %d entries, NextBefore %d", len(p.Entries), p.NextBefore)
	}

	// Follow live: only newer records, oldest first.
	after := rows[249].ID
	p, err = Query(context.Background(), st.DB(), Filter{After: after, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 20 || p.NextBefore != 0 {
		t.Fatalf("after: %d entries, NextBefore %d", len(p.Entries), p.NextBefore)
	}
	for i, e := range p.Entries {
		if e.ID != rows[250+i].ID {
			t.Fatalf("after entry %d has id %d, want %d", i, e.ID, rows[250+i].ID)
		}
	}
	p, _ = Query(context.Background(), st.DB(), Filter{After: rows[299].ID})
	if len(p.Entries) != 0 || p.Entries == nil {
		t.Errorf("after newest: %v (want an empty, non-nil list)", p.Entries)
	}
	if b, _ := json.Marshal(p); string(b) != `{"entries":[],"nextBefore":0}` {
		t.Errorf("empty page JSON = %s", b)
	}
}

func TestComponents(t *testing.T) {
	st, _ := openStore(t)
	got, err := Components(context.Background(), st.DB())
	if err != nil || len(got) != 0 || got == nil {
		t.Fatalf("empty table: %v, %v", got, err)
	}
	seed(t, st.DB(), 40)
	got, err = Components(context.Background(), st.DB())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"audio", "n8n", "tts"}; !slices.Equal(got, want) {
		t.Errorf("components = %v, want %v", got, want)
	}
}

func TestExport(t *testing.T) {
	st, _ := openStore(t)
	seed(t, st.DB(), 2500) // more than two export pages
	ctx := context.Background()
	for _, f := range []Filter{{}, {Component: "audio", MinLevel: ptr(int(slog.LevelWarn))}, {Text: "no such text"}} {
		want := walk(t, st.DB(), Filter{Component: f.Component, MinLevel: f.MinLevel, Text: f.Text, Limit: MaxLimit})
		var all []Entry
		for before := uint64(0); ; {
			p, err := Query(ctx, st.DB(), Filter{Component: f.Component, MinLevel: f.MinLevel, Text: f.Text, Before: before, Limit: MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p.Entries...)
			if before = p.NextBefore; before == 0 {
				break
			}
		}

		var js bytes.Buffer
		if err := Export(ctx, st.DB(), f, &js, "json"); err != nil {
			t.Fatal(err)
		}
		var got []Entry
		if err := json.Unmarshal(js.Bytes(), &got); err != nil {
			t.Fatalf("json export does not parse: %v\n%.300s", err, js.String())
		}
		if len(got) != len(want) || fmt.Sprint(got) != fmt.Sprint(all) {
			t.Errorf("json export: %d entries, want %d", len(got), len(want))
		}

		var cs bytes.Buffer
		if err := Export(ctx, st.DB(), f, &cs, "csv"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&cs).ReadAll()
		if err != nil {
			t.Fatalf("csv export does not parse: %v", err)
		}
		if !slices.Equal(recs[0], []string{"id", "time", "level", "component", "message", "attrs"}) || len(recs) != len(want)+1 {
			t.Fatalf("csv export: header %v, %d records, want %d", recs[0], len(recs)-1, len(want))
		}
		for i, r := range recs[1:] {
			e := all[i]
			var attrs map[string]string
			if r[5] != "" {
				if err := json.Unmarshal([]byte(r[5]), &attrs); err != nil {
					t.Fatalf("csv attrs %q: %v", r[5], err)
				}
			}
			if r[0] != strconv.FormatUint(e.ID, 10) || r[1] != e.Time || r[2] != e.Level || r[3] != e.Component ||
				r[4] != e.Message || fmt.Sprint(attrs) != fmt.Sprint(e.Attrs) {
				t.Fatalf("csv row %d = %v, entry %+v", i, r, e)
			}
		}
	}
	if err := Export(ctx, st.DB(), Filter{}, &bytes.Buffer{}, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}
