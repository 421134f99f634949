package bus

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Event is one message: Key is the routing key, Type names its schema (see Validate), Body is the JSON body.
type Event struct {
	Key  string
	Type string
	Body map[string]any
}

// Event types, also sent as the AMQP Type property.
const (
	TypePrompt       = "prompt"
	TypeSpeechStart  = "speech_start"
	TypeSpeechEnd    = "speech_end"
	TypeConversation = "conversation"
	TypeTest         = "test"   // the one event Test publishes
	TypeCustom       = "custom" // `tonnytray publish KEY JSON`: any object, with the common fields added
)

// Conversation events.
const (
	ConversationReply    = "reply"
	ConversationError    = "error"
	ConversationAccepted = "accepted"
)

// Source is the body's "source" field.
const Source = "tonnytray"

// Who is the profile an event is about, sent in its body as profile, role and safe_mode (true for a child: a
// consumer must keep what it does with the event kid-safe).
type Who struct {
	Profile  string
	Role     string
	SafeMode bool
}

// Prompt is sent when a command goes to Tonny: thread.tonny.prompt.<profile>.
func Prompt(who Who, text, requestID string) Event {
	return newEvent("thread.tonny.prompt."+keyWord(who.Profile), TypePrompt, &who,
		map[string]any{"text": text, "request_id": requestID})
}

// SpeechStart is sent when an utterance begins: thread.tonny.speech_start. mode is dictation or command.
func SpeechStart(who Who, mode string) Event {
	return newEvent("thread.tonny.speech_start", TypeSpeechStart, &who, map[string]any{"mode": mode})
}

// SpeechEnd is sent when an utterance ends, with its final text: thread.tonny.speech_end.
func SpeechEnd(who Who, text string, durationMs int64) Event {
	return newEvent("thread.tonny.speech_end", TypeSpeechEnd, &who,
		map[string]any{"text": text, "duration_ms": durationMs})
}

// Conversation is a step of a command's conversation: thread.tonny.conversation.<event> (reply, error,
// accepted).
func Conversation(who Who, event, text, requestID string) Event {
	return newEvent("thread.tonny.conversation."+keyWord(event), TypeConversation, &who,
		map[string]any{"event": event, "text": text, "request_id": requestID})
}

// newEvent adds the common fields to body, and who's when the event is about a person (who != nil).
func newEvent(key, typ string, who *Who, body map[string]any) Event {
	body["version"] = 1
	body["id"] = NewID()
	body["timestamp"] = time.Now().UTC().Format(timeFormat)
	body["host"] = DefaultHost() // Publish replaces it with Config.Host when that is set
	body["source"] = Source
	if who != nil {
		body["profile"], body["role"], body["safe_mode"] = who.Profile, who.Role, who.SafeMode
	}
	return Event{Key: key, Type: typ, Body: body}
}

// Custom is a hand-made event on any routing key: body's own fields are kept, and the common ones (version,
// id, timestamp, host, source) are set, replacing any of the same name.
func Custom(key string, body map[string]any) Event {
	b := make(map[string]any, len(body)+5)
	for k, v := range body {
		b[k] = v
	}
	return newEvent(key, TypeCustom, nil, b) // not a person's event unless the body says so
}

// timeFormat is RFC 3339 in UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// keyWord makes a routing-key word of a profile id or an event name: lower case, anything but [a-z0-9_-]
// becomes "_", so a name can neither add words nor act as a wildcard.
func keyWord(s string) string {
	s = strings.ToLower(s)
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// NewID is a random (version 4) UUID.
func NewID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails on Linux (and panics rather than return short)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ValidationError names the event type and the field that broke its schema.
type ValidationError struct {
	Type    string
	Field   string // "key" for the routing key, "type" for an unknown type, else the body field
	Problem string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("bus event %s: %s %s", e.Type, e.Field, e.Problem)
}

// The schemas are a small hand-written table rather than JSON Schema documents: five flat objects with a few
// required fields each do not justify a schema library, and the table gives errors that name the field.
type kind int

const (
	kString kind = iota
	kNumber
	kBool
)

func (k kind) String() string { return [...]string{"a string", "a number", "true or false"}[k] }

var (
	baseFields = map[string]kind{"version": kNumber, "id": kString, "timestamp": kString, "host": kString, "source": kString}
	userFields = map[string]kind{"profile": kString, "role": kString, "safe_mode": kBool}
	schemas    = map[string]map[string]kind{
		TypePrompt:       merge(userFields, map[string]kind{"text": kString, "request_id": kString}),
		TypeSpeechStart:  merge(userFields, map[string]kind{"mode": kString}),
		TypeSpeechEnd:    merge(userFields, map[string]kind{"text": kString, "duration_ms": kNumber}),
		TypeConversation: merge(userFields, map[string]kind{"event": kString, "text": kString, "request_id": kString}),
		TypeTest:         {},
		TypeCustom:       {},
	}
	conversationEvents = map[string]bool{ConversationReply: true, ConversationError: true, ConversationAccepted: true}
)

func merge(ms ...map[string]kind) map[string]kind {
	out := map[string]kind{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// Validate checks the routing key (dot-separated words of [A-Za-z0-9_-], at most 255 bytes, no wildcards) and
// the body against the type's schema: every required field present with its JSON type, version == 1, a UUID-ish
// id and an RFC 3339 timestamp. The error names the offending field.
func (e Event) Validate() error {
	fields, ok := schemas[e.Type]
	if !ok {
		return &ValidationError{Type: fmt.Sprintf("%q", e.Type), Field: "type", Problem: "is not a known event type"}
	}
	if err := validKey(e.Key); err != "" {
		return &ValidationError{Type: e.Type, Field: "key", Problem: err}
	}
	all := merge(baseFields, fields)
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names) // the same field is reported first every time
	for _, name := range names {
		v, present := e.Body[name]
		if !present || v == nil {
			return &ValidationError{Type: e.Type, Field: name, Problem: "is missing"}
		}
		if !hasKind(v, all[name]) {
			return &ValidationError{Type: e.Type, Field: name, Problem: fmt.Sprintf("must be %s, not %T", all[name], v)}
		}
	}
	if f, _ := number(e.Body["version"]); f != 1 {
		return &ValidationError{Type: e.Type, Field: "version", Problem: "must be 1"}
	}
	if id := e.Body["id"].(string); len(id) < 8 || len(id) > 64 {
		return &ValidationError{Type: e.Type, Field: "id", Problem: "must be a UUID"}
	}
	if _, err := time.Parse(time.RFC3339, e.Body["timestamp"].(string)); err != nil {
		return &ValidationError{Type: e.Type, Field: "timestamp", Problem: "must be an RFC 3339 time"}
	}
	if e.Type == TypeConversation && !conversationEvents[e.Body["event"].(string)] {
		return &ValidationError{Type: e.Type, Field: "event", Problem: "must be reply, error or accepted"}
	}
	return nil
}

func validKey(key string) string {
	switch {
	case key == "":
		return "is empty"
	case len(key) > 255:
		return fmt.Sprintf("is %d bytes long (at most 255)", len(key))
	}
	for i, w := range strings.Split(key, ".") {
		if w == "" {
			return fmt.Sprintf("%q has an empty word (word %d)", key, i+1)
		}
		for _, c := range []byte(w) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				return fmt.Sprintf("%q has %q in word %d (only letters, digits, '_' and '-')", key, c, i+1)
			}
		}
	}
	return ""
}

func hasKind(v any, k kind) bool {
	switch k {
	case kString:
		_, ok := v.(string)
		return ok
	case kNumber:
		_, ok := number(v)
		return ok
	case kBool:
		_, ok := v.(bool)
		return ok
	}
	return false
}

// number accepts Go's numeric types and float64 (a body decoded from JSON).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
