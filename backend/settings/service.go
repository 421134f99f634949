package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tonnytray/tonnytray/backend/store"
)

// storeKey is the settings table row that holds the whole document.
const storeKey = "settings"

// Change reports what an update changed. Its json form matches event.SettingsChangedPayload.
type Change struct {
	// Changed are the json paths of the fields that differ, in field order.
	Changed []string `json:"changed"`
	// RestartNeeded are the parts that must restart to apply the change, in field order: PartWhisperServer,
	// PartAudio, PartHotkeys, PartBus, PartKeyring. Everything else applies live.
	RestartNeeded []string `json:"restartNeeded"`
}

// Diff compares two settings field by field. Slices compare as a whole (one path).
func Diff(old, new Settings) Change {
	ch := Change{Changed: []string{}, RestartNeeded: []string{}}
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(new)
	for _, l := range leaves() {
		a, b := ov.FieldByIndex(l.index), nv.FieldByIndex(l.index)
		if equalValue(a, b) {
			continue
		}
		ch.Changed = append(ch.Changed, l.path)
		if l.restart != "" && !slices.Contains(ch.RestartNeeded, l.restart) {
			ch.RestartNeeded = append(ch.RestartNeeded, l.restart)
		}
	}
	return ch
}

// equalValue compares leaf values; nil and empty slices are equal (both mean "no extra args").
func equalValue(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice {
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !a.Index(i).Equal(b.Index(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// Service owns the current settings: loaded from the store at start, replaced only through Update.
type Service struct {
	db       *gorm.DB
	onChange func(Change)

	updateMu sync.Mutex // serializes Update end to end, so change reports arrive in order
	mu       sync.RWMutex
	cur      Settings
	warnings []string
}

// NewService loads the stored settings, or Defaults when none are stored yet. Fields missing from the stored
// document (added by a newer app version) take their defaults; stored values that no longer validate are
// reset to their defaults and reported by LoadWarnings. onChange (may be nil) is called after every update
// that changed something; it must not call Update.
func NewService(db *gorm.DB, onChange func(Change)) (*Service, error) {
	if db == nil {
		return nil, errors.New("settings: nil database")
	}
	s := &Service{db: db, onChange: onChange}
	var row store.Setting
	err := db.Where(&store.Setting{Key: storeKey}).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		s.cur = Defaults()
	case err != nil:
		return nil, fmt.Errorf("load settings: %w", err)
	default:
		s.cur, s.warnings = decodeStored(row.Value)
	}
	return s, nil
}

// decodeStored reads a stored document leniently: a damaged document must not stop the app from starting.
func decodeStored(value string) (Settings, []string) {
	var warnings []string
	var head struct {
		Version int `json:"version"`
	}
	_ = json.Unmarshal([]byte(value), &head) // a damaged document is reported just below
	st := Defaults()
	if err := json.Unmarshal([]byte(value), &st); err != nil {
		// A type mismatch leaves that one field at its default and decodes the rest; anything else (a
		// truncated or garbled document) loses it all.
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &typ) || typ.Field == "" {
			return Defaults(), []string{fmt.Sprintf("stored settings could not be read (%v); using defaults", err)}
		}
		warnings = append(warnings, fmt.Sprintf("stored setting %s had the wrong type and was reset to its "+
			"default", typ.Field))
	}
	if head.Version > ExportVersion {
		warnings = append(warnings, fmt.Sprintf("stored settings are version %d, newer than this app (%d); "+
			"unknown fields were ignored", head.Version, ExportVersion))
	}
	st = st.Clone()
	// Each round resets the fields still in error; a reset can expose another error (a hotkey conflict with
	// a default), so repeat, bounded, and fall back to Defaults.
	for range 4 {
		err := st.Validate()
		var verrs ValidationErrors
		if !errors.As(err, &verrs) {
			return st, warnings
		}
		for _, fe := range verrs {
			resetField(&st, fe.Field)
			warnings = append(warnings, fmt.Sprintf("stored setting reset (to its default, or cleared if the default conflicts): %s", fe.Message))
		}
	}
	if st.Validate() != nil {
		return Defaults(), append(warnings, "stored settings could not be repaired; using defaults")
	}
	return st, warnings
}

// LoadWarnings describes what NewService had to repair in the stored settings; empty when nothing.
func (s *Service) LoadWarnings() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.warnings)
}

// Get returns a copy of the current settings.
func (s *Service) Get() Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur.Clone()
}

// Update validates next, stores it in one transaction and makes it current, then reports the change to
// onChange. On a validation failure it returns the ValidationErrors as they are and stores nothing. An
// update that changes nothing is not stored and not reported.
func (s *Service) Update(next Settings) (Change, error) {
	if err := next.Validate(); err != nil {
		return Change{}, err
	}
	next = next.Clone()

	s.updateMu.Lock()
	defer s.updateMu.Unlock()
	ch := Diff(s.Get(), next)
	if len(ch.Changed) == 0 {
		return ch, nil
	}
	value, err := json.Marshal(document{Version: ExportVersion, Settings: next})
	if err != nil {
		return Change{}, fmt.Errorf("encode settings: %w", err)
	}
	row := store.Setting{Key: storeKey, Value: string(value), UpdatedAt: time.Now().UTC()}
	err = s.db.Transaction(func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "key"}},
			DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
		}).Create(&row).Error
	})
	if err != nil {
		return Change{}, fmt.Errorf("save settings: %w", err)
	}
	s.mu.Lock()
	s.cur = next
	s.mu.Unlock()
	if s.onChange != nil {
		s.onChange(ch)
	}
	return ch, nil
}
