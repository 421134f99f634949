// Package profile holds the family's profiles and their permissions: roles (admin > user > guest > child),
// the admin PIN (a salted argon2id hash, rate-limited and locked out after repeated failures), fail-closed
// authorization of settings, secrets, profile changes, dictation and commands, the child command policy
// plugged into the pipeline, the kid-safe reply filter, the fields sent to n8n and per-profile usage
// statistics. Every permission decision is reported to an audit callback.
package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tonnytray/tonnytray/backend/store"
)

// Role is what a profile may do. Roles are ordered: admin > user > guest > child.
type Role string

// The roles.
const (
	RoleAdmin Role = "admin" // changes settings, secrets and profiles
	RoleUser  Role = "user"  // dictates and sends commands
	RoleGuest Role = "guest" // like a user, for visitors
	RoleChild Role = "child" // commands only from its allow list, no dictation by default, kid-safe replies
)

// Roles lists the roles from the highest to the lowest.
var Roles = []Role{RoleAdmin, RoleUser, RoleGuest, RoleChild}

// Rank orders roles: admin 3, user 2, guest 1, child 0. An unknown role ranks -1, below everything, so a
// damaged row never gains a permission.
func (r Role) Rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleUser:
		return 2
	case RoleGuest:
		return 1
	case RoleChild:
		return 0
	}
	return -1
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.Rank() >= 0 }

// Response modes: how Tonny's reply reaches the profile. "" follows the settings.
const (
	ResponseDefault = ""
	ResponseText    = "text"
	ResponseVoice   = "voice"
	ResponseBoth    = "both"
)

// OverrideDictation is the Overrides key that lets a child dictate into other windows (true). Dictation is
// off for a child unless it is exactly true.
const OverrideDictation = "dictation"

// Limits checked by validation.
const (
	MaxNameLen      = 40  // runes in a profile or quick action name
	MaxCommands     = 100 // entries in each command list and quick actions
	MaxCommandLen   = 200 // runes in a command list entry or a quick action command
	maxFieldLen     = 200 // avatar, voice
	maxLanguageLen  = 35  // a BCP 47 tag
	maxOverridesLen = 16 << 10
)

// QuickAction is a preset command a profile can run with one click (Profiles screen, tray, CLI).
type QuickAction struct {
	Name    string `json:"name"`
	Command string `json:"command"`
}

// Profile is one family member.
type Profile struct {
	ID     uint   `json:"id"`
	Name   string `json:"name"`
	Color  string `json:"color"`  // #rrggbb
	Avatar string `json:"avatar"` // an emoji or an image name; the UI decides
	Role   Role   `json:"role"`
	// Voice is the preferred TTS voice; "" follows the settings.
	Voice string `json:"voice"`
	// Language is a BCP 47 tag for recognition and replies; "" follows the settings.
	Language string `json:"language"`
	// ResponseMode is "", "text", "voice" or "both".
	ResponseMode string `json:"responseMode"`
	// Overrides are per-profile settings overrides (a JSON object), e.g. {"dictation": true} for a child.
	Overrides map[string]any `json:"overrides,omitempty"`
	// Allowed are the commands a child may send (words or phrases, matched as whole words, any case).
	Allowed []string `json:"allowed"`
	// Blocked are commands this profile may never send, whatever its role.
	Blocked      []string      `json:"blocked"`
	QuickActions []QuickAction `json:"quickActions"`
	// NoHistory asks that this profile's text is never stored (history, audit text).
	NoHistory bool `json:"noHistory"`
	// HasPIN reports that an admin PIN is set on this profile. Read-only: set it with Service.SetPIN.
	HasPIN bool `json:"hasPin"`
}

// CanDictate reports whether the profile may type into other windows: everyone but a child, and a child
// only with the "dictation": true override.
func (p Profile) CanDictate() bool {
	switch p.Role {
	case RoleAdmin, RoleUser, RoleGuest:
		return true
	case RoleChild:
		v, ok := p.Overrides[OverrideDictation].(bool)
		return ok && v
	}
	return false
}

// Stats is a profile's usage from the conversations table.
type Stats struct {
	Commands     int     `json:"commands"`     // requests sent to Tonny
	Successes    int     `json:"successes"`    // of them delivered or accepted
	AvgLatencyMs float64 `json:"avgLatencyMs"` // over the successful ones with a latency; 0 when none
}

// ErrInvalid is wrapped by every *ValidationError.
var ErrInvalid = errors.New("invalid profile")

// ValidationError names the field that is wrong ("name", "color", "allowed[3]", "quickActions[1].name").
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return "profile " + e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// normalize trims the text fields and lower-cases the colour so stored profiles compare simply.
func normalize(p Profile) Profile {
	p.Name = strings.TrimSpace(p.Name)
	p.Color = strings.ToLower(strings.TrimSpace(p.Color))
	p.Avatar = strings.TrimSpace(p.Avatar)
	p.Voice = strings.TrimSpace(p.Voice)
	p.Language = strings.TrimSpace(p.Language)
	p.ResponseMode = strings.TrimSpace(p.ResponseMode)
	p.Allowed = trimAll(p.Allowed)
	p.Blocked = trimAll(p.Blocked)
	qa := make([]QuickAction, len(p.QuickActions))
	for i, a := range p.QuickActions {
		qa[i] = QuickAction{Name: strings.TrimSpace(a.Name), Command: strings.TrimSpace(a.Command)}
	}
	p.QuickActions = qa
	return p
}

func trimAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// validate checks a normalized profile on its own; the service checks uniqueness and the last admin.
func validate(p Profile) error {
	if err := validName("name", p.Name); err != nil {
		return err
	}
	if p.Color != "" && !colorRE.MatchString(p.Color) {
		return invalid("color", "must look like #rrggbb")
	}
	if !p.Role.Valid() {
		return invalid("role", "must be admin, user, guest or child, not %q", p.Role)
	}
	switch p.ResponseMode {
	case ResponseDefault, ResponseText, ResponseVoice, ResponseBoth:
	default:
		return invalid("responseMode", "must be text, voice, both or empty, not %q", p.ResponseMode)
	}
	for field, v := range map[string]string{"avatar": p.Avatar, "voice": p.Voice} {
		if err := validText(field, v, maxFieldLen); err != nil {
			return err
		}
	}
	if err := validText("language", p.Language, maxLanguageLen); err != nil {
		return err
	}
	if p.Overrides != nil {
		b, err := json.Marshal(p.Overrides)
		if err != nil {
			return invalid("overrides", "must be plain JSON values: %v", err)
		}
		if len(b) > maxOverridesLen {
			return invalid("overrides", "must be at most %d bytes of JSON", maxOverridesLen)
		}
	}
	if v, ok := p.Overrides[OverrideDictation]; ok {
		if _, isBool := v.(bool); !isBool {
			return invalid("overrides.dictation", "must be true or false")
		}
	}
	for _, l := range []struct {
		field string
		list  []string
	}{{"allowed", p.Allowed}, {"blocked", p.Blocked}} {
		if err := validCommands(l.field, l.list); err != nil {
			return err
		}
	}
	if len(p.QuickActions) > MaxCommands {
		return invalid("quickActions", "at most %d quick actions", MaxCommands)
	}
	seen := make(map[string]int, len(p.QuickActions))
	for i, a := range p.QuickActions {
		field := fmt.Sprintf("quickActions[%d]", i)
		if err := validName(field+".name", a.Name); err != nil {
			return err
		}
		key := strings.ToLower(a.Name)
		if j, dup := seen[key]; dup {
			return invalid(field+".name", "%q is already the name of quick action %d", a.Name, j+1)
		}
		seen[key] = i
		if err := validCommand(field+".command", a.Command); err != nil {
			return err
		}
	}
	return nil
}

func validName(field, name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxNameLen {
		return invalid(field, "must be 1–%d characters", MaxNameLen)
	}
	return validText(field, name, MaxNameLen)
}

// validText refuses invalid UTF-8, control characters and overlong values.
func validText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return invalid(field, "is not valid text")
	}
	if utf8.RuneCountInString(s) > max {
		return invalid(field, "must be at most %d characters", max)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return invalid(field, "must not contain control characters")
	}
	return nil
}

func validCommands(field string, list []string) error {
	if len(list) > MaxCommands {
		return invalid(field, "at most %d entries", MaxCommands)
	}
	for i, c := range list {
		if err := validCommand(fmt.Sprintf("%s[%d]", field, i), c); err != nil {
			return err
		}
	}
	return nil
}

func validCommand(field, c string) error {
	if err := validText(field, c, MaxCommandLen); err != nil {
		return err
	}
	if len(words(c)) == 0 {
		return invalid(field, "must contain a word")
	}
	return nil
}

// fromModel decodes a stored row. A damaged JSON column is an error, never an empty list: an empty blocked
// list would let through what the admin blocked.
func fromModel(m store.Profile) (Profile, error) {
	p := Profile{
		ID: m.ID, Name: m.Name, Color: m.Color, Avatar: m.Avatar, Role: Role(m.Role), Voice: m.Voice,
		Language: m.Language, ResponseMode: m.ResponseMode, NoHistory: m.NoHistory, HasPIN: m.PinHash != "",
	}
	for _, c := range []struct {
		col string
		raw string
		dst any
	}{
		{"overrides", m.Overrides, &p.Overrides},
		{"allowed commands", m.AllowedCommands, &p.Allowed},
		{"blocked commands", m.BlockedCommands, &p.Blocked},
		{"quick actions", m.QuickActions, &p.QuickActions},
	} {
		if strings.TrimSpace(c.raw) == "" {
			continue
		}
		if err := json.Unmarshal([]byte(c.raw), c.dst); err != nil {
			return Profile{}, fmt.Errorf("profile %q: read %s: %w", m.Name, c.col, err)
		}
	}
	if p.Allowed == nil {
		p.Allowed = []string{}
	}
	if p.Blocked == nil {
		p.Blocked = []string{}
	}
	if p.QuickActions == nil {
		p.QuickActions = []QuickAction{}
	}
	return p, nil
}

// toModel encodes p's editable fields into m, keeping m's ID, PinHash and timestamps.
func toModel(p Profile, m *store.Profile) error {
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}
	var err error
	m.Name, m.Role, m.Color, m.Avatar = p.Name, string(p.Role), p.Color, p.Avatar
	m.Voice, m.Language, m.ResponseMode, m.NoHistory = p.Voice, p.Language, p.ResponseMode, p.NoHistory
	m.Overrides = ""
	if len(p.Overrides) > 0 {
		if m.Overrides, err = enc(p.Overrides); err != nil {
			return err
		}
	}
	if m.AllowedCommands, err = enc(nonNil(p.Allowed)); err != nil {
		return err
	}
	if m.BlockedCommands, err = enc(nonNil(p.Blocked)); err != nil {
		return err
	}
	qa := p.QuickActions
	if qa == nil {
		qa = []QuickAction{}
	}
	m.QuickActions, err = enc(qa)
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
