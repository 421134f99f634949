// Package control is TonnyTray's local control channel: a per-user single-instance lock and a unix socket
// over which the `tonnytray` CLI talks to the running app.
//
// The protocol is line-delimited JSON. A client writes one request per line,
//
//	{"cmd":"status","args":{...}}
//
// and reads one response line for each,
//
//	{"ok":true,"result":...}
//	{"ok":false,"error":"human sentence","code":"unknown_command"}
//
// Several requests may share a connection; they are answered in order.
package control

import (
	"encoding/json"
	"fmt"
)

// Error codes the server itself produces. Handlers may return a *RemoteError with codes of their own.
const (
	// CodeUnknownCommand: no handler is registered for the command.
	CodeUnknownCommand = "unknown_command"
	// CodeBadRequest: the line was not a valid request.
	CodeBadRequest = "bad_request"
	// CodeTooLarge: the request line exceeded MaxRequestSize.
	CodeTooLarge = "request_too_large"
	// CodeForbidden: the peer runs as another user.
	CodeForbidden = "forbidden"
	// CodeFailed: the handler returned a plain error.
	CodeFailed = "failed"
	// CodeInternal: the handler panicked or its result could not be encoded.
	CodeInternal = "internal"
)

// Codes of the profile commands, so a client can ask for a PIN or explain a refusal.
const (
	CodePINRequired = "pin_required" // switching up needs the admin PIN
	CodeWrongPIN    = "wrong_pin"    // the PIN was wrong (a wait may follow)
	CodePINWait     = "pin_wait"     // too many wrong PINs: wait, or locked out
	CodeNotAllowed  = "not_allowed"  // the active profile may not do this
	CodeNotFound    = "not_found"    // no such profile or quick action
)

// MaxRequestSize bounds one request line (newline included), so a client cannot make the app buffer
// unbounded input.
const MaxRequestSize = 64 << 10

// maxResponseSize bounds what the client reads back; responses (device lists, status) are far smaller.
const maxResponseSize = 16 << 20

// request is one line sent by the client.
type request struct {
	Cmd  string          `json:"cmd"`
	Args json.RawMessage `json:"args,omitempty"`
}

// response is one line sent back by the server.
type response struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
	Code   string          `json:"code,omitempty"`
}

// RemoteError is a failure reported by the running instance. Handlers return one to choose the code the
// client sees; Call returns one when the server answered {"ok":false}.
type RemoteError struct {
	Code    string
	Message string
}

// Error returns the message followed by the code in brackets.
func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s [%s]", e.Message, e.Code)
}
