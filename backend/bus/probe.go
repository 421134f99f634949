package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// testTimeout bounds Test when ctx has no deadline of its own.
const testTimeout = 15 * time.Second

// Test makes one connection with cfg and publishes one test event (thread.tonny.test.<host>) with a confirm.
// It returns nil or a ConnError whose sentence tells the user what to fix.
func Test(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, testTimeout)
		defer cancel()
	}
	conn, err := dial(ctx, cfg)
	if err != nil {
		return explain(err, cfg)
	}
	defer conn.CloseDeadline(time.Now().Add(2 * time.Second))
	ch, err := prepare(conn, cfg)
	if err != nil {
		return explain(err, cfg)
	}
	e := newEvent("thread.tonny.test."+keyWord(cfg.host()), TypeTest, nil, map[string]any{})
	e.Body["host"] = cfg.host()
	if err := e.Validate(); err != nil {
		return err
	}
	body, _ := json.Marshal(e.Body)
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, cfg.exchange(), e.Key, false, false, amqp.Publishing{
		ContentType: "application/json", DeliveryMode: amqp.Transient, MessageId: e.Body["id"].(string),
		Timestamp: time.Now(), AppId: Source, Type: TypeTest, Body: body,
	})
	if err != nil {
		return explain(err, cfg)
	}
	ok, err := dc.WaitContext(ctx)
	switch {
	case err != nil:
		return explain(err, cfg)
	case !ok && ch.IsClosed():
		return explain(errors.New("the channel closed before the confirm"), cfg)
	case !ok:
		return &ConnError{Sentence: fmt.Sprintf("RabbitMQ at %s refused the test event (nack)", targetOf(cfg).addr), Retry: true}
	}
	return nil
}
