package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/settings"
)

func TestFormatErrorIsCodedJSON(t *testing.T) {
	ve := settings.ValidationErrors{{Field: "whisper.port", Message: "whisper.port: 70000 is not a port"}}
	for _, c := range []struct {
		err        error
		code       string
		withFields bool
	}{
		{fmt.Errorf("save: %w", ve), "validation", true},
		{errStarting, "starting", false},
		{fmt.Errorf("store key: %w", daemon.ErrKeychain), "keychain_unavailable", false},
		{errors.New("disk full"), "error", false},
	} {
		s, ok := formatError(c.err).(string)
		if !ok {
			t.Fatalf("formatError(%v) is not a string: Wails would show [object Object]", c.err)
		}
		var ue UIError
		if err := json.Unmarshal([]byte(s), &ue); err != nil {
			t.Fatalf("formatError(%v) = %q: %v", c.err, s, err)
		}
		if ue.Code != c.code || ue.Message == "" {
			t.Errorf("formatError(%v) = %+v, want code %s with a message", c.err, ue, c.code)
		}
		if c.withFields && (len(ue.Fields) != 1 || ue.Fields[0].Field != "whisper.port") {
			t.Errorf("fields = %+v, want whisper.port", ue.Fields)
		}
	}
}

func TestLogFilterConversion(t *testing.T) {
	q, err := LogFilter{MinLevel: "warn", Component: "store", Since: "2026-11-01T00:00:00Z", Text: "x", Before: 9, Limit: 50}.toQuery()
	if err != nil {
		t.Fatal(err)
	}
	if q.MinLevel == nil || *q.MinLevel != 4 || q.Component != "store" || q.Since.IsZero() || q.Before != 9 || q.Limit != 50 {
		t.Fatalf("query = %+v", q)
	}
	_, err = LogFilter{MinLevel: "loud", Until: "yesterday"}.toQuery()
	var ve settings.ValidationErrors
	if !errors.As(err, &ve) || len(ve) != 2 {
		t.Fatalf("bad filter error = %v, want errors on minLevel and until", err)
	}
	_, hasLevel := ve.For("minLevel")
	if _, hasUntil := ve.For("until"); !hasLevel || !hasUntil {
		t.Fatalf("bad filter error = %v, want errors on minLevel and until", err)
	}
}
