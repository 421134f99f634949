package settings

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// FieldError is one problem with one setting.
type FieldError struct {
	// Field is the json path of the setting, e.g. "n8n.webhook_url" or "whisper.extra_args[1]".
	Field string `json:"field"`
	// Message is a human sentence naming the field and the problem.
	Message string `json:"message"`
}

// Error implements error.
func (e FieldError) Error() string { return e.Message }

// ValidationErrors is every problem found, at most one per field, in field order.
type ValidationErrors []FieldError

// Error implements error.
func (v ValidationErrors) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Message
	}
	return "invalid settings: " + strings.Join(msgs, "; ")
}

// For returns the error for field, if any.
func (v ValidationErrors) For(field string) (FieldError, bool) {
	for _, e := range v {
		if e.Field == field {
			return e, true
		}
	}
	return FieldError{}, false
}

// Known values. These tables are the immutable inputs of validation.
var (
	// whisperModels are WhisperLiveKit's --model sizes (protocol spec §1.3).
	whisperModels = []string{
		"tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
		"large-v1", "large-v2", "large-v3", "large", "large-v3-turbo",
	}
	// whisperBackends are --backend choices at 0.2.26, plus the two names servers up to 0.2.13 used.
	whisperBackends = []string{
		"auto", "mlx-whisper", "faster-whisper", "whisper", "openai-api", "funasr", "voxtral", "voxtral-mlx",
		"qwen3-vllm", "qwen3-vllm-metal", "qwen3-streaming", "canary", "whisper_timestamped", "simulstreaming",
	}
	whisperPolicies = []string{"simulstreaming", "localagreement"}
	// whisperOwnedFlags are server flags set from other settings; extra_args must not repeat them.
	whisperOwnedFlags = map[string]string{
		"--host": "whisper.host", "--port": "whisper.port", "--model": "whisper.model",
		"--lan": "whisper.language", "--language": "whisper.language", "--backend": "whisper.backend",
		"--backend-policy": "whisper.backend_policy", "--diarization": "whisper.diarization",
		"--warmup-file": "whisper.warmup_file", "--pcm-input": "whisper (always passed)",
	}
	// elevenLabsModels are the text-to-speech model ids (ElevenLabs spec).
	elevenLabsModels = []string{
		"eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_multilingual_v2", "eleven_flash_v2", "eleven_turbo_v2",
		"eleven_v3", "eleven_monolingual_v1", "eleven_multilingual_v1",
	}
	// elevenLabsLanguageModels accept language_code; the others answer with an error.
	elevenLabsLanguageModels = []string{"eleven_flash_v2_5", "eleven_turbo_v2_5"}

	languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)
	iso6391      = regexp.MustCompile(`^[a-z]{2}$`)
	voiceID      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	httpToken    = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$") // RFC 9110 token
	exchangeName = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,255}$`)
	routingWord  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,63}$`) // one word of a topic routing key
	// credentialWords in a query parameter name (split at '_' and '-') suggest a secret in the URL.
	credentialWords = []string{"token", "key", "apikey", "secret", "password", "passwd", "pwd", "sig",
		"signature", "auth", "credential", "credentials"}
)

// Validate checks every field and returns nil or ValidationErrors.
func (s Settings) Validate() error {
	c := &collector{}
	c.tags(s)
	c.n8n(s.N8N)
	c.elevenLabs(s.ElevenLabs)
	c.whisper(s.Whisper)
	c.rabbitMQ(s.RabbitMQ)
	c.audio(s.Audio)
	c.hotkeys(s.Hotkeys)
	c.typing(s.Typing)
	c.general(s.General)
	if len(c.errs) == 0 {
		return nil
	}
	order := map[string]int{}
	for i, l := range leaves() {
		order[l.path] = i
	}
	slices.SortStableFunc(c.errs, func(a, b FieldError) int {
		return order[basePath(a.Field)] - order[basePath(b.Field)]
	})
	return c.errs
}

// collector gathers at most one error per field, so a bad value yields exactly one message.
type collector struct {
	errs ValidationErrors
}

func (c *collector) add(field, format string, args ...any) {
	if _, dup := c.errs.For(field); dup {
		return
	}
	c.errs = append(c.errs, FieldError{Field: field, Message: field + " " + fmt.Sprintf(format, args...)})
}

// tags runs the struct-tag rules (numeric ranges, enums) through go-playground/validator and rewrites its
// errors into ours. A fresh validator per call keeps the package free of mutable globals; validation is rare.
func (c *collector) tags(s Settings) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonName)
	if err := v.RegisterValidation("range", validateRange); err != nil {
		panic(fmt.Sprintf("settings: register range rule: %v", err)) // a programming error, caught by every test
	}
	err := v.Struct(s)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return
	}
	for _, fe := range verrs {
		_, field, _ := strings.Cut(fe.Namespace(), ".") // drop the root "Settings."
		switch fe.Tag() {
		case "range":
			lo, hi, _ := strings.Cut(fe.Param(), ":")
			c.add(field, "must be between %s and %s (got %v).", lo, hi, fe.Value())
		case "oneof":
			c.add(field, "must be one of %s (got %q).", strings.Join(strings.Fields(fe.Param()), ", "), fe.Value())
		default:
			c.add(field, "is invalid (%s).", fe.Tag())
		}
	}
}

// validateRange implements the `range=lo:hi` tag for integers and floats; NaN and infinities fail.
func validateRange(fl validator.FieldLevel) bool {
	lo, hi, ok := strings.Cut(fl.Param(), ":")
	if !ok {
		return false
	}
	l, err1 := strconv.ParseFloat(lo, 64)
	h, err2 := strconv.ParseFloat(hi, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	var x float64
	switch f := fl.Field(); f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x = float64(f.Int())
	case reflect.Float32, reflect.Float64:
		x = f.Float()
	default:
		return false
	}
	return !math.IsNaN(x) && x >= l && x <= h
}

func (c *collector) n8n(n N8NSettings) {
	if n.WebhookURL != "" {
		c.webURL("n8n.webhook_url", n.WebhookURL)
	}
	if n.HealthURL != "" {
		c.webURL("n8n.health_url", n.HealthURL)
	}
	// Empty means the webhook has no Header auth (n8n's "None"): allowed, though Settings recommends a key.
	if n.AuthHeaderName != "" && !httpToken.MatchString(n.AuthHeaderName) {
		c.add("n8n.auth_header_name", "must be an HTTP header name such as X-Tonny-Key (letters, digits and "+
			"-, no spaces or colon), or empty for a webhook without header auth.")
	}
}

// webURL checks an http(s) URL: plain http only to this machine, no credentials in it.
func (c *collector) webURL(field, raw string) {
	u, ok := c.parseURL(field, raw, "http", "https")
	if !ok {
		return
	}
	if u.User != nil {
		c.add(field, "must not contain a user name or password; the n8n key belongs in the keychain field.")
		return
	}
	for name := range u.Query() {
		if looksLikeCredential(name) {
			c.add(field, "has a query parameter %q that looks like a credential; use the header auth "+
				"(stored in the keychain) instead.", name)
			return
		}
	}
	if strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname()) {
		c.add(field, "uses http to %s, which is not this machine; use https (plain http is allowed only "+
			"for 127.0.0.1, ::1 or localhost).", u.Hostname())
	}
}

// looksLikeCredential reports whether a query parameter name contains a credential word ("api_key", "token").
func looksLikeCredential(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' }) {
		if slices.Contains(credentialWords, w) {
			return true
		}
	}
	return false
}

// parseURL parses raw and checks scheme, host and port; the value is never echoed (it could hold a secret).
func (c *collector) parseURL(field, raw string, schemes ...string) (*url.URL, bool) {
	if len(raw) > 2048 {
		c.add(field, "is longer than 2048 characters.")
		return nil, false
	}
	u, err := url.Parse(raw)
	if err != nil {
		c.add(field, "is not a valid URL.")
		return nil, false
	}
	if !slices.Contains(schemes, strings.ToLower(u.Scheme)) {
		c.add(field, "must start with %s://.", strings.Join(schemes, ":// or ")) // "http:// or https://"
		return nil, false
	}
	if u.Hostname() == "" {
		c.add(field, "has no host name.")
		return nil, false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			c.add(field, "has port %s, which is out of range (1–65535).", p)
			return nil, false
		}
	}
	return u, true
}

// isLoopback reports whether host is this machine: 127.0.0.0/8, ::1 or localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *collector) elevenLabs(e ElevenLabsSettings) {
	if !voiceID.MatchString(e.VoiceID) {
		c.add("elevenlabs.voice_id", "must be an ElevenLabs voice id such as 21m00Tcm4TlvDq8ikWAM (letters and "+
			"digits).")
	}
	if !slices.Contains(elevenLabsModels, e.ModelID) {
		c.add("elevenlabs.model_id", "is not a known ElevenLabs model (got %q); use one of %s.", e.ModelID,
			strings.Join(elevenLabsModels, ", "))
	}
	if e.LanguageCode != "" {
		switch {
		case !iso6391.MatchString(e.LanguageCode):
			c.add("elevenlabs.language_code", "must be a two-letter ISO 639-1 code such as en, or empty.")
		case !slices.Contains(elevenLabsLanguageModels, e.ModelID):
			c.add("elevenlabs.language_code", "is only accepted by the %s models; clear it or change "+
				"elevenlabs.model_id.", strings.Join(elevenLabsLanguageModels, " and "))
		}
	}
}

func (c *collector) whisper(w WhisperSettings) {
	if w.Managed {
		switch {
		case strings.TrimSpace(w.Command) == "":
			c.add("whisper.command", "must not be empty while TonnyTray starts the server (whisper.managed); "+
				"use whisperlivekit-server, wlk or uv run whisperlivekit-server.")
		case hasControl(w.Command):
			c.add("whisper.command", "must be one line without control characters.")
		}
	}
	c.whisperHost(w)
	if w.TLS && w.Managed {
		c.add("whisper.tls", "cannot be used with a server TonnyTray starts itself (it serves plain ws on "+
			"this machine); turn tls off, or turn managed off and run the server yourself.")
	}
	switch {
	case slices.Contains(whisperModels, w.Model):
	case filepath.IsAbs(w.Model):
	default:
		c.add("whisper.model", "is not a WhisperLiveKit model (got %q); use one of %s, or an absolute path to "+
			"local weights.", w.Model, strings.Join(whisperModels, ", "))
	}
	switch {
	case w.Language != "auto" && !languageCode.MatchString(w.Language):
		c.add("whisper.language", "must be auto or a lower-case ISO 639 code such as en (got %q).", w.Language)
	case strings.HasSuffix(w.Model, ".en") && w.Language != "auto" && w.Language != "en":
		c.add("whisper.language", "is %q but the model %s understands English only; set en or auto, or "+
			"pick a multilingual model.", w.Language, w.Model)
	}
	if w.Backend != "" && !slices.Contains(whisperBackends, w.Backend) {
		c.add("whisper.backend", "is not a WhisperLiveKit backend (got %q); use one of %s, or leave it empty "+
			"for the server's default.", w.Backend, strings.Join(whisperBackends, ", "))
	}
	switch {
	case w.BackendPolicy != "" && !slices.Contains(whisperPolicies, w.BackendPolicy):
		c.add("whisper.backend_policy", "must be simulstreaming, localagreement or empty (got %q).",
			w.BackendPolicy)
	case w.Backend == "openai-api" && w.BackendPolicy != "localagreement":
		c.add("whisper.backend_policy", "must be localagreement with the openai-api backend (the server "+
			"refuses SimulStreaming there).")
	}
	if w.WarmupFile != "" && !filepath.IsAbs(w.WarmupFile) {
		c.add("whisper.warmup_file", "must be an absolute path to a WAV file, or empty to skip warm-up.")
	}
	for i, arg := range w.ExtraArgs {
		field := fmt.Sprintf("whisper.extra_args[%d]", i)
		flag, _, _ := strings.Cut(arg, "=")
		switch {
		case strings.TrimSpace(arg) == "":
			c.add(field, "is empty; remove it.")
		case hasControl(arg):
			c.add(field, "contains control characters.")
		case flag == "--api-token":
			c.add(field, "would put the API token on the command line; enter it in the WhisperLiveKit token "+
				"field (stored in the keychain) instead.")
		case whisperOwnedFlags[flag] != "":
			c.add(field, "repeats %s, which is set by %s; remove it here.", flag, whisperOwnedFlags[flag])
		}
	}
}

// whisperHost checks the server address. A managed server binds only to this machine, and an unmanaged one
// off this machine needs TLS: the stream is the family's speech.
func (c *collector) whisperHost(w WhisperSettings) {
	host := w.Host
	switch {
	case host == "":
		c.add("whisper.host", "must not be empty; use 127.0.0.1.")
	case net.ParseIP(host) == nil && !isHostname(host):
		c.add("whisper.host", "must be a host name or IP address without scheme or port (got %q).", host)
	case w.Managed && !isLoopback(host):
		c.add("whisper.host", "is %s, but a server TonnyTray starts must listen on this machine only "+
			"(127.0.0.1, ::1 or localhost); run it yourself with managed off to share it.", host)
	case !w.Managed && !w.TLS && !isLoopback(host):
		c.add("whisper.host", "is %s, which is not this machine; turn on whisper.tls (wss) so speech is not "+
			"sent unencrypted.", host)
	}
}

// isHostname accepts RFC 1123 host names.
func isHostname(s string) bool {
	if len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func (c *collector) rabbitMQ(r RabbitMQSettings) {
	if u, ok := c.parseURL("rabbitmq.url", r.URL, "amqp", "amqps"); ok {
		if pw, set := u.User.Password(); set && pw != "" {
			c.add("rabbitmq.url", "contains a password; remove it from the URL (keep amqp://user@host/) and "+
				"enter the password in the RabbitMQ password field, which is stored in the keychain.")
		} else if strings.EqualFold(u.Scheme, "amqp") && !isLoopback(u.Hostname()) {
			c.add("rabbitmq.url", "uses amqp to %s, which is not this machine; use amqps (plain amqp is "+
				"allowed only for 127.0.0.1, ::1 or localhost).", u.Hostname())
		}
	}
	if !exchangeName.MatchString(r.Exchange) {
		c.add("rabbitmq.exchange", "must be an exchange name such as amq.topic (letters, digits, '.', '-', "+
			"'_', ':').")
	}
	if r.HostID != "" && !routingWord.MatchString(r.HostID) {
		c.add("rabbitmq.host_id", "must be one word of letters, digits, '-' or '_' (it becomes part of "+
			"routing keys), or empty for the machine name.")
	}
}

func (c *collector) audio(a AudioSettings) {
	if a.SampleRate != 16000 {
		c.add("audio.sample_rate", "must be 16000: WhisperLiveKit's --pcm-input expects 16 kHz audio (got %d).",
			a.SampleRate)
	}
	for _, d := range []struct{ field, name string }{
		{"audio.input_device", a.InputDevice}, {"audio.output_device", a.OutputDevice},
	} {
		if len(d.name) > 256 || hasControl(d.name) {
			c.add(d.field, "must be a device name of at most 256 characters without control characters.")
		}
	}
}

// hotkeys checks each shortcut's syntax, then that no two are the same.
func (c *collector) hotkeys(h HotkeySettings) {
	seen := map[string]string{}
	for _, k := range []struct{ field, value string }{
		{"hotkeys.toggle", h.Toggle}, {"hotkeys.pause", h.Pause}, {"hotkeys.push_to_talk", h.PushToTalk},
	} {
		if k.value == "" {
			continue
		}
		hk, err := ParseHotkey(k.value)
		if err != nil {
			c.add(k.field, "%q %v.", k.value, err)
			continue
		}
		canon := hk.String()
		if other, dup := seen[canon]; dup {
			c.add(k.field, "is %s, the same shortcut as %s; choose another.", canon, other)
			continue
		}
		seen[canon] = k.field
	}
}

// typing checks the dictation replacements: a spoken phrase with a word in it, both sides short and on one
// line, and no phrase twice (the second could never apply).
func (c *collector) typing(t TypingSettings) {
	if n := len(t.Replacements); n > MaxReplacements {
		c.add("typing.replacements", "has %d rules; at most %d are allowed.", n, MaxReplacements)
		return
	}
	seen := map[string]int{}
	for i, r := range t.Replacements {
		from := fmt.Sprintf("typing.replacements[%d].from", i)
		to := fmt.Sprintf("typing.replacements[%d].to", i)
		phrase := strings.TrimSpace(r.From)
		switch {
		case phrase == "":
			c.add(from, "is empty; enter the spoken words, or remove the rule.")
		case utf8.RuneCountInString(r.From) > MaxReplacementRunes:
			c.add(from, "is longer than %d characters.", MaxReplacementRunes)
		case hasControl(r.From):
			c.add(from, "contains control characters.")
		case !strings.ContainsFunc(phrase, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }):
			c.add(from, "has no words to listen for (got %q).", r.From)
		default:
			key := strings.ToLower(strings.Join(strings.Fields(phrase), " "))
			if j, dup := seen[key]; dup {
				c.add(from, "repeats the spoken words of typing.replacements[%d].from (%q); remove one of the rules.",
					j, t.Replacements[j].From)
			} else {
				seen[key] = i
			}
		}
		switch {
		case utf8.RuneCountInString(r.To) > MaxReplacementRunes:
			c.add(to, "is longer than %d characters.", MaxReplacementRunes)
		case hasControl(r.To):
			c.add(to, `contains control characters; write \n for a new line and \t for a tab.`)
		}
	}
}

func (c *collector) general(g GeneralSettings) {
	if len(g.CommandPrefix) > 64 || hasControl(g.CommandPrefix) {
		c.add("general.command_prefix", "must be at most 64 characters without control characters.")
	}
}

// hasControl reports control characters (newlines, NUL, escapes) and invalid UTF-8.
func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return true
		}
	}
	return false
}
