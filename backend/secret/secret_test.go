package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServiceName is unique per call: the kernel keyring is shared by every process of the user.
func testServiceName() string {
	return fmt.Sprintf("tonnytray-test-%d-%d", os.Getpid(), time.Now().UnixNano())
}

// fixedPassword is a FilePassword func that counts its calls.
func fixedPassword(pw string, calls *int) func(string) (string, error) {
	return func(string) (string, error) {
		*calls++
		return pw, nil
	}
}

func TestKeysAndParseKey(t *testing.T) {
	keys := Keys()
	want := []Key{N8NAuth, N8NHMAC, ElevenLabsAPIKey, RabbitMQPassword, WhisperToken}
	if len(keys) != len(want) {
		t.Fatalf("Keys() has %d entries, want %d", len(keys), len(want))
	}
	for i, ki := range keys {
		if ki.Key != want[i] || ki.Label == "" {
			t.Errorf("Keys()[%d] = %+v", i, ki)
		}
		k, err := ParseKey(string(ki.Key))
		if err != nil || k != ki.Key {
			t.Errorf("ParseKey(%q) = %q, %v", ki.Key, k, err)
		}
	}
	keys[0].Label = "changed"
	if Keys()[0].Label == "changed" {
		t.Error("Keys() returns the shared table")
	}
	for _, bad := range []string{"", "n8n", "N8N.AUTH", " n8n.auth", "n8n.auth ", "elevenlabs.api_key\n"} {
		if _, err := ParseKey(bad); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("ParseKey(%q) error = %v, want ErrUnknownKey", bad, err)
		}
	}
}

func TestParseBackendAndLabels(t *testing.T) {
	for in, want := range map[string]Backend{"": BackendAuto, "auto": BackendAuto, "secret-service": BackendSecretService,
		"kwallet": BackendKWallet, "keyctl": BackendKeyCtl, "file": BackendFile} {
		if b, err := ParseBackend(in); err != nil || b != want {
			t.Errorf("ParseBackend(%q) = %q, %v", in, b, err)
		}
		if want.Label() == string(want) {
			t.Errorf("%q has no human label", want)
		}
	}
	if _, err := ParseBackend("pass"); err == nil {
		t.Error(`ParseBackend("pass") accepted an unsupported backend`)
	}
	if got := BackendSecretService.Label(); got != "Secret Service (login)" {
		t.Errorf("Secret Service label = %q", got)
	}
}

func FuzzParseKey(f *testing.F) {
	for _, ki := range Keys() {
		f.Add(string(ki.Key))
	}
	f.Add("n8n.auth\x00")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKey(s)
		if err != nil {
			if !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("ParseKey(%q): %v is not ErrUnknownKey", s, err)
			}
			return
		}
		if string(k) != s || !slices.ContainsFunc(Keys(), func(ki KeyInfo) bool { return ki.Key == k }) {
			t.Fatalf("ParseKey(%q) = %q", s, k)
		}
	})
}

func TestFileRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keyring")
	const password = "correct horse battery staple"
	var prompts []string
	var learned []string
	cfg := Config{
		Backend: BackendFile,
		FileDir: dir,
		FilePassword: func(prompt string) (string, error) {
			prompts = append(prompts, prompt)
			return password, nil
		},
		OnSecret: func(v string) { learned = append(learned, v) },
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open file: %v", err)
	}
	if s.Backend() != BackendFile {
		t.Fatalf("Backend = %q", s.Backend())
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], dir) {
		t.Fatalf("password prompts = %q, want one naming %s", prompts, dir)
	}
	if !slices.Contains(learned, password) {
		t.Error("OnSecret did not learn the file password")
	}
	for k, has := range s.Status() {
		if has {
			t.Errorf("fresh store: Status[%s] = true", k)
		}
	}

	values := map[Key]string{}
	for i, ki := range Keys() {
		values[ki.Key] = fmt.Sprintf("value-%d-%s-c0ffee", i, ki.Key)
		if err := s.Set(ki.Key, "\t "+values[ki.Key]+" \n"); err != nil {
			t.Fatalf("Set %s: %v", ki.Key, err)
		}
	}
	for k, v := range values {
		if !slices.Contains(learned, v) {
			t.Errorf("OnSecret did not learn the value of %s", k)
		}
		if has, err := s.Has(k); err != nil || !has {
			t.Errorf("Has %s = %v, %v", k, has, err)
		}
		if got, err := s.Get(k); err != nil || got != v {
			t.Errorf("Get %s = %q, %v", k, got, err)
		}
	}
	for k, has := range s.Status() {
		if !has {
			t.Errorf("Status[%s] = false after Set", k)
		}
	}

	// On disk: only ciphertext, readable by the user alone.
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("keyring dir mode: %v, %v", info.Mode(), err)
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if info, _ := d.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
		}
		for _, v := range append(slices.Collect(maps.Values(values)), password) {
			for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))} {
				if bytes.Contains(data, []byte(form)) {
					t.Errorf("%s contains a plaintext value or password", filepath.Base(path))
				}
			}
		}
		return nil
	})
	if err != nil || files < len(values) {
		t.Fatalf("walked %d files: %v", files, err)
	}

	// A restart with the same password reads them back.
	s2, err := Open(cfg)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if got, err := s2.Get(WhisperToken); err != nil || got != values[WhisperToken] {
		t.Fatalf("reopened Get = %q, %v", got, err)
	}

	if err := s2.Delete(WhisperToken); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s2.Delete(WhisperToken); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if has, err := s.Has(WhisperToken); err != nil || has {
		t.Fatalf("Has after Delete = %v, %v", has, err)
	}
	if _, err := s.Get(WhisperToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
	}
	if st := s.Status(); st[WhisperToken] || !st[N8NAuth] {
		t.Fatalf("Status after Delete = %v", st)
	}
}

func TestFileWrongPassword(t *testing.T) {
	for _, withItems := range []bool{false, true} {
		t.Run(fmt.Sprintf("items=%v", withItems), func(t *testing.T) {
			dir := t.TempDir()
			var calls int
			s, err := Open(Config{Backend: BackendFile, FileDir: dir, FilePassword: fixedPassword("right password", &calls)})
			if err != nil {
				t.Fatal(err)
			}
			if withItems {
				if err := s.Set(N8NHMAC, "hmac-secret-4411"); err != nil {
					t.Fatal(err)
				}
			}
			const wrong = "wrong password 123"
			_, err = Open(Config{Backend: BackendFile, FileDir: dir, FilePassword: fixedPassword(wrong, &calls)})
			if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "wrong password for the encrypted secrets file") {
				t.Fatalf("Open with a wrong password: %v, want ErrLocked saying so", err)
			}
			if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), "hmac-secret-4411") {
				t.Fatalf("error message carries a secret: %v", err)
			}
		})
	}
}

func TestFileWithoutPassword(t *testing.T) {
	dir := t.TempDir()
	refused := errors.New("user cancelled")
	for name, cfg := range map[string]Config{
		"nil func":  {Backend: BackendFile, FileDir: dir},
		"cancelled": {Backend: BackendFile, FileDir: dir, FilePassword: func(string) (string, error) { return "", refused }},
		"empty":     {Backend: BackendFile, FileDir: dir, FilePassword: func(string) (string, error) { return "", nil }},
	} {
		_, err := Open(cfg)
		if !errors.Is(err, ErrLocked) {
			t.Errorf("%s: Open = %v, want ErrLocked", name, err)
		}
		if name == "cancelled" && !errors.Is(err, refused) {
			t.Errorf("cancelled: %v does not wrap the prompt's error", err)
		}
	}
}

func TestSetAndKeyValidation(t *testing.T) {
	var calls int
	s, err := Open(Config{Backend: BackendFile, FileDir: t.TempDir(), FilePassword: fixedPassword("pw", &calls)})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", "   ", "\n\t\r\n"} {
		if err := s.Set(N8NAuth, v); err == nil {
			t.Errorf("Set(%q) accepted an empty value", v)
		}
	}
	if has, _ := s.Has(N8NAuth); has {
		t.Error("an empty Set stored something")
	}
	bogus := Key("openai.api_key")
	if err := s.Set(bogus, "x"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Set unknown key: %v", err)
	}
	if _, err := s.Has(bogus); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Has unknown key: %v", err)
	}
	if _, err := s.Get(bogus); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Get unknown key: %v", err)
	}
	if err := s.Delete(bogus); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Delete unknown key: %v", err)
	}
	if _, err := Open(Config{Backend: "pass"}); err == nil {
		t.Error("Open accepted an unknown backend")
	}
}

func TestOnSecretSeesSetAndGet(t *testing.T) {
	var mu sync.Mutex
	var learned []string
	var calls int
	s, err := Open(Config{Backend: BackendFile, FileDir: t.TempDir(), FilePassword: fixedPassword("pw", &calls),
		OnSecret: func(v string) { mu.Lock(); learned = append(learned, v); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ElevenLabsAPIKey, " sk-eleven-0042\n"); err != nil {
		t.Fatal(err)
	}
	if len(learned) != 2 || learned[1] != "sk-eleven-0042" { // [0] is the file password
		t.Fatalf("after Set OnSecret saw %d values; want the password then the trimmed value", len(learned))
	}
	if _, err := s.Get(ElevenLabsAPIKey); err != nil {
		t.Fatal(err)
	}
	if len(learned) != 3 || learned[2] != "sk-eleven-0042" {
		t.Fatalf("after Get OnSecret saw %d values", len(learned))
	}
}

// A failing Set reports the key and the cause, never the value.
func TestErrorsNeverCarryTheValue(t *testing.T) {
	dir := t.TempDir()
	var calls int
	s, err := Open(Config{Backend: BackendFile, FileDir: dir, FilePassword: fixedPassword("pw", &calls)})
	if err != nil {
		t.Fatal(err)
	}
	// A directory where the item's file should go makes the write fail, even for root.
	if err := os.Mkdir(filepath.Join(dir, string(N8NAuth)), 0o700); err != nil {
		t.Fatal(err)
	}
	const value = "do-not-leak-8e21"
	err = s.Set(N8NAuth, value)
	if err == nil || !strings.Contains(err.Error(), string(N8NAuth)) || strings.Contains(err.Error(), value) {
		t.Fatalf("Set into a broken store: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	var calls int
	s, err := Open(Config{Backend: BackendFile, FileDir: t.TempDir(), FilePassword: fixedPassword("pw", &calls)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, ki := range Keys() {
		wg.Go(func() {
			for j := range 5 {
				v := fmt.Sprintf("v%d-%d", i, j)
				if err := s.Set(ki.Key, v); err != nil {
					t.Error(err)
					return
				}
				if got, err := s.Get(ki.Key); err != nil || got != v {
					t.Errorf("Get %s = %q, %v", ki.Key, got, err)
				}
				_ = s.Status()
			}
		})
	}
	wg.Wait()
}
