package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrationTable records which migrations ran.
const migrationTable = "migrations"

// migrations is the schema history, oldest first. To change the schema: change models.go, then append a
// migration with a new, later ID that brings an existing database to the new shape (AddColumn, CreateIndex,
// …). Never edit a migration that has shipped. TestMigratedSchemaMatchesModels fails until the migrations
// produce exactly what models.go describes.
//
// Migrations run in one transaction with foreign keys on; SQLite ignores PRAGMA foreign_keys inside a
// transaction, so a migration that rebuilds a referenced table must take care of the rows that point at it.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611220001_initial",
			Migrate: func(tx *gorm.DB) error {
				return tx.Migrator().CreateTable(v1Models()...)
			},
			Rollback: func(tx *gorm.DB) error {
				return tx.Migrator().DropTable(v1Models()...)
			},
		},
	}
}

// migrate brings db to the schema of the last of list.
func migrate(ctx context.Context, db *gorm.DB, list []*gormigrate.Migration) error {
	m := gormigrate.New(db.WithContext(ctx), &gormigrate.Options{
		TableName:      migrationTable,
		IDColumnName:   "id",
		IDColumnSize:   255,
		UseTransaction: true, // a failed migration leaves the file as it was
		// A newer TonnyTray migrated this file; this older one must not write to a schema it does not know.
		ValidateUnknownMigrations: true,
	}, list)
	if err := m.Migrate(); err != nil {
		if errors.Is(err, gormigrate.ErrUnknownPastMigration) {
			return fmt.Errorf("migrate: the database was written by a newer TonnyTray; update TonnyTray: %w", err)
		}
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// The v1 types freeze the schema of migration 202611220001_initial. They are copies of models.go as it was
// then, so the initial migration keeps creating the same tables after models.go changes; later migrations
// then find the shape they expect.

func v1Models() []any {
	return []any{
		&v1Setting{}, &v1Profile{}, &v1Transcription{}, &v1Conversation{},
		&v1LogEntry{}, &v1Metric{}, &v1OutboxItem{}, &v1ServiceEvent{},
	}
}

type v1Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string `gorm:"not null"`
	UpdatedAt time.Time
}

func (v1Setting) TableName() string { return "settings" }

type v1Profile struct {
	ID              uint   `gorm:"primaryKey"`
	Name            string `gorm:"uniqueIndex;not null"`
	Role            string `gorm:"not null;default:user"`
	Color           string
	Avatar          string
	Voice           string
	Language        string
	ResponseMode    string
	Overrides       string
	AllowedCommands string
	BlockedCommands string
	QuickActions    string
	NoHistory       bool
	PinHash         string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (v1Profile) TableName() string { return "profiles" }

type v1Transcription struct {
	ID             uint       `gorm:"primaryKey"`
	ProfileID      *uint      `gorm:"index"`
	Profile        *v1Profile `gorm:"constraint:OnDelete:SET NULL"`
	Text           string
	Mode           string
	Route          string
	Language       string
	Confidence     *float64
	Speakers       string
	KeyDownAt      *time.Time
	FirstSampleAt  *time.Time
	SocketReadyAt  *time.Time
	FirstPartialAt *time.Time
	SpeechEndAt    *time.Time
	FinalAt        *time.Time
	CreatedAt      time.Time `gorm:"index"`
}

func (v1Transcription) TableName() string { return "transcriptions" }

type v1Conversation struct {
	ID              uint             `gorm:"primaryKey"`
	RequestID       string           `gorm:"uniqueIndex;not null"`
	TranscriptionID *uint            `gorm:"index"`
	Transcription   *v1Transcription `gorm:"constraint:OnDelete:SET NULL"`
	ProfileID       *uint            `gorm:"index"`
	Profile         *v1Profile       `gorm:"constraint:OnDelete:SET NULL"`
	Request         string
	Reply           string
	ReplyRaw        string
	Status          string `gorm:"index"`
	Attempts        int
	LatencyMs       int64
	Error           string
	CreatedAt       time.Time `gorm:"index"`
	UpdatedAt       time.Time
}

func (v1Conversation) TableName() string { return "conversations" }

type v1LogEntry struct {
	ID        uint64    `gorm:"primaryKey"`
	Time      time.Time `gorm:"index;not null"`
	Level     int       `gorm:"index:idx_logs_level_id,priority:1;not null"`
	Component string    `gorm:"index:idx_logs_component_id,priority:1;not null;default:''"`
	Message   string    `gorm:"not null"`
	Attrs     string
}

func (v1LogEntry) TableName() string { return "logs" }

type v1Metric struct {
	ID     uint64    `gorm:"primaryKey"`
	Time   time.Time `gorm:"index;not null"`
	Name   string    `gorm:"index;not null"`
	Value  float64
	Labels string
}

func (v1Metric) TableName() string { return "metrics" }

type v1OutboxItem struct {
	ID            uint64 `gorm:"primaryKey"`
	Target        string `gorm:"index:idx_outbox_target_status,priority:1;not null"`
	Status        string `gorm:"index:idx_outbox_target_status,priority:2;not null;default:pending"`
	RequestID     string `gorm:"uniqueIndex;not null"`
	Payload       string `gorm:"not null"`
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (v1OutboxItem) TableName() string { return "outbox" }

type v1ServiceEvent struct {
	ID      uint64    `gorm:"primaryKey"`
	Time    time.Time `gorm:"index;not null"`
	Service string    `gorm:"index;not null"`
	State   string    `gorm:"not null"`
	Detail  string
}

func (v1ServiceEvent) TableName() string { return "service_events" }
