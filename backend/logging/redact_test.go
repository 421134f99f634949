package logging

import (
	"strings"
	"sync"
	"testing"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor()
	r.Add("s3cr3t-value")
	r.Add("s3cr3t-value-longer") // overlapping: the longer must win, leaving no tail
	r.Add("p@ss/word")           // URL-escaped forms are known too
	r.Add("abc")                 // too short: ignored
	r.Add("")
	cases := []struct{ in, want string }{
		{"nothing here", "nothing here"},
		{"key s3cr3t-value end", "key [REDACTED] end"},
		{"s3cr3t-value-longer", "[REDACTED]"},
		{"x=s3cr3t-values3cr3t-value", "x=[REDACTED][REDACTED]"},
		{"abc is fine", "abc is fine"},
		{"https://h/?q=p%40ss%2Fword", "https://h/?q=[REDACTED]"},
		{"/x/p@ss%2Fword/", "/x/[REDACTED]/"},
		{"amqp://user:pass@host:5672/vh", "amqp://user:[REDACTED]@host:5672/vh"},
		{"dial amqp://guest:gu%40st@localhost/ failed", "dial amqp://guest:[REDACTED]@localhost/ failed"},
		{"https://only-user@host/x", "https://only-user@host/x"},
		{"mail me at a@b.c: ok", "mail me at a@b.c: ok"},
		{"Authorization: Bearer eyJ.abc-def_ghi==", "Authorization: Bearer [REDACTED]"},
		{"authorization: bearer xyz", "authorization: bearer [REDACTED]"},
		{"GET /hook?token=abcd1234&x=1", "GET /hook?token=[REDACTED]&x=1"},
		{"api_key=zzz9 key=k123 password=p1 X-Api-Key=q9", "api_key=[REDACTED] key=[REDACTED] password=[REDACTED] X-Api-Key=[REDACTED]"},
		{"hotkey=ctrl+shift+v monkey=1 n=3", "hotkey=ctrl+shift+v monkey=1 n=3"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED]"},
		{"basic setup done", "basic setup done"},
		{`{"api_key": "ab\"c", "xi-api-key":"q", "n":1, "hotkey":"v"}`, `{"api_key": "[REDACTED]", "xi-api-key":"[REDACTED]", "n":1, "hotkey":"v"}`},
		{`{"Authorization":"Bearer x"}`, `{"Authorization":"[REDACTED]"}`},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSecretKey(t *testing.T) {
	secret := []string{"key", "KEY", "api_key", "apiKey", "APIKEY", "x-api-key", "webhookKey", "elevenlabs.key",
		"token", "accessToken", "refresh_token", "password", "DB_PASSWORD", "passwd", "secret", "clientSecret",
		"authorization", "Authorization", "n8n_webhook_key"}
	plain := []string{"hotkey", "monkey", "HOTKEY", "keys", "keyboard", "tokens", "component", "passage", "k", ""}
	for _, k := range secret {
		if !secretKey(k) {
			t.Errorf("secretKey(%q) = false", k)
		}
	}
	for _, k := range plain {
		if secretKey(k) {
			t.Errorf("secretKey(%q) = true", k)
		}
	}
}

// Add races with String under -race: Add swaps the replacer while loggers read it.
func TestRedactorConcurrent(t *testing.T) {
	r := NewRedactor()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				r.Add(strings.Repeat("s", 4+i) + string(rune('a'+j%26)))
				_ = r.String("sssssa and more")
			}
		})
	}
	wg.Wait()
	if got := r.String("ssssa"); got != Redacted {
		t.Errorf("String = %q", got)
	}
}

// FuzzRedactor checks that a registered secret never survives, whatever surrounds it.
func FuzzRedactor(f *testing.F) {
	for _, s := range []string{"", "x", "amqp://u:", "Bearer ", "token=", "@", "s3cr3t", "://a:b@c"} {
		f.Add(s, s)
	}
	const secret = "s3cr3t-Value9"
	r := NewRedactor()
	r.Add(secret)
	f.Fuzz(func(t *testing.T, before, after string) {
		out := r.String(before + secret + after)
		if strings.Contains(out, secret) {
			t.Fatalf("secret survived: %q", out)
		}
	})
}
