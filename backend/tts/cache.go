package tts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultCacheBytes bounds the cache when OpenCache gets 0: about 36
// minutes of pcm_24000, thousands of typical replies.
const DefaultCacheBytes = 100 << 20

const (
	entryExt = ".pcm"
	tempExt  = ".tmp"
)

// Cache keeps finished syntheses on disk so a repeated reply ("OK, the
// lights are on.") starts at once and costs no quota. Entries are
// <dir>/<hex key>.pcm (0600, dir 0700); the total is bounded in bytes and
// the least recently used entries go first. Access times live in memory and
// are loaded from the files' mtimes at open; a hit also touches the file so
// the order survives a restart. Writes go to a temp file renamed into place
// only after the whole stream arrived, so neither a crash nor a cut or
// cancelled stream leaves a partial entry. It is safe for concurrent use.
type Cache struct {
	dir string
	max int64

	mu      sync.Mutex
	entries map[string]*entry
	size    int64
}

type entry struct {
	size  int64
	atime time.Time
}

// OpenCache opens (creating it if needed) the cache in dir, bounded to
// maxBytes (0 or less = DefaultCacheBytes). Leftover temp files of a crash
// are removed; entries beyond the bound are evicted.
func OpenCache(dir string, maxBytes int64) (*Cache, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open tts cache: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // replies may be private
		return nil, fmt.Errorf("open tts cache: %w", err)
	}
	list, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open tts cache: %w", err)
	}
	c := &Cache{dir: dir, max: maxBytes, entries: make(map[string]*entry)}
	for _, de := range list {
		name := de.Name()
		if !de.Type().IsRegular() {
			continue
		}
		if strings.HasSuffix(name, tempExt) {
			_ = os.Remove(filepath.Join(dir, name)) // a write cut by a crash
			continue
		}
		key, ok := strings.CutSuffix(name, entryExt)
		if !ok || !validKey(key) {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		c.entries[key] = &entry{size: info.Size(), atime: info.ModTime()}
		c.size += info.Size()
	}
	c.mu.Lock()
	c.evict("")
	c.mu.Unlock()
	return c, nil
}

// validKey reports a lower-case hex sha256, so a key never names a path
// outside the cache.
func validKey(k string) bool {
	if len(k) != 2*sha256.Size {
		return false
	}
	for _, r := range k {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// Key is the cache key of a synthesis: the sha256 of everything that
// changes the audio — voice, model, language, settings, output format and
// text. PreviousText and NextText are left out: they only nudge the
// intonation, and a repeated sentence should hit whatever surrounds it.
func (c *Cache) Key(r Request) string {
	b, _ := json.Marshal(struct {
		V, M, L, F, T string
		S             VoiceSettings
	}{r.VoiceID, r.ModelID, r.LanguageCode, OutputFormat, r.Text, r.Settings})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key+entryExt) }

// Get opens the entry for key: a hit reads straight from disk. The caller
// closes it.
func (c *Cache) Get(key string) (io.ReadCloser, bool) {
	if !validKey(key) {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		c.mu.Unlock()
		return nil, false
	}
	now := time.Now()
	e.atime = now
	c.mu.Unlock()
	f, err := os.Open(c.path(key))
	if err != nil { // removed behind our back
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
			c.size -= e.size
		}
		c.mu.Unlock()
		return nil, false
	}
	_ = os.Chtimes(c.path(key), now, now) // best effort: keeps the LRU order across restarts
	return f, true
}

// Put returns a reader that passes src through and stores what it read
// under key once src ends cleanly with io.EOF. A read error, or a Close
// before EOF, discards the entry. Close also closes src when it is an
// io.Closer. Caching is best effort: if the disk fails, the reader still
// passes src through.
func (c *Cache) Put(key string, src io.Reader) io.ReadCloser {
	t := &tee{c: c, key: key, src: src}
	if validKey(key) {
		f, err := os.CreateTemp(c.dir, key+"-*"+tempExt) // 0600
		if err == nil {
			t.tmp = f
		}
	}
	return t
}

// tee is Put's reader. Close may be called from another goroutine while a
// Read blocks (barge-in): mu guards the temp file, not the read from src.
type tee struct {
	c   *Cache
	key string
	src io.Reader

	mu     sync.Mutex
	tmp    *os.File // nil once committed or discarded
	n      int64
	closed bool
}

func (t *tee) Read(p []byte) (int, error) {
	n, err := t.src.Read(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	if n > 0 && t.tmp != nil {
		if t.n+int64(n) > t.c.max {
			t.discard() // could never fit
		} else if _, werr := t.tmp.Write(p[:n]); werr != nil {
			t.discard()
		} else {
			t.n += int64(n)
		}
	}
	switch {
	case err == io.EOF:
		t.commit()
	case err != nil:
		t.discard()
	}
	return n, err
}

// commit renames the temp file into place and accounts for it.
func (t *tee) commit() {
	if t.tmp == nil {
		return
	}
	if t.n == 0 { // an empty synthesis is not worth a hit
		t.discard()
		return
	}
	f := t.tmp
	t.tmp = nil
	// Sync before rename: after a crash the entry is whole or absent.
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		_ = os.Remove(f.Name())
		return
	}
	final := t.c.path(t.key)
	now := time.Now()
	_ = os.Chtimes(f.Name(), now, now)
	if err := os.Rename(f.Name(), final); err != nil {
		_ = os.Remove(f.Name())
		return
	}
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[t.key]; ok { // a concurrent Put of the same key
		c.size -= old.size
	}
	c.entries[t.key] = &entry{size: t.n, atime: now}
	c.size += t.n
	c.evict(t.key)
}

func (t *tee) discard() {
	if t.tmp == nil {
		return
	}
	_ = t.tmp.Close()
	_ = os.Remove(t.tmp.Name())
	t.tmp = nil
}

func (t *tee) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.discard() // before EOF: a partial stream is never stored
	t.mu.Unlock()
	if cl, ok := t.src.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// evict removes least recently used entries until the cache fits, sparing
// keep (the entry just written). The caller holds mu.
func (c *Cache) evict(keep string) {
	for c.size > c.max {
		var (
			oldest string
			at     time.Time
		)
		for k, e := range c.entries {
			if k != keep && (oldest == "" || e.atime.Before(at)) {
				oldest, at = k, e.atime
			}
		}
		if oldest == "" {
			return
		}
		// An open reader of the file keeps its data until it closes.
		_ = os.Remove(c.path(oldest))
		c.size -= c.entries[oldest].size
		delete(c.entries, oldest)
	}
}

// Size is the bytes the entries take now.
func (c *Cache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}
