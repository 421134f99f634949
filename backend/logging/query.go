package logging

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/tonnytray/tonnytray/backend/event"
	"github.com/tonnytray/tonnytray/backend/store"
)

// Page sizes for Query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Entry is one log record as the logs viewer shows it; it is the payload of the log:appended event, so the
// viewer renders pages and live records alike.
type Entry = event.LogAppendedPayload

// Filter selects log records. Zero fields do not filter.
type Filter struct {
	MinLevel  *int      `json:"minLevel,omitempty"` // slog.Level value: records at or above it
	Levels    []int     `json:"levels,omitempty"`   // exact slog.Level values
	Component string    `json:"component,omitempty"`
	Since     time.Time `json:"since,omitzero"` // inclusive
	Until     time.Time `json:"until,omitzero"` // exclusive
	// Text is a case-insensitive (ASCII) substring of the message or the attributes' JSON; % and _ are
	// literal.
	Text string `json:"text,omitempty"`
	// Before is the keyset cursor for older pages: only IDs below it. 0 starts at the newest record.
	Before uint64 `json:"before,omitempty"`
	// After follows live: only IDs above it, oldest first. Ask again with the last ID returned.
	After uint64 `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty"` // default 100, at most 1000
}

// Page is one page of records, newest first (oldest first with Filter.After).
type Page struct {
	Entries []Entry `json:"entries"`
	// NextBefore is the Before of the next older page; 0 when there is none (always 0 with Filter.After).
	NextBefore uint64 `json:"nextBefore"`
}

func (f Filter) limit() int {
	switch {
	case f.Limit <= 0:
		return DefaultLimit
	case f.Limit > MaxLimit:
		return MaxLimit
	default:
		return f.Limit
	}
}

// Query returns one page of the records matching f. Paging is by ID (keyset), so every page costs about
// the same however deep it is.
func Query(ctx context.Context, db *gorm.DB, f Filter) (Page, error) {
	if db == nil {
		return Page{}, errors.New("query logs: no database")
	}
	limit := f.limit()
	p := Page{Entries: []Entry{}}
	q, err := pageQuery(ctx, db, f)
	if err != nil || q == nil {
		return p, err
	}
	var rows []store.LogEntry
	if err := q.Find(&rows).Error; err != nil {
		return Page{}, fmt.Errorf("query logs: %w", err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		if f.After == 0 {
			p.NextBefore = rows[limit-1].ID
		}
	}
	for _, r := range rows {
		p.Entries = append(p.Entries, toEntry(r, decodeAttrs(r.Attrs)))
	}
	return p, nil
}

// pageQuery builds the query for one page of f, or returns nil when no record can match.
//
// Every page is "ORDER BY id … LIMIT n": SQLite walks the rowid (or the (component, rowid) index) from the
// cursor and stops after n matches. Conditions written with a unary + are kept off their indexes on purpose:
// a level or time range read through its index comes out in level or time order, and SQLite would fetch
// and sort the whole range before returning the first row.
func pageQuery(ctx context.Context, db *gorm.DB, f Filter) (*gorm.DB, error) {
	q := db.WithContext(ctx).Model(&store.LogEntry{})
	if f.Component != "" {
		q = q.Where("component = ?", f.Component)
	}
	if f.MinLevel != nil {
		q = q.Where("+level >= ?", *f.MinLevel)
	}
	if len(f.Levels) > 0 {
		q = q.Where("+level IN ?", f.Levels)
	}
	if f.Text != "" {
		pat := "%" + escapeLike(f.Text) + "%"
		q = q.Where(`(message LIKE ? ESCAPE '\' OR attrs LIKE ? ESCAPE '\')`, pat, pat)
	}
	q = cursor(timeRange(q, f, "+time"), f, "id")
	if !f.Since.IsZero() || !f.Until.IsZero() {
		// The time range as an ID range, from the time index alone (a covering scan, ~30 ms per million
		// records in range): the walk then starts at the newest record in range instead of crossing
		// every newer one, and stops at the oldest. The exact time conditions above still apply, so
		// records whose times are out of ID order are neither missed nor wrongly included.
		var r struct{ Lo, Hi sql.NullInt64 }
		ids := cursor(timeRange(db.WithContext(ctx).Model(&store.LogEntry{}), f, "time"), f, "+id")
		if err := ids.Select("MIN(id) AS lo, MAX(id) AS hi").Scan(&r).Error; err != nil {
			return nil, fmt.Errorf("query logs: time range: %w", err)
		}
		if !r.Lo.Valid {
			return nil, nil
		}
		q = q.Where("id BETWEEN ? AND ?", r.Lo.Int64, r.Hi.Int64)
	}
	if f.After > 0 {
		q = q.Order("id ASC")
	} else {
		q = q.Order("id DESC")
	}
	// One row more than asked tells whether an older page exists without a second query.
	return q.Limit(f.limit() + 1), nil
}

// timeRange adds f's time bounds on column col ("time" to use the time index, "+time" not to).
func timeRange(q *gorm.DB, f Filter, col string) *gorm.DB {
	if !f.Since.IsZero() {
		q = q.Where(col+" >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where(col+" < ?", f.Until.UTC())
	}
	return q
}

// cursor adds f's keyset bounds on col ("id", or "+id" to keep a scan on the time index).
func cursor(q *gorm.DB, f Filter, col string) *gorm.DB {
	if f.Before > 0 {
		q = q.Where(col+" < ?", f.Before)
	}
	if f.After > 0 {
		q = q.Where(col+" > ?", f.After)
	}
	return q
}

// escapeLike makes %, _ and the escape character itself literal in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// toEntry converts a row and its decoded attributes.
func toEntry(e store.LogEntry, attrs map[string]string) Entry {
	if len(attrs) == 0 {
		attrs = nil
	}
	return Entry{
		ID:        e.ID,
		Time:      e.Time.UTC().Format(time.RFC3339Nano),
		Level:     slog.Level(e.Level).String(),
		Component: e.Component,
		Message:   e.Message,
		Attrs:     attrs,
	}
}

// decodeAttrs reads the Attrs column. A value that is not a JSON object of strings (written by something
// else) is shown whole under "attrs" rather than lost.
func decodeAttrs(s string) map[string]string {
	if s == "" || s == "{}" {
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return map[string]string{"attrs": s}
	}
	return m
}

// Components lists the distinct non-empty components in the logs table, sorted, for the viewer's filter.
func Components(ctx context.Context, db *gorm.DB) ([]string, error) {
	if db == nil {
		return nil, errors.New("list log components: no database")
	}
	// One index seek per component ("skip scan") instead of reading the whole index with DISTINCT: there
	// are a few dozen components and millions of rows.
	out := []string{}
	last := ""
	for {
		var next []string
		err := db.WithContext(ctx).Model(&store.LogEntry{}).Where("component > ?", last).
			Order("component").Limit(1).Pluck("component", &next).Error
		if err != nil {
			return nil, fmt.Errorf("list log components: %w", err)
		}
		if len(next) == 0 {
			return out, nil
		}
		last = next[0]
		out = append(out, last)
	}
}

// Export writes every record matching f (Before, After and Limit are honoured as starting point and ignored
// as page size) to w as "json" (an array of entries) or "csv" (id, time, level, component, message, attrs
// as JSON). It reads the table a page at a time, so memory stays flat however many records match.
func Export(ctx context.Context, db *gorm.DB, f Filter, w io.Writer, format string) error {
	var enc exporter
	switch format {
	case "json":
		enc = &jsonExporter{w: w}
	case "csv":
		enc = &csvExporter{w: csv.NewWriter(w)}
	default:
		return fmt.Errorf("export logs: unknown format %q (json or csv)", format)
	}
	if err := enc.begin(); err != nil {
		return fmt.Errorf("export logs: %w", err)
	}
	f.Limit = MaxLimit
	for {
		p, err := Query(ctx, db, f)
		if err != nil {
			return fmt.Errorf("export logs: %w", err)
		}
		for _, e := range p.Entries {
			if err := enc.entry(e); err != nil {
				return fmt.Errorf("export logs: %w", err)
			}
		}
		if f.After > 0 {
			if len(p.Entries) < MaxLimit {
				break
			}
			f.After = p.Entries[len(p.Entries)-1].ID
			continue
		}
		if p.NextBefore == 0 {
			break
		}
		f.Before = p.NextBefore
	}
	if err := enc.end(); err != nil {
		return fmt.Errorf("export logs: %w", err)
	}
	return nil
}

type exporter interface {
	begin() error
	entry(Entry) error
	end() error
}

type jsonExporter struct {
	w     io.Writer
	count int
}

func (x *jsonExporter) begin() error {
	_, err := io.WriteString(x.w, "[")
	return err
}

func (x *jsonExporter) entry(e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	sep := ",\n"
	if x.count == 0 {
		sep = "\n"
	}
	x.count++
	if _, err := io.WriteString(x.w, sep); err != nil {
		return err
	}
	_, err = x.w.Write(b)
	return err
}

func (x *jsonExporter) end() error {
	_, err := io.WriteString(x.w, "\n]\n")
	return err
}

type csvExporter struct{ w *csv.Writer }

func (x *csvExporter) begin() error {
	return x.w.Write([]string{"id", "time", "level", "component", "message", "attrs"})
}

func (x *csvExporter) entry(e Entry) error {
	attrs := ""
	if len(e.Attrs) > 0 {
		b, err := json.Marshal(e.Attrs)
		if err != nil {
			return err
		}
		attrs = string(b)
	}
	return x.w.Write([]string{strconv.FormatUint(e.ID, 10), e.Time, e.Level, e.Component, e.Message, attrs})
}

func (x *csvExporter) end() error {
	x.w.Flush()
	return x.w.Error()
}
