// Package bus publishes TonnyTray's events to RabbitMQ without ever blocking or losing the voice path: Publish
// validates an event and stores it in the outbox table; Serve connects (and reconnects forever), publishes the
// stored events in order with publisher confirms, and removes each one once the broker has confirmed it.
package bus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// DefaultExchange is pre-declared by every AMQP 0-9-1 broker, so publishing to it needs no declare.
const DefaultExchange = "amq.topic"

// Config says where to publish. Only the password is secret: it comes from the keychain, is put into the URL
// in memory just before dialling, and is never logged or written into an error.
type Config struct {
	URL      string // amqp://user@host:5672/vhost — no password in it
	Password string // from the keychain
	Exchange string // default "amq.topic"; a name not starting with "amq." is declared as a durable topic exchange
	Host     string // this machine's name; default os.Hostname()
}

// Validate checks the URL and the exchange name. An empty URL is an error here; Serve treats it as "disabled".
func (c Config) Validate() error {
	if strings.TrimSpace(c.URL) == "" {
		return errors.New("no RabbitMQ URL set")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		// url's error quotes the URL, which may hold a password: say what is wrong without it.
		return errors.New("the RabbitMQ URL is not a valid URL: it must look like amqp://user@host:5672/vhost")
	}
	if _, has := u.User.Password(); has {
		return errors.New("the RabbitMQ URL must not contain a password: remove it from the URL and enter it in the password field (it is kept in the keychain)")
	}
	if u.Scheme != "amqp" && u.Scheme != "amqps" {
		return fmt.Errorf("the RabbitMQ URL must start with amqp:// or amqps://, not %q", u.Scheme+"://")
	}
	if u.Hostname() == "" {
		return errors.New("the RabbitMQ URL has no host: it must look like amqp://user@host:5672/vhost")
	}
	if _, err := amqp.ParseURI(c.URL); err != nil {
		return fmt.Errorf("the RabbitMQ URL is not valid: %w", err)
	}
	if err := validExchange(c.Exchange); err != nil {
		return err
	}
	if len(c.Host) > 255 {
		return errors.New("the host name is longer than 255 bytes")
	}
	return nil
}

func validExchange(name string) error {
	if name == "" {
		return nil
	}
	if len(name) > 127 {
		return errors.New("the exchange name is longer than 127 bytes")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return fmt.Errorf("the exchange name %q may only hold letters, digits, '-', '_', '.' and ':'", name)
		}
	}
	return nil
}

func (c Config) exchange() string {
	if c.Exchange == "" {
		return DefaultExchange
	}
	return c.Exchange
}

func (c Config) host() string {
	if c.Host != "" {
		return c.Host
	}
	return DefaultHost()
}

// DefaultHost is os.Hostname(), or "unknown".
func DefaultHost() string {
	hostOnce.Do(func() {
		hostName, _ = os.Hostname()
		if hostName == "" {
			hostName = "unknown"
		}
	})
	return hostName
}

var (
	hostOnce sync.Once
	hostName string
)

// target is what the user typed, for messages: host:port, the user and the vhost (never the password).
type target struct{ addr, user, vhost string }

func targetOf(c Config) target {
	uri, err := amqp.ParseURI(c.URL)
	if err != nil {
		return target{addr: "the configured host"}
	}
	t := target{addr: net.JoinHostPort(uri.Host, fmt.Sprint(uri.Port)), user: uri.Username, vhost: uri.Vhost}
	if !strings.HasPrefix(t.vhost, "/") {
		t.vhost = "/" + t.vhost
	}
	return t
}

// dialTimeout bounds the TCP connect and the AMQP handshake of one attempt.
const dialTimeout = 10 * time.Second

// dial opens a connection named "tonnytray@<host>" with the password set in memory only.
func dial(ctx context.Context, c Config) (*amqp.Connection, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	uri, err := amqp.ParseURI(c.URL)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(c.URL); u.User != nil { // ParseURI fills guest/guest only when the URL names no user
		uri.Password = c.Password
	}
	cfg := amqp.Config{
		Heartbeat:  10 * time.Second,
		Locale:     "en_US",
		Properties: amqp.NewConnectionProperties(),
		SASL:       []amqp.Authentication{uri.PlainAuth()},
		Dial: func(network, addr string) (net.Conn, error) {
			dctx, cancel := context.WithTimeout(ctx, dialTimeout)
			defer cancel()
			conn, err := (&net.Dialer{}).DialContext(dctx, network, addr)
			if err != nil {
				return nil, err
			}
			deadline, _ := dctx.Deadline() // cleared by amqp091 once the handshake is done
			if err := conn.SetDeadline(deadline); err != nil {
				conn.Close()
				return nil, err
			}
			return conn, nil
		},
	}
	cfg.Properties.SetClientConnectionName("tonnytray@" + c.host())
	conn, err := amqp.DialConfig(uri.String(), cfg)
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// ConnError is a failure to reach or use the broker, with a sentence for the user. Its Error is that sentence;
// Unwrap gives the underlying error (neither ever holds the password).
type ConnError struct {
	Sentence string
	// Retry is false when retrying cannot help until the user changes something (login, vhost, permissions);
	// Serve still retries, with its backoff, because the admin may fix the broker side.
	Retry bool
	Err   error
}

func (e *ConnError) Error() string { return e.Sentence }
func (e *ConnError) Unwrap() error { return e.Err }

// explain turns a dial, declare or publish error into a sentence the user can act on.
func explain(err error, c Config) error {
	if err == nil {
		return nil
	}
	var ce *ConnError
	if errors.As(err, &ce) {
		return err
	}
	t := targetOf(c)
	mk := func(retry bool, format string, args ...any) error {
		return &ConnError{Sentence: fmt.Sprintf(format, args...), Retry: retry, Err: err}
	}
	var ae *amqp.Error
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &ae) && ae == amqp.ErrVhost,
		errors.As(err, &ae) && ae.Code == amqp.NotAllowed && strings.Contains(ae.Reason, "refused for user"):
		return mk(false, "user %s may not use vhost %s — give it permissions on the broker (rabbitmqctl set_permissions -p %s %s \".*\" \".*\" \".*\")",
			t.user, t.vhost, strings.TrimPrefix(t.vhost, "/"), t.user)
	case errors.As(err, &ae) && ae.Code == amqp.NotAllowed && strings.Contains(ae.Reason, "vhost"):
		return mk(false, "vhost %s does not exist on the RabbitMQ at %s — create it or fix the URL in Settings", t.vhost, t.addr)
	case errors.As(err, &ae) && (ae == amqp.ErrCredentials || ae.Code == amqp.AccessRefused && strings.Contains(ae.Reason, "Login was refused")):
		return mk(false, "RabbitMQ refused the login for user %s — check the user and the password in Settings", t.user)
	case errors.As(err, &ae) && ae == amqp.ErrSASL:
		return mk(false, "RabbitMQ at %s does not accept password logins (PLAIN)", t.addr)
	case errors.As(err, &ae) && ae.Code == amqp.AccessRefused:
		return mk(false, "RabbitMQ refused user %s: %s — check its permissions on vhost %s", t.user, ae.Reason, t.vhost)
	case errors.As(err, &ae) && ae.Code == amqp.PreconditionFailed:
		return mk(false, "the exchange %s exists with other settings: %s — use another exchange name or a topic exchange", c.exchange(), ae.Reason)
	case errors.As(err, &ae) && ae.Code == amqp.NotFound:
		return mk(false, "exchange %s does not exist on vhost %s: %s", c.exchange(), t.vhost, ae.Reason)
	case errors.As(err, &ae):
		return mk(true, "RabbitMQ at %s closed the connection: %s", t.addr, ae.Reason)
	case errors.Is(err, syscall.ECONNREFUSED):
		return mk(true, "no RabbitMQ at %s — is it running?", t.addr)
	case errors.As(err, &dnsErr):
		return mk(true, "cannot find the host of the RabbitMQ URL (%s) — check the URL in Settings", dnsErr.Name)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return mk(true, "RabbitMQ at %s did not answer in time — check the host and the port", t.addr)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return mk(true, "the connection to %s was cut during the handshake — is it RabbitMQ, and is TLS (amqps) right?", t.addr)
	case errors.Is(err, context.Canceled):
		return err
	}
	return mk(true, "RabbitMQ at %s: %v", t.addr, err)
}
