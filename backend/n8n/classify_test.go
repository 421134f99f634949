package n8n

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		class  Class // "" = no error
		text   string
		speak  bool
		server string
	}{
		{"reply", 200, `{"text":"hi","speak":false,"x":1}`, "", "hi", false, ""},
		{"speak defaults to true", 200, ` {"text":"hi"} `, "", "hi", true, ""},
		{"speak null defaults to true", 201, `{"text":"","speak":null}`, "", "", true, ""},
		{"accepted", 202, "", "", "", false, ""},
		{"no content", 204, "", "", "", false, ""},
		{"empty", 200, " \n", ClassEmpty, "", false, ""},
		{"immediately", 200, `{"message":"Workflow was started"}`, ClassBadReply, "", false, "Workflow was started"},
		{"plain text", 200, "ok", ClassBadReply, "", false, "ok"},
		{"array", 200, `[{"text":"hi"}]`, ClassBadReply, "", false, ""},
		{"null", 200, `null`, ClassBadReply, "", false, ""},
		{"text not a string", 200, `{"text":3}`, ClassBadReply, "", false, ""},
		{"text null", 200, `{"text":null}`, ClassBadReply, "", false, ""},
		{"speak not a bool", 200, `{"text":"a","speak":"yes"}`, ClassBadReply, "", false, ""},
		{"redirect", 302, "", ClassConfig, "", false, ""},
		{"unauthorized", 401, `{"message":"invalid signature"}`, ClassAuth, "", false, "invalid signature"},
		{"forbidden", 403, `{"message":"Authorization data is wrong!"}`, ClassAuth, "", false, "Authorization data is wrong!"},
		{"not registered", 404, `{"code":404,"message":"The requested webhook \"POST x\" is not registered.","hint":"Click"}`, ClassNotFound, "", false, `The requested webhook "POST x" is not registered. Click`},
		{"unprocessable", 422, `{"code":422,"message":"Failed to parse request body"}`, ClassInvalid, "", false, "Failed to parse request body"},
		{"too large", 413, "", ClassInvalid, "", false, ""},
		{"request timeout", 408, "", ClassServer, "", false, ""},
		{"too many", 429, "slow down", ClassServer, "", false, "slow down"},
		{"workflow error", 500, `{"message":"Error in workflow"}`, ClassServer, "", false, "Error in workflow"},
		{"start error", 500, `{"code":0,"message":"Workflow Webhook Error: Workflow could not be started!"}`, ClassServer, "", false, "Workflow Webhook Error: Workflow could not be started!"},
		{"bad gateway html", 502, "<html><body>502</body></html>", ClassServer, "", false, ""},
		{"informational", 101, "", ClassBadReply, "", false, ""},
		{"message not a string", 500, `{"message":{"a":1}}`, ClassServer, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Classify(tt.status, []byte(tt.body))
			if r.Status != tt.status {
				t.Errorf("Status = %d", r.Status)
			}
			if tt.class == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if r.Text != tt.text || r.Speak != tt.speak || r.Accepted != (tt.status == 202 || tt.status == 204) {
					t.Errorf("reply = %+v", r)
				}
				if !r.Accepted && string(r.Raw) != strings.TrimSpace(tt.body) {
					t.Errorf("Raw = %s", r.Raw)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Class != tt.class || e.Server != tt.server || e.Status != tt.status {
				t.Errorf("got %s %d %q, want %s %d %q", e.Class, e.Status, e.Server, tt.class, tt.status, tt.server)
			}
		})
	}
}

func TestServerMessageBounded(t *testing.T) {
	long := `{"message":"` + strings.Repeat("é\n", 500) + `"}`
	_, err := Classify(500, []byte(long))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if n := len([]rune(e.Server)); n != maxServerMessage || strings.ContainsAny(e.Server, "\n") {
		t.Errorf("Server has %d runes: %q", n, e.Server)
	}
}

func TestRequestBody(t *testing.T) {
	speaker := 2
	r := Request{ID: "id", Text: "hi", Source: "tonnytray", Mode: "command", Profile: "dad", Role: "admin",
		SafeMode: true, Speaker: &speaker, Language: "en", Host: "box",
		Timestamp: mustTime(t, "2026-01-02T03:04:05+02:00")}
	b, err := r.Body()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"id","timestamp":"2026-01-02T01:04:05Z","text":"hi","source":"tonnytray","mode":"command","profile":"dad","role":"admin","safe_mode":true,"speaker":2,"language":"en","host":"box"}`
	if string(b) != want {
		t.Errorf("body\n got %s\nwant %s", b, want)
	}
	r.Speaker = nil
	b, _ = r.Body()
	if !strings.Contains(string(b), `"speaker":null`) {
		t.Errorf("unknown speaker: %s", b)
	}
}

// FuzzClassify: Classify never panics; a success is an accepted answer or a
// reply with a string "text".
func FuzzClassify(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"text":"hi","speak":true}`}, {200, ""}, {202, ""}, {204, "x"}, {200, `{"message":"Workflow was started"}`},
		{404, `{"code":404,"message":"m","hint":"h"}`}, {500, "<html>"}, {200, "null"}, {200, `{"text":null}`},
		{0, ""}, {-1, "{"}, {999, `{"text":"x"}`}, {302, ""}, {200, "\xff\xfe"},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		r, err := Classify(status, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not *Error: %v", err)
			}
			if e.Message() == "" || e.Error() == "" {
				t.Fatal("empty message")
			}
			if len([]rune(e.Server)) > maxServerMessage {
				t.Fatalf("Server too long: %d", len(e.Server))
			}
			return
		}
		if r.Accepted {
			return
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(r.Raw, &fields) != nil {
			t.Fatalf("reply without a JSON object: %q", body)
		}
		var text string
		if json.Unmarshal(fields["text"], &text) != nil || text != r.Text {
			t.Fatalf("reply without a string text: %q", body)
		}
	})
}
