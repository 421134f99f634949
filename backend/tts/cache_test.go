package tts

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/elevensim"
)

func openCache(t testing.TB, dir string, max int64) *Cache {
	t.Helper()
	c, err := OpenCache(dir, max)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// speak is what the daemon does: a hit plays from disk, a miss streams
// through the cache.
func speak(t testing.TB, cache *Cache, c *Client, r Request) []byte {
	t.Helper()
	key := cache.Key(r)
	if rc, ok := cache.Get(key); ok {
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s, err := c.Stream(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	rc := cache.Put(key, s)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCacheHit(t *testing.T) {
	sim := startSim(t, elevensim.Config{})
	c := newClient(t, Config{BaseURL: sim.URL()})
	dir := filepath.Join(t.TempDir(), "tts")
	cache := openCache(t, dir, 0)
	r := req("OK, the lights are on.")
	first := speak(t, cache, c, r)
	if sim.Requests() != 1 || cache.Size() != int64(len(first)) {
		t.Fatalf("after a miss: %d requests, size %d", sim.Requests(), cache.Size())
	}
	second := speak(t, cache, c, r)
	if sim.Requests() != 1 {
		t.Errorf("a hit went to the network: %d requests", sim.Requests())
	}
	if !bytes.Equal(first, second) || !bytes.Equal(first, elevensim.Speech(r.Text, SampleRate)) {
		t.Error("hit differs from the synthesis")
	}
	// Anything that changes the audio is another key.
	other := r
	other.Settings.Speed = 1.1
	if cache.Key(other) == cache.Key(r) {
		t.Error("speed not in the key")
	}
	for _, change := range []func(*Request){
		func(r *Request) { r.VoiceID = "x" }, func(r *Request) { r.ModelID = "x" }, func(r *Request) { r.LanguageCode = "de" },
		func(r *Request) { r.Text += " " }, func(r *Request) { r.Settings.SpeakerBoost = false },
	} {
		o := r
		change(&o)
		if cache.Key(o) == cache.Key(r) {
			t.Errorf("%+v has the same key", o)
		}
	}
	withContext := r
	withContext.PreviousText = "Hello."
	if cache.Key(withContext) != cache.Key(r) {
		t.Error("previous_text changes the key")
	}
	// Files and permissions.
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("dir: %v %v", info.Mode(), err)
	}
	if info, err := os.Stat(filepath.Join(dir, cache.Key(r)+".pcm")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("entry: %v", err)
	}
	if _, ok := cache.Get("../../etc/passwd"); ok {
		t.Error("bad key hit")
	}
}

func TestCacheEviction(t *testing.T) {
	dir := t.TempDir()
	cache := openCache(t, dir, 2500)
	put := func(text string, n int) string {
		key := cache.Key(Request{Text: text})
		rc := cache.Put(key, bytes.NewReader(bytes.Repeat([]byte{1}, n)))
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		return key
	}
	a := put("a", 1000)
	time.Sleep(5 * time.Millisecond)
	b := put("b", 1000)
	time.Sleep(5 * time.Millisecond)
	if rc, ok := cache.Get(a); !ok { // a is now more recent than b
		t.Fatal("a missing")
	} else {
		rc.Close()
	}
	time.Sleep(5 * time.Millisecond)
	c := put("c", 1000) // 3000 > 2500: the least recently used, b, goes
	if _, ok := cache.Get(b); ok {
		t.Error("b survived")
	}
	for _, k := range []string{a, c} {
		if rc, ok := cache.Get(k); !ok {
			t.Errorf("%s evicted", k[:8])
		} else {
			rc.Close()
		}
	}
	if cache.Size() != 2000 {
		t.Errorf("size %d", cache.Size())
	}
	if _, err := os.Stat(filepath.Join(dir, b+".pcm")); !os.IsNotExist(err) {
		t.Errorf("b's file: %v", err)
	}
	// Bigger than the whole cache: passed through, never stored.
	big := put("big", 3000)
	if _, ok := cache.Get(big); ok || cache.Size() != 2000 {
		t.Errorf("oversized entry stored; size %d", cache.Size())
	}

	// Reopen: entries and their order survive (from the files' mtimes).
	time.Sleep(5 * time.Millisecond)
	if rc, ok := cache.Get(c); ok { // c most recent
		rc.Close()
	}
	os.WriteFile(filepath.Join(dir, a+"-123.tmp"), []byte("half"), 0o600) // a crash mid-write
	reopened := openCache(t, dir, 1500)                                   // fits one: a, the older, goes
	if reopened.Size() != 1000 {
		t.Errorf("reopened size %d", reopened.Size())
	}
	if rc, ok := reopened.Get(c); !ok {
		t.Error("c lost on reopen")
	} else {
		rc.Close()
	}
	if _, ok := reopened.Get(a); ok {
		t.Error("a kept although older")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) != 0 {
		t.Errorf("temp files left: %v", m)
	}
}

type failing struct {
	r   io.Reader
	err error
}

func (f failing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestCachePartial(t *testing.T) {
	sim := startSim(t, elevensim.Config{ChunkEvery: 10 * time.Millisecond})
	c := newClient(t, Config{BaseURL: sim.URL()})
	dir := t.TempDir()
	cache := openCache(t, dir, 0)
	r := req("This one is interrupted by the user.")

	// Barge-in: the player closes the reader halfway.
	s, err := c.Stream(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	rc := cache.Put(cache.Key(r), s)
	if _, err := io.ReadFull(rc, make([]byte, 9600)); err != nil {
		t.Fatal(err)
	}
	rc.Close()

	// Cancelled context mid-stream.
	ctx, cancel := context.WithCancel(context.Background())
	s, err = c.Stream(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	rc = cache.Put(cache.Key(r), s)
	if _, err := io.ReadFull(rc, make([]byte, 9600)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.Copy(io.Discard, rc); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled stream: %v", err)
	}
	rc.Close()

	// Barge-in from another goroutine while a Read waits in a stall.
	sim.StallAfter(9600, 5*time.Second)
	s, err = c.Stream(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	rc = cache.Put(cache.Key(r), s)
	if _, err := io.ReadFull(rc, make([]byte, 9600)); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { rc.Close() })
	if _, err := io.Copy(io.Discard, rc); !errors.Is(err, os.ErrClosed) {
		t.Errorf("closed stream: %v", err)
	}

	// A cut body.
	rc = cache.Put(cache.Key(r), failing{strings.NewReader("half"), io.ErrUnexpectedEOF})
	if _, err := io.Copy(io.Discard, rc); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut: %v", err)
	}
	rc.Close()

	if _, ok := cache.Get(cache.Key(r)); ok || cache.Size() != 0 {
		t.Errorf("partial entry stored, size %d", cache.Size())
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

// BenchmarkCacheHitFirstByte is a hit from open to the first 4 KiB: how
// soon a cached reply can start playing.
func BenchmarkCacheHitFirstByte(b *testing.B) {
	cache := openCache(b, b.TempDir(), 0)
	r := Request{Text: "OK, the lights are on.", VoiceID: rachel}
	key := cache.Key(r)
	rc := cache.Put(key, bytes.NewReader(elevensim.Speech(r.Text, SampleRate)))
	if _, err := io.Copy(io.Discard, rc); err != nil {
		b.Fatal(err)
	}
	rc.Close()
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		rc, ok := cache.Get(key)
		if !ok {
			b.Fatal("miss")
		}
		if _, err := io.ReadFull(rc, buf); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}

// BenchmarkStreamFirstByte is a synthesis from the request to the first
// audio byte against the simulator with zero TTFB on a kept-alive loopback
// connection: the client's own share of the time to first audio.
func BenchmarkStreamFirstByte(b *testing.B) {
	sim := startSim(b, elevensim.Config{CharacterLimit: 1 << 30})
	c := newClient(b, Config{BaseURL: sim.URL()})
	r := req("Hi.")
	buf := make([]byte, 1)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rc, err := c.Stream(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(rc, buf); err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, rc) // drain, so the connection is reused
		rc.Close()
	}
}
