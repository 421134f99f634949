// Package n8n calls Tonny's n8n webhook: one POST per attempt, with header
// auth, an idempotency key and an optional HMAC signature, and sorts every
// answer into a Class (see shared/specs/n8n-webhook.md). Retries and the
// circuit breaker live in backend/outbox; this package only says what kind
// of failure happened.
package n8n

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults for Config's zero values.
const (
	DefaultConnectTimeout = 5 * time.Second
	DefaultReplyTimeout   = 60 * time.Second
)

// MaxReply bounds the reply body read; a bigger body is ClassBadReply.
const MaxReply = 1 << 20

// Config is where and how to call the webhook.
type Config struct {
	URL            string            // full webhook URL as pasted
	AuthHeader     string            // header name for n8n Header auth; "" = no auth header
	AuthValue      string            // its value (from the keychain); never logged
	SignSecret     string            // "" = no signature; else X-Tonny-Timestamp + X-Tonny-Signature
	ConnectTimeout time.Duration     // dial + TLS handshake (default 5 s)
	ReplyTimeout   time.Duration     // the whole request (default 60 s)
	Transport      http.RoundTripper // nil = a tuned *http.Transport with ConnectTimeout
	Now            func() time.Time  // nil = time.Now (signature timestamp)
}

// Validate checks the URL and the auth header; failures are *Error with
// ClassConfig and a sentence for the UI.
func (c Config) Validate() error {
	raw := strings.TrimSpace(c.URL)
	if raw == "" {
		return configError(errors.New("webhook URL is empty"),
			"Tonny's webhook URL is not set — paste it in Settings → n8n.")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, which may carry credentials: keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return configError(fmt.Errorf("parse webhook URL: %w", err),
			"Tonny's webhook URL is not a valid URL — copy it again from the Webhook node in n8n.")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return configError(fmt.Errorf("webhook URL scheme %q is not http or https", u.Scheme),
			"Tonny's webhook URL must start with https:// — paste the full URL from the Webhook node in n8n.")
	}
	host := u.Hostname()
	if host == "" {
		return configError(errors.New("webhook URL has no host"),
			"Tonny's webhook URL has no server name — paste the full URL from the Webhook node in n8n.")
	}
	if u.Scheme == "http" && !isLoopback(host) {
		// The auth value and every utterance would cross the network in clear.
		return configError(fmt.Errorf("https is required for %s; plain http is only allowed for localhost", host),
			fmt.Sprintf("Tonny's webhook URL must use https for %s — plain http is only allowed for localhost.", host))
	}
	if c.AuthHeader != "" {
		if !validHeaderName(c.AuthHeader) {
			return configError(fmt.Errorf("auth header name %q is not a valid HTTP header name", c.AuthHeader),
				"The webhook key's header name is not a valid HTTP header name — fix it in Settings → n8n.")
		}
		if c.AuthValue == "" {
			return configError(errors.New("auth header value is empty"),
				"Tonny's webhook key is missing — enter it in Settings → n8n.")
		}
		if strings.ContainsFunc(c.AuthValue, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return configError(errors.New("auth header value contains control characters"),
				"Tonny's webhook key contains a line break or control character — enter it again in Settings → n8n.")
		}
	}
	return nil
}

func configError(err error, msg string) *Error {
	return &Error{Class: ClassConfig, Err: err, msg: msg}
}

// isLoopback reports localhost, 127.0.0.0/8 and ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHeaderName reports an RFC 9110 token.
func validHeaderName(s string) bool {
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return s != ""
}

// Client posts to one webhook. It is safe for concurrent use.
type Client struct {
	cfg  Config
	url  string
	http *http.Client
}

// New validates c and builds a client.
func New(c Config) (*Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.ReplyTimeout <= 0 {
		c.ReplyTimeout = DefaultReplyTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	rt := c.Transport
	if rt == nil {
		rt = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: c.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: c.ConnectTimeout,
			ForceAttemptHTTP2:   true,
			MaxIdleConns:        4,
			IdleConnTimeout:     90 * time.Second,
		}
	}
	return &Client{
		cfg: c,
		url: strings.TrimSpace(c.URL),
		http: &http.Client{
			Transport: rt,
			// Following a redirect would hand the auth header to another
			// host, and 301/302 would turn the POST into a GET.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Post sends one attempt: body as application/json with Idempotency-Key id,
// the auth header and, when configured, the signature. It does not retry.
// Failures are *Error, except cancellation of ctx by the caller, which
// returns ctx.Err() wrapped so that shutdown is not mistaken for a timeout.
// On an *Error the Reply still carries Status and Latency.
func (c *Client) Post(ctx context.Context, id string, body []byte) (Reply, error) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.ReplyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return Reply{}, configError(fmt.Errorf("build request: %w", err), "")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "TonnyTray")
	// n8n does not deduplicate, and a client that gives up does not stop
	// the run: the key lets a workflow drop a retried duplicate.
	req.Header.Set("Idempotency-Key", id)
	if c.cfg.AuthHeader != "" {
		req.Header.Set(c.cfg.AuthHeader, c.cfg.AuthValue)
	}
	if c.cfg.SignSecret != "" {
		ts := strconv.FormatInt(c.cfg.Now().Unix(), 10)
		req.Header.Set("X-Tonny-Timestamp", ts)
		req.Header.Set("X-Tonny-Signature", Sign(c.cfg.SignSecret, ts, body))
	}

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return Reply{Latency: time.Since(start)}, c.transportError(ctx, rctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxReply+1))
	latency := time.Since(start)
	if err != nil {
		return Reply{Status: resp.StatusCode, Latency: latency}, c.transportError(ctx, rctx, err)
	}
	if len(data) > MaxReply {
		return Reply{Status: resp.StatusCode, Latency: latency},
			&Error{Class: ClassBadReply, Status: resp.StatusCode, Err: fmt.Errorf("reply larger than %d bytes", MaxReply)}
	}
	r, err := Classify(resp.StatusCode, data)
	r.Latency = latency
	var e *Error
	if errors.As(err, &e) {
		e.Server = c.redact(e.Server)
	}
	return r, err
}

// transportError classifies a failure to send or to read the reply.
func (c *Client) transportError(parent, rctx context.Context, err error) error {
	if parent.Err() != nil {
		return fmt.Errorf("n8n: post cancelled: %w", parent.Err())
	}
	if rctx.Err() != nil {
		return &Error{Class: ClassTimeout, Err: fmt.Errorf("no reply within %v: %w", c.cfg.ReplyTimeout, rctx.Err())}
	}
	return &Error{Class: ClassNetwork, Err: err}
}

// redact removes the secrets from text the server sent back, in case a
// workflow echoes its request headers into an error message.
func (c *Client) redact(s string) string {
	for _, secret := range []string{c.cfg.AuthValue, c.cfg.SignSecret} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// Sign returns the X-Tonny-Signature value: "sha256=" and the hex
// HMAC-SHA256 of timestamp + "." + body under secret.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
