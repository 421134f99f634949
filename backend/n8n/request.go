package n8n

import (
	"encoding/json"
	"fmt"
	"time"
)

// Request is TonnyTray's request contract: the JSON body of every webhook
// call (field names as documented for workflow authors in the README).
type Request struct {
	ID        string    `json:"id"`        // stable across retries; also sent as Idempotency-Key
	Timestamp time.Time `json:"timestamp"` // RFC 3339 UTC when marshalled
	Text      string    `json:"text"`      // the utterance
	Source    string    `json:"source"`    // "tonnytray"
	Mode      string    `json:"mode"`      // "command" ("test" for the connection test)
	Profile   string    `json:"profile"`   // profile name
	Role      string    `json:"role"`      // admin, user, guest or child
	SafeMode  bool      `json:"safe_mode"` // kid-safe policy in force
	Speaker   *int      `json:"speaker"`   // null when unknown
	Language  string    `json:"language"`  // language code
	Host      string    `json:"host"`      // machine name
}

// MarshalJSON writes the timestamp in UTC, so a workflow sees one format
// whatever the machine's zone.
func (r Request) MarshalJSON() ([]byte, error) {
	type plain Request // no methods: avoids recursing into MarshalJSON
	p := plain(r)
	p.Timestamp = p.Timestamp.UTC()
	return json.Marshal(p)
}

// Body returns the JSON body. The outbox stores it, so that every retry
// sends identical bytes (and an identical signature over them).
func (r Request) Body() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode n8n request: %w", err)
	}
	return b, nil
}
