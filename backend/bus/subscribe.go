package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"
)

// SayKeys are the keys a TonnyTray listens on for things to say: addressed to this host, or to all.
func SayKeys(host string) []string {
	return []string{"thread.tonny.say." + keyWord(host), "thread.tonny.say.all"}
}

// Subscribe consumes messages published to the exchange with keys (binding patterns: '*' one word, '#' any)
// through an exclusive, auto-delete, server-named queue, and calls handle for each (auto-ack: a message is
// handled at most once; messages sent while disconnected are not kept). It reconnects like Serve and returns
// only when ctx ends (ctx.Err()) or the arguments are invalid.
func Subscribe(ctx context.Context, cfg Config, keys []string, handle func(key string, body []byte)) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return errors.New("subscribe: no keys")
	}
	for _, k := range keys {
		if msg := validPattern(k); msg != "" {
			return fmt.Errorf("subscribe: key %s", msg)
		}
	}
	bo := &backoff.ExponentialBackOff{InitialInterval: time.Second, RandomizationFactor: 0.2, Multiplier: 2,
		MaxInterval: 30 * time.Second}
	bo.Reset()
	for {
		start := time.Now()
		_ = consume(ctx, cfg, keys, handle) // any failure: wait and reconnect
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(start) > 30*time.Second {
			bo.Reset()
		}
		t := time.NewTimer(bo.NextBackOff())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func consume(ctx context.Context, cfg Config, keys []string, handle func(string, []byte)) error {
	conn, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.CloseDeadline(time.Now().Add(2 * time.Second))
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	if err := declare(ch, cfg.exchange()); err != nil {
		return err
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		return fmt.Errorf("declare queue: %w", err)
	}
	for _, k := range keys {
		if err := ch.QueueBind(q.Name, k, cfg.exchange(), false, nil); err != nil {
			return fmt.Errorf("bind %s: %w", k, err)
		}
	}
	deliveries, err := ch.ConsumeWithContext(ctx, q.Name, "tonnytray@"+cfg.host(), true, true, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	closed := conn.NotifyClose(make(chan *amqp.Error, 1))
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-closed:
			return closeReason(e)
		case d, ok := <-deliveries:
			if !ok {
				return errors.New("consumer cancelled")
			}
			handle(d.RoutingKey, d.Body)
		}
	}
}

// validPattern checks a binding pattern: like a routing key, but words may be '*' or '#'.
func validPattern(k string) string {
	words := strings.Split(k, ".")
	for i, w := range words {
		if w == "*" || w == "#" {
			words[i] = "x"
		}
	}
	return validKey(strings.Join(words, "."))
}
