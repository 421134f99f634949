package n8n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reply is a delivered webhook call.
type Reply struct {
	Status   int
	Text     string          // the reply text ("" when Accepted)
	Speak    bool            // default true when absent
	Accepted bool            // 202 or 204: accepted, no reply
	Raw      json.RawMessage // the raw body when it was a JSON object (kept in the conversation log); nil otherwise
	Latency  time.Duration   // from sending to the end of the body (set by Post)
}

// maxServerMessage bounds Error.Server: enough for n8n's message and the
// start of its hint, not a whole HTML error page.
const maxServerMessage = 200

var (
	errEmptyBody = errors.New("empty body")
	errNotObject = errors.New("reply is not a JSON object")
	errNoText    = errors.New(`reply has no "text" field`)
	errTextType  = errors.New(`reply "text" is not a string`)
	errSpeakType = errors.New(`reply "speak" is not a boolean`)
	errRedirect  = errors.New("redirect not followed")
	errStatus    = errors.New("unexpected status")
)

// Classify turns a status and a complete body into a Reply or an *Error. It
// is pure, so the whole answer table is testable and fuzzable. On an error
// the Reply still carries the status.
func Classify(status int, body []byte) (Reply, error) {
	r := Reply{Status: status}
	fail := func(c Class, cause error) (Reply, error) {
		return r, &Error{Class: c, Status: status, Server: serverMessage(body), Err: cause}
	}
	switch {
	case status == http.StatusAccepted || status == http.StatusNoContent:
		r.Accepted = true
		r.Raw = rawObject(body)
		return r, nil
	case status >= 200 && status < 300:
		return parseReply(status, body)
	case status >= 300 && status < 400:
		// Post does not follow redirects (a custom auth header would go along
		// to wherever the redirect points), so the URL itself needs fixing.
		return r, &Error{Class: ClassConfig, Status: status, Err: errRedirect,
			msg: fmt.Sprintf("Tonny's webhook URL redirects elsewhere (HTTP %d) — paste the final webhook URL in Settings → n8n.", status)}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fail(ClassAuth, nil)
	case status == http.StatusNotFound:
		return fail(ClassNotFound, nil)
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500 && status < 600:
		return fail(ClassServer, nil)
	case status >= 400 && status < 500:
		return fail(ClassInvalid, nil)
	}
	return fail(ClassBadReply, errStatus)
}

// parseReply checks a 2xx body against the reply contract:
// a JSON object with a string "text" and an optional boolean "speak".
func parseReply(status int, body []byte) (Reply, error) {
	r := Reply{Status: status}
	fail := func(c Class, cause error) (Reply, error) {
		return r, &Error{Class: c, Status: status, Server: serverMessage(body), Err: cause}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		// n8n answers this way when the workflow fails before its Respond
		// to Webhook node: a failed delivery, not an empty reply.
		return fail(ClassEmpty, errEmptyBody)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil || fields == nil {
		return fail(ClassBadReply, errNotObject)
	}
	text, ok := fields["text"]
	if !ok {
		return fail(ClassBadReply, errNoText)
	}
	if err := json.Unmarshal(text, &r.Text); err != nil || bytes.Equal(text, []byte("null")) {
		return fail(ClassBadReply, errTextType)
	}
	r.Speak = true
	if speak, ok := fields["speak"]; ok && !bytes.Equal(speak, []byte("null")) {
		if err := json.Unmarshal(speak, &r.Speak); err != nil {
			return fail(ClassBadReply, errSpeakType)
		}
	}
	r.Raw = slices.Clone(json.RawMessage(trimmed))
	return r, nil
}

// rawObject returns body when it is a JSON object, else nil.
func rawObject(body []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(body)
	var fields map[string]json.RawMessage
	if json.Unmarshal(trimmed, &fields) != nil || fields == nil {
		return nil
	}
	return slices.Clone(json.RawMessage(trimmed))
}

// serverMessage extracts n8n's "message" and "hint" from an error body, or
// short plain text; other JSON and HTML pages (from a proxy) are left out. The result is
// one line of at most maxServerMessage runes.
func serverMessage(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	var s string
	var fields map[string]json.RawMessage
	if json.Unmarshal(trimmed, &fields) == nil && fields != nil {
		var msg, hint string
		_ = json.Unmarshal(fields["message"], &msg) // absent or not a string: nothing to show
		_ = json.Unmarshal(fields["hint"], &hint)
		s = strings.TrimSpace(msg + " " + hint)
	} else if len(trimmed) > 0 && trimmed[0] != '<' && !json.Valid(trimmed) {
		s = string(trimmed[:min(len(trimmed), 4*maxServerMessage)])
	}
	return oneLine(s, maxServerMessage)
}

// oneLine makes s safe for a log line or a label: valid UTF-8, no control
// characters, runs of space collapsed, at most n runes.
func oneLine(s string, n int) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
