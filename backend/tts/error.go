package tts

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// Class says what kind of failure an Error is, which decides whether the
// caller retries, serialises, falls back to text or asks the user.
type Class string

// The failure classes.
const (
	ClassInvalidKey    Class = "invalid_key"     // 401 invalid_api_key (or another 401 that is not about quota)
	ClassQuota         Class = "quota"           // quota_exceeded: the credits are used up until the reset
	ClassConcurrency   Class = "concurrency"     // 429 too_many_concurrent_requests: the caller must serialise
	ClassBusy          Class = "busy"            // 429 system_busy, other 429, 5xx: retry with backoff
	ClassVoiceNotFound Class = "voice_not_found" // the configured voice does not exist (for this key)
	ClassTooLong       Class = "too_long"        // max_character_limit_exceeded
	ClassForbidden     Class = "forbidden"       // 403, e.g. only_for_creator+ (a voice or format above the tier)
	ClassInvalid       Class = "invalid"         // 422 validation, other 400s
	ClassNetwork       Class = "network"         // refused, DNS, reset, TLS, a body cut off
	ClassTimeout       Class = "timeout"         // no first byte / no complete answer in time
	ClassConfig        Class = "config"          // bad base URL, missing key, redirect, unknown path
)

// Error is a failed ElevenLabs call. It never holds the API key.
type Error struct {
	Class  Class
	Status int    // HTTP status, 0 when none
	Code   string // the body's detail.status, e.g. "quota_exceeded"
	Server string // detail.message, or the 422 messages, trimmed to one line
	Err    error  // the cause (network error etc.), for errors.Is/As
}

// Error is the technical form for logs, e.g.
// "elevenlabs: 401 quota_exceeded: This request exceeds your quota …".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("elevenlabs: ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d", e.Status)
	} else {
		b.WriteString(string(e.Class))
	}
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(e.Code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Server != "" {
		b.WriteString(": ")
		b.WriteString(e.Server)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Retry reports whether the same request may succeed after a backoff:
// busy, network and timeout. ClassConcurrency is not retried blindly: it
// means TonnyTray itself has too many syntheses open, so the caller
// serialises them (one at a time per key) and sends this one again when the
// previous one is done. Quota, key, voice, length, tier and validation
// failures repeat until someone changes something.
func (e *Error) Retry() bool {
	switch e.Class {
	case ClassBusy, ClassNetwork, ClassTimeout:
		return true
	}
	return false
}

// Message is one human sentence for the UI. It never includes the key.
func (e *Error) Message() string {
	server := func(fallback string) string {
		if e.Server != "" {
			return strings.TrimRight(e.Server, ".")
		}
		return fallback
	}
	switch e.Class {
	case ClassInvalidKey:
		return "ElevenLabs rejected the API key — enter it again in Settings → Secrets."
	case ClassQuota:
		return "ElevenLabs quota used up: " + server("no credits left") + " — replies are shown as text until it resets."
	case ClassConcurrency:
		return "ElevenLabs refused a reply because too many were being spoken at once — it is queued and will be spoken next."
	case ClassBusy:
		if e.Status >= 500 {
			return fmt.Sprintf("ElevenLabs had a server error (HTTP %d) — the reply will be retried.", e.Status)
		}
		return "ElevenLabs is busy right now — the reply will be retried."
	case ClassVoiceNotFound:
		return "ElevenLabs does not know the chosen voice — pick another one in Settings → Voice."
	case ClassTooLong:
		return "This reply is too long for ElevenLabs to speak in one go — it is shown as text."
	case ClassForbidden:
		return "ElevenLabs does not allow this on the current plan: " + server("access denied") + " — pick another voice in Settings → Voice."
	case ClassInvalid:
		return "ElevenLabs refused the request: " + server(fmt.Sprintf("HTTP %d", e.Status)) + " — check the voice settings."
	case ClassNetwork:
		return "Could not reach ElevenLabs — check the internet connection; replies are shown as text meanwhile."
	case ClassTimeout:
		return "ElevenLabs did not start speaking in time — the reply will be retried."
	case ClassConfig:
		return "The ElevenLabs settings are not valid — check the API address and key in Settings."
	}
	return "The call to ElevenLabs failed."
}

// maxServerMessage bounds Error.Server: enough for the quota sentence, not
// a whole HTML error page.
const maxServerMessage = 300

// ParseError turns a non-2xx status and its complete body into an *Error.
// It is pure, so the whole answer table is testable and fuzzable. It knows
// the two body shapes of the API: {"detail":{"status","message"}} and the
// 422 {"detail":[{"loc","msg","type"}]}, plus FastAPI's {"detail":"Not Found"}.
func ParseError(status int, body []byte) *Error {
	e := &Error{Status: status}
	var envelope struct {
		Detail json.RawMessage `json:"detail"`
	}
	isJSON := json.Unmarshal(body, &envelope) == nil
	if isJSON && len(envelope.Detail) > 0 {
		var app struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		}
		var list []struct {
			Loc []any  `json:"loc"`
			Msg string `json:"msg"`
		}
		var text string
		switch {
		case json.Unmarshal(envelope.Detail, &app) == nil:
			e.Code, e.Server = clean(app.Status, 64), app.Message
		case json.Unmarshal(envelope.Detail, &list) == nil:
			msgs := make([]string, 0, len(list))
			for _, item := range list {
				loc := make([]string, 0, len(item.Loc))
				for _, l := range item.Loc {
					loc = append(loc, fmt.Sprint(l))
				}
				if len(loc) > 0 {
					msgs = append(msgs, strings.Join(loc, ".")+": "+item.Msg)
				} else {
					msgs = append(msgs, item.Msg)
				}
			}
			e.Server = strings.Join(msgs, "; ")
		case json.Unmarshal(envelope.Detail, &text) == nil:
			e.Server = text
		}
	} else if !isJSON && !strings.Contains(string(body), "<") { // a plain-text answer; never an HTML page
		e.Server = string(body)
	}
	e.Server = clean(e.Server, maxServerMessage)
	e.Class = classify(status, e.Code)
	return e
}

// classify picks the Class from detail.status first, then the HTTP status.
func classify(status int, code string) Class {
	switch code {
	case "invalid_api_key", "missing_api_key", "needs_authorization":
		return ClassInvalidKey
	case "quota_exceeded":
		return ClassQuota
	case "too_many_concurrent_requests":
		return ClassConcurrency
	case "system_busy":
		return ClassBusy
	case "voice_not_found":
		return ClassVoiceNotFound
	case "max_character_limit_exceeded":
		return ClassTooLong
	}
	if strings.HasPrefix(code, "only_for_") {
		return ClassForbidden
	}
	switch {
	case status == 401:
		return ClassInvalidKey
	case status == 403:
		return ClassForbidden
	case status == 408, status == 429, status >= 500:
		return ClassBusy
	case status == 404, status >= 300 && status < 400:
		// Voices and syntheses have their own codes; a bare 404 or a
		// redirect (not followed: it would carry the key elsewhere) means
		// the base URL is wrong.
		return ClassConfig
	}
	return ClassInvalid
}

// clean makes s one trimmed line of at most n runes without control
// characters, so a server message is safe in a log line or the UI.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == unicode.ReplacementChar:
			return -1
		case unicode.IsControl(r) || unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
