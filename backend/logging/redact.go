package logging

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Redacted replaces every secret the redactor finds.
const Redacted = "[REDACTED]"

// minSecretLen is the shortest value Add accepts: shorter ones would blank out ordinary words.
const minSecretLen = 4

// Attribute keys that name a secret. An attribute whose key equals one of these or ends with it
// (case-insensitively) is redacted whatever its value. "key" alone is special-cased in secretKey so that
// "hotkey" or "monkey" survive while "api_key", "webhookKey" and "x-api-key" do not.
var secretKeySuffixes = [...]string{"password", "passwd", "secret", "token", "authorization", "api_key", "apikey"}

var (
	// scheme://user:password@host — the password part is replaced.
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)([^\s@/]+)@`)
	// "Bearer <token>" anywhere, and "Authorization: Basic <credentials>" (plain "basic" is too common a word).
	authToken = regexp.MustCompile(`(?i)\b(bearer|authorization:\s*basic)\s+[A-Za-z0-9\-._~+/]+=*`)
	// key=value pairs in free text and query strings whose key names a secret (token=…, api_key=…).
	secretPair = regexp.MustCompile(`(?i)\b([A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api[_\-]?key|access[_\-]?key)|key)=([^\s&"',;]+)`)
	// The same in JSON text, such as a logged request or reply body: "api_key": "…".
	secretJSON = regexp.MustCompile(`(?i)("[A-Za-z0-9_.\-]*(?:password|passwd|secret|token|api[_\-]?key|access[_\-]?key|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
)

// Redactor removes secrets from log text. It knows two kinds: values registered with Add (API keys read from
// the keychain, webhook secrets, …) and things that look like credentials whatever their value (URL
// passwords, bearer and basic-auth credentials, token=… and "token": "…" pairs, and — in the handler —
// attributes with secret-sounding keys). It is safe for concurrent use; Add may be called while logging.
type Redactor struct {
	mu      sync.Mutex // serialises Add
	secrets []string
	// replacer is rebuilt on Add and read without locking on every log call.
	replacer atomic.Pointer[strings.Replacer]
}

// NewRedactor returns a redactor that knows no secret values yet.
func NewRedactor() *Redactor { return &Redactor{} }

// Add registers a secret value; every later occurrence in log text becomes [REDACTED]. Values shorter than
// four characters are ignored. Its URL-escaped forms are registered too, since secrets often travel in URLs.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		if !slices.Contains(r.secrets, v) {
			r.secrets = append(r.secrets, v)
		}
	}
	// Longest first: where two secrets overlap, the longer one must win or a tail of it would be left over.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	pairs := make([]string, 0, 2*len(r.secrets))
	for _, s := range r.secrets {
		pairs = append(pairs, s, Redacted)
	}
	r.replacer.Store(strings.NewReplacer(pairs...))
}

// String returns s with every known secret, URL password, bearer or basic-auth credential and secret-keyed
// key=value or JSON "key": "value" pair replaced by [REDACTED].
func (r *Redactor) String(s string) string {
	// Cheap checks first: almost every log string has none of these and never reaches a regexp.
	if strings.Contains(s, "://") && strings.Contains(s, "@") {
		s = urlCredentials.ReplaceAllString(s, "${1}"+Redacted+"@")
	}
	if strings.Contains(s, "earer") || strings.Contains(s, "EARER") || strings.Contains(s, "asic") || strings.Contains(s, "ASIC") {
		s = authToken.ReplaceAllString(s, "${1} "+Redacted)
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = secretPair.ReplaceAllString(s, "${1}="+Redacted)
	}
	if strings.Contains(s, `":`) {
		s = secretJSON.ReplaceAllString(s, `${1}"`+Redacted+`"`)
	}
	// Known values last, so that nothing the patterns rewrote can leave a registered secret behind.
	if rep := r.replacer.Load(); rep != nil {
		s = rep.Replace(s)
	}
	return s
}

// knownOnly replaces only registered secret values; it is what non-string values (numbers) get.
func (r *Redactor) knownOnly(s string) string {
	if rep := r.replacer.Load(); rep != nil {
		return rep.Replace(s)
	}
	return s
}

// secretKey reports whether an attribute key names a secret.
func secretKey(k string) bool {
	for _, w := range secretKeySuffixes {
		if hasSuffixFold(k, w) {
			return true
		}
	}
	if !hasSuffixFold(k, "key") {
		return false
	}
	if len(k) == 3 {
		return true
	}
	// Only "key" as a word of its own: after a separator (api_key, x-api-key) or a camelCase hump
	// (webhookKey), not inside a word (hotkey).
	prev, first := k[len(k)-4], k[len(k)-3]
	if !isAlnum(prev) {
		return true
	}
	return first == 'K' && (isLower(prev) || isDigit(prev))
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isLower(c) || isDigit(c) || (c >= 'A' && c <= 'Z') }

// redactHandler sits in front of every other handler, so no output (console, file, database) can see a
// record before the redactor has.
type redactHandler struct {
	next slog.Handler
	red  *Redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, h.red.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, nr)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(red), red: h.red}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), red: h.red}
}

// attr returns a redacted copy of a. Values of kind Any (errors, structs, …) become strings first: otherwise
// a JSON or text handler could render a secret the redactor never saw.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if secretKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(h.red.String(a.Value.String()))
	case slog.KindAny:
		a.Value = slog.StringValue(h.red.String(a.Value.String()))
	case slog.KindGroup:
		g := a.Value.Group()
		red := make([]slog.Attr, len(g))
		for i, ga := range g {
			red[i] = h.attr(ga)
		}
		a.Value = slog.GroupValue(red...)
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64:
		// A numeric secret (rare, but a registered one must never leak) turns the number into a string.
		if h.red.replacer.Load() != nil {
			s := a.Value.String()
			if out := h.red.knownOnly(s); out != s {
				a.Value = slog.StringValue(out)
			}
		}
	}
	return a
}
