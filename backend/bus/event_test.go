package bus

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// (6) Validate names the field that breaks the schema.
func TestEventValidate(t *testing.T) {
	without := func(e Event, field string) Event { e.Body = maps.Clone(e.Body); delete(e.Body, field); return e }
	with := func(e Event, field string, v any) Event { e.Body = maps.Clone(e.Body); e.Body[field] = v; return e }
	key := func(e Event, k string) Event { e.Key = k; return e }
	p := Prompt(Who{Profile: "kid", Role: "child", SafeMode: true}, "hello", "r1")
	cases := []struct {
		name  string
		e     Event
		field string
		want  string
	}{
		{"no text", without(p, "text"), "text", "is missing"},
		{"no id", without(p, "id"), "id", "is missing"},
		{"no profile", without(SpeechStart(Who{Profile: "kid", Role: "child", SafeMode: true}, "command"), "profile"), "profile", "is missing"},
		{"no duration", without(SpeechEnd(Who{Profile: "kid", Role: "child", SafeMode: true}, "x", 5), "duration_ms"), "duration_ms", "is missing"},
		{"safe_mode a string", with(p, "safe_mode", "yes"), "safe_mode", "must be true or false"},
		{"duration a string", with(SpeechEnd(Who{Profile: "kid", Role: "child", SafeMode: true}, "x", 5), "duration_ms", "5"), "duration_ms", "must be a number"},
		{"text a number", with(p, "text", 3), "text", "must be a string"},
		{"version 2", with(p, "version", 2), "version", "must be 1"},
		{"bad timestamp", with(p, "timestamp", "yesterday"), "timestamp", "RFC 3339"},
		{"unknown conversation event", Conversation(Who{Profile: "kid", Role: "child", SafeMode: true}, "shrug", "x", "r"), "event", "reply, error or accepted"},
		{"empty key", key(p, ""), "key", "is empty"},
		{"empty word", key(p, "thread..tonny"), "key", "empty word"},
		{"wildcard", key(p, "thread.tonny.#"), "key", `'#'`},
		{"space", key(p, "thread.tonny prompt"), "key", `' '`},
		{"too long", key(p, strings.Repeat("a", 256)), "key", "at most 255"},
		{"unknown type", Event{Key: "a.b", Type: "nope", Body: p.Body}, "type", "not a known event type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.e.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("Validate = %v, want field %q and %q", err, c.field, c.want)
			}
		})
	}
	for _, e := range []Event{p, SpeechStart(Who{Profile: "kid", Role: "child", SafeMode: true}, "dictation"), SpeechEnd(Who{Profile: "kid", Role: "child", SafeMode: true}, "x", 5),
		Conversation(Who{Profile: "Kid", Role: "child", SafeMode: true}, ConversationError, "x", "r"), Conversation(Who{Profile: "Kid", Role: "child", SafeMode: true}, ConversationAccepted, "", "r"),
		key(p, strings.Repeat("a", 255))} {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", e.Key, err)
		}
	}
}

func TestKeysAndIDs(t *testing.T) {
	if k := Prompt(Who{Profile: "Émile's Room", Role: "adult"}, "x", "r").Key; k != "thread.tonny.prompt.__mile_s_room" {
		t.Errorf("key %q", k)
	}
	if k := Prompt(Who{Profile: "", Role: "adult"}, "x", "r").Key; k != "thread.tonny.prompt._" {
		t.Errorf("key %q", k)
	}
	if k := Conversation(Who{Profile: "a", Role: "adult"}, ConversationReply, "x", "r").Key; k != "thread.tonny.conversation.reply" {
		t.Errorf("key %q", k)
	}
	a, b := NewID(), NewID()
	if a == b || len(a) != 36 || a[14] != '4' {
		t.Errorf("ids %q %q", a, b)
	}
}

func TestConfigValidate(t *testing.T) {
	for url, want := range map[string]string{
		"amqp://tonny@host:5672/v":      "",
		"amqps://tonny@host/v":          "",
		"amqp://host":                   "",
		"amqp://tonny:pw@host/v":        "must not contain a password",
		"amqp://tonny:@host/v":          "must not contain a password",
		"":                              "no RabbitMQ URL",
		"ftp://host":                    "amqp://",
		"amqp://tonny@host:notaport/v":  "not a valid URL",
		"amqp://tonny@host:5672/a/b/c%": "not a valid URL",
	} {
		err := Config{URL: url}.Validate()
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: %v, want %q", url, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("%q: error shows the password: %v", url, err)
		}
	}
}
