package store

import "time"

// The GORM models of TonnyTray's one SQLite file. All times are stored in UTC. JSON columns are plain TEXT
// holding a JSON document; the owning package encodes and decodes them.

// Setting is one settings document keyed by name; the settings package stores its whole typed struct under
// the key "settings" as JSON.
type Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string `gorm:"not null"`
	UpdatedAt time.Time
}

// Profile is a family member's profile. PinHash is a salted slow hash, never the PIN.
type Profile struct {
	ID              uint   `gorm:"primaryKey"`
	Name            string `gorm:"uniqueIndex;not null"`
	Role            string `gorm:"not null;default:user"` // admin | user | guest | child
	Color           string
	Avatar          string
	Voice           string
	Language        string
	ResponseMode    string
	Overrides       string // JSON: per-profile settings overrides
	AllowedCommands string // JSON array
	BlockedCommands string // JSON array
	QuickActions    string // JSON array
	NoHistory       bool
	PinHash         string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Transcription is one utterance: what was heard, for whom, where it went and how long each step took.
type Transcription struct {
	ID             uint     `gorm:"primaryKey"`
	ProfileID      *uint    `gorm:"index"`
	Profile        *Profile `gorm:"constraint:OnDelete:SET NULL"`
	Text           string
	Mode           string // push_to_talk | toggle | voice_activation | continuous | text
	Route          string // dictation | command | none
	Language       string
	Confidence     *float64
	Speakers       string // JSON array of speaker ids
	KeyDownAt      *time.Time
	FirstSampleAt  *time.Time
	SocketReadyAt  *time.Time
	FirstPartialAt *time.Time
	SpeechEndAt    *time.Time
	FinalAt        *time.Time
	CreatedAt      time.Time `gorm:"index"`
}

// Conversation is one request to Tonny (n8n) and its reply.
type Conversation struct {
	ID              uint           `gorm:"primaryKey"`
	RequestID       string         `gorm:"uniqueIndex;not null"` // stable across retries; also the Idempotency-Key
	TranscriptionID *uint          `gorm:"index"`
	Transcription   *Transcription `gorm:"constraint:OnDelete:SET NULL"`
	ProfileID       *uint          `gorm:"index"`
	Profile         *Profile       `gorm:"constraint:OnDelete:SET NULL"`
	Request         string         // JSON body sent
	Reply           string         // reply text
	ReplyRaw        string         // raw reply body (JSON)
	Status          string         `gorm:"index"` // pending | delivered | accepted | failed | discarded
	Attempts        int
	LatencyMs       int64
	Error           string
	CreatedAt       time.Time `gorm:"index"`
	UpdatedAt       time.Time
}

// LogEntry is one log record. The logs viewer pages through it by ID (keyset pagination).
type LogEntry struct {
	ID        uint64    `gorm:"primaryKey"`
	Time      time.Time `gorm:"index;not null"`
	Level     int       `gorm:"index:idx_logs_level_id,priority:1;not null"` // slog.Level value
	Component string    `gorm:"index:idx_logs_component_id,priority:1;not null;default:''"`
	Message   string    `gorm:"not null"`
	Attrs     string    // JSON object of string values, redacted
}

// TableName keeps the table called "logs".
func (LogEntry) TableName() string { return "logs" }

// Metric is one sample of a named measurement (latency, queue size, memory, …).
type Metric struct {
	ID     uint64    `gorm:"primaryKey"`
	Time   time.Time `gorm:"index;not null"`
	Name   string    `gorm:"index;not null"`
	Value  float64
	Labels string // JSON object
}

// OutboxItem is a delivery waiting to go out (n8n commands, bus events while the broker is down). Items of
// one Target are delivered in ID order.
type OutboxItem struct {
	ID            uint64 `gorm:"primaryKey"`
	Target        string `gorm:"index:idx_outbox_target_status,priority:1;not null"`
	Status        string `gorm:"index:idx_outbox_target_status,priority:2;not null;default:pending"` // pending | delivered | failed | discarded
	RequestID     string `gorm:"uniqueIndex;not null"`
	Payload       string `gorm:"not null"`
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// TableName keeps the table called "outbox".
func (OutboxItem) TableName() string { return "outbox" }

// ServiceEvent records a state change of a supervised service (whisper-server, bus, …).
type ServiceEvent struct {
	ID      uint64    `gorm:"primaryKey"`
	Time    time.Time `gorm:"index;not null"`
	Service string    `gorm:"index;not null"`
	State   string    `gorm:"not null"`
	Detail  string
}
