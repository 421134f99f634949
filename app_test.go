package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/control"
	"github.com/tonnytray/tonnytray/backend/daemon"
	"github.com/tonnytray/tonnytray/backend/profile"
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

// TestFormatErrorCodesProfileErrors: the family screen branches on these codes (PIN pad, countdown, field).
func TestFormatErrorCodesProfileErrors(t *testing.T) {
	decode := func(err error) UIError {
		var ue UIError
		if e := json.Unmarshal([]byte(formatError(err).(string)), &ue); e != nil {
			t.Fatal(e)
		}
		return ue
	}
	if ue := decode(fmt.Errorf("switch: %w", profile.ErrPINRequired)); ue.Code != control.CodePINRequired {
		t.Errorf("PIN required → %+v", ue)
	}
	wrong := &profile.PINError{Err: profile.ErrTooManyAttempts, Wrong: true, Wait: 30 * time.Second}
	if ue := decode(wrong); ue.Code != control.CodeWrongPIN || ue.RetryAfterMs != 30000 || !strings.Contains(ue.Message, "Wrong PIN") {
		t.Errorf("wrong PIN with a wait → %+v", ue)
	}
	if ue := decode(&profile.PINError{Err: profile.ErrLockedOut, Wait: time.Minute}); ue.Code != control.CodePINWait || ue.RetryAfterMs != 60000 {
		t.Errorf("locked out → %+v", ue)
	}
	if ue := decode(&profile.Refusal{Profile: "Mia", Message: "Only an admin can change settings"}); ue.Code != control.CodeNotAllowed {
		t.Errorf("refusal → %+v", ue)
	}
	ue := decode(fmt.Errorf("create: %w", &profile.ValidationError{Field: "allowed[2]", Message: "must contain a word"}))
	if ue.Code != "validation" || len(ue.Fields) != 1 || ue.Fields[0].Field != "allowed[2]" {
		t.Errorf("profile validation → %+v", ue)
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
