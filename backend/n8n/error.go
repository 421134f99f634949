package n8n

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Class says what kind of failure an Error is, which decides whether the
// outbox retries, stops sending, or gives up on one command.
type Class string

// The failure classes.
const (
	ClassConfig   Class = "config"    // bad or missing URL, https required, redirect
	ClassNetwork  Class = "network"   // refused, DNS, reset, TLS, connect timeout
	ClassTimeout  Class = "timeout"   // no complete reply within ReplyTimeout
	ClassAuth     Class = "auth"      // 401 / 403 (n8n answers 403 "Authorization data is wrong!")
	ClassNotFound Class = "not_found" // 404: webhook not registered (workflow inactive, test URL expired, wrong method)
	ClassInvalid  Class = "invalid"   // 422 and other 4xx except 401/403/404/408/429
	ClassServer   Class = "server"    // 5xx, 408, 429
	ClassEmpty    Class = "empty"     // 200 with an empty body: the workflow failed before Respond to Webhook
	ClassBadReply Class = "bad_reply" // 2xx that is not a JSON object with a string "text" (and not 202/204)
)

// Error is a failed webhook call. It never holds the auth value or the
// signing secret.
type Error struct {
	Class  Class
	Status int    // HTTP status, 0 when none
	Server string // n8n's "message" (and "hint") from the body, trimmed, for the log/UI
	Err    error  // the cause (network error etc.), for errors.Is/As

	msg string // the UI sentence of a config error, which only Validate knows
}

// Error is the technical form for logs, e.g. "n8n: 403: Authorization data is wrong!".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("n8n: ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "%d", e.Status)
	} else {
		b.WriteString(string(e.Class))
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

// Temporary reports whether the same request may succeed later, so the
// outbox retries it with backoff.
func (e *Error) Temporary() bool {
	switch e.Class {
	case ClassNetwork, ClassTimeout, ClassServer, ClassEmpty, ClassBadReply:
		return true
	}
	return false
}

// Blocking reports whether every later command would fail the same way
// until the user fixes something, so the outbox should stop and say so.
// ClassInvalid is neither temporary nor blocking: that one command failed
// for good, the next one may work.
func (e *Error) Blocking() bool {
	switch e.Class {
	case ClassConfig, ClassAuth, ClassNotFound:
		return true
	}
	return false
}

const reach = "Could not reach Tonny (n8n): "

// Message is one human sentence for the UI. It never includes secrets.
func (e *Error) Message() string {
	switch e.Class {
	case ClassConfig:
		if e.msg != "" {
			return e.msg
		}
		return "Tonny's webhook settings are not valid — check Settings → n8n."
	case ClassNetwork:
		if isTLS(e.Err) {
			return reach + "the secure connection failed — check the server's certificate and the webhook URL."
		}
		return reach + "no connection to the server — check the webhook URL and that n8n is running."
	case ClassTimeout:
		return "Tonny (n8n) did not answer in time — the workflow may be slow or stuck; see its Executions tab."
	case ClassAuth:
		return reach + fmt.Sprintf("the server answered %d — check the webhook key in Settings.", e.Status)
	case ClassNotFound:
		return reach + "the webhook is not registered — activate the workflow (a test URL works for one call only)."
	case ClassInvalid:
		return fmt.Sprintf("Tonny (n8n) refused this command: the server answered %d — check the workflow's Webhook node.", e.Status)
	case ClassServer:
		if e.Status == 429 || e.Status == 408 {
			return fmt.Sprintf("Tonny (n8n) is busy: the server answered %d — the command will be retried.", e.Status)
		}
		return fmt.Sprintf("Tonny's workflow failed: n8n answered %d — see its Executions tab.", e.Status)
	case ClassEmpty:
		return "No reply from Tonny (n8n): the workflow failed before it replied (n8n answered 200 with an empty body) — see its Executions tab."
	case ClassBadReply:
		if strings.Contains(e.Server, "Workflow was started") {
			return `Tonny (n8n) started the workflow but sent no reply — set the Webhook node to respond "Using 'Respond to Webhook' node".`
		}
		return `Tonny (n8n) answered without a reply — make the workflow's Respond to Webhook node return JSON with a "text" field.`
	}
	return reach + "the call failed."
}

// isTLS reports a certificate or handshake failure, which needs a
// different fix than a server that is down.
func isTLS(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		header  tls.RecordHeaderError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		alert   tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &header) || errors.As(err, &unknown) ||
		errors.As(err, &host) || errors.As(err, &invalid) || errors.As(err, &alert)
}
