package profile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tonnytray/tonnytray/backend/store"
)

// Errors of the service besides validation, PIN and permission errors.
var (
	ErrNotFound = errors.New("no such profile")
	// ErrNoQuickAction: the profile has no quick action of that name. It matches ErrNotFound too.
	ErrNoQuickAction error = notFoundError("no such quick action")
	ErrLastAdmin           = errors.New("the last admin profile can't be deleted or made a non-admin — make another profile an admin first")
)

// Rows of the settings table this package owns (the settings document is the row "settings").
const (
	activeKey  = "profile.active"       // the active profile's ID, so a restart keeps who was active
	limiterKey = "profile.pin_attempts" // the wrong-PIN history, so a restart does not reset it
)

// Default profiles created on first run.
const (
	DefaultAdminName = "Admin"
	DefaultGuestName = "Guest"
)

// Options configure a Service.
type Options struct {
	// Now is the clock (PIN delays and lockout, audit times); nil means time.Now.
	Now func() time.Time
	// Audit receives every permission decision, allowed or refused. It must not block or call back into
	// the Service.
	Audit func(AuditEntry)
	// OnActive is called after the active profile changed (switched, edited or deleted), outside the
	// service's locks. It must not block; events from concurrent changes may arrive out of order, so
	// publish Active() rather than the argument when order matters.
	OnActive func(Profile)
}

// Service manages the profiles in the store, the active profile and the admin PIN. It is safe for
// concurrent use.
type Service struct {
	st   *store.Store
	opts Options
	hash hashParams

	// mu serialises changes, PIN checks (the limiter must not be raced) and switches.
	mu      sync.Mutex
	limiter limiter

	activeMu sync.RWMutex
	active   Profile
}

// New opens the profile service: it creates the default profiles on first run (EnsureDefaults), restores
// the wrong-PIN history and the active profile. A profile that was active before a restart stays active;
// without one (first run, or it was deleted) the active profile is the first admin while no admin has a
// PIN, else the lowest-role profile — failing closed.
func New(ctx context.Context, st *store.Store, opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Service{st: st, opts: opts, hash: defaultHashParams}
	if err := s.EnsureDefaults(ctx); err != nil {
		return nil, err
	}
	if raw, ok, err := s.getKey(ctx, limiterKey); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	} else if ok {
		if err := json.Unmarshal([]byte(raw), &s.limiter); err != nil {
			// A damaged history locks PIN entry rather than forgetting the failures.
			s.limiter = limiter{LockedUntil: s.now().Add(lockoutFor)}
		}
	}
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return nil, err
	}
	var active *store.Profile
	if raw, ok, err := s.getKey(ctx, activeKey); err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	} else if id, perr := strconv.ParseUint(raw, 10, 64); ok && perr == nil {
		if i := slices.IndexFunc(rows, func(r store.Profile) bool { return uint64(r.ID) == id }); i >= 0 {
			active = &rows[i]
		}
	}
	if active == nil {
		active = fallbackActive(rows)
	}
	p, err := fromModel(*active)
	if err != nil {
		return nil, err
	}
	s.active = p
	return s, nil
}

func (s *Service) now() time.Time { return s.opts.Now() }

func (s *Service) db(ctx context.Context) *gorm.DB { return s.st.DB().WithContext(ctx) }

// fallbackActive picks who is active when nobody is known to be: the first admin while no admin has a PIN
// (first run: the admin sets things up), else the lowest role, oldest first. rows is not empty.
func fallbackActive(rows []store.Profile) *store.Profile {
	if !anyAdminPIN(rows) {
		for i := range rows {
			if Role(rows[i].Role) == RoleAdmin {
				return &rows[i]
			}
		}
	}
	low := 0
	for i := range rows {
		if Role(rows[i].Role).Rank() < Role(rows[low].Role).Rank() {
			low = i
		}
	}
	return &rows[low]
}

// childNeedsPIN refuses a child profile while no admin has a PIN: switching up is free until one is set, so
// the child's limits would be one click away from gone.
func childNeedsPIN(rows []store.Profile, p Profile) error {
	if p.Role == RoleChild && !anyAdminPIN(rows) {
		return invalid("role", "set an admin PIN first: without one, a child could switch to an admin profile with one click")
	}
	return nil
}

func anyAdminPIN(rows []store.Profile) bool {
	for _, r := range rows {
		if Role(r.Role) == RoleAdmin && r.PinHash != "" {
			return true
		}
	}
	return false
}

// all returns every stored profile, oldest first.
func (s *Service) all(ctx context.Context, tx *gorm.DB) ([]store.Profile, error) {
	var rows []store.Profile
	if err := tx.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("profiles: %w", err)
	}
	return rows, nil
}

// byName finds name among rows, ignoring case.
func byName(rows []store.Profile, name string) (*store.Profile, bool) {
	name = strings.TrimSpace(name)
	for i := range rows {
		if strings.EqualFold(rows[i].Name, name) {
			return &rows[i], true
		}
	}
	return nil, false
}

// notFoundError is a "no such …" error that also matches ErrNotFound.
type notFoundError string

func (e notFoundError) Error() string        { return string(e) }
func (e notFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(name string) error { return fmt.Errorf("profile %q: %w", name, ErrNotFound) }

// EnsureDefaults creates the first-run profiles when there are none: an admin "Admin" without a PIN (the
// first-run flow sets one; see NeedsPIN) and a "Guest". It does nothing when any profile exists.
func (s *Service) EnsureDefaults(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&store.Profile{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, p := range []Profile{
			{Name: DefaultAdminName, Role: RoleAdmin, Color: "#4c6ef5", Avatar: "🛠️"},
			{Name: DefaultGuestName, Role: RoleGuest, Color: "#868e96", Avatar: "👋"},
		} {
			var m store.Profile
			if err := toModel(p, &m); err != nil {
				return err
			}
			if err := tx.Create(&m).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("profiles: create defaults: %w", err)
	}
	return nil
}

// List returns every profile, oldest first.
func (s *Service) List(ctx context.Context) ([]Profile, error) {
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]Profile, 0, len(rows))
	for _, r := range rows {
		p, err := fromModel(r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Get returns the profile called name, ignoring case.
func (s *Service) Get(ctx context.Context, name string) (Profile, error) {
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return Profile{}, err
	}
	r, ok := byName(rows, name)
	if !ok {
		return Profile{}, notFound(name)
	}
	return fromModel(*r)
}

// Active returns the active profile.
func (s *Service) Active() Profile {
	s.activeMu.RLock()
	defer s.activeMu.RUnlock()
	return s.active
}

// setActive records p as active and tells OnActive (after the caller released mu: see notify).
func (s *Service) setActive(p Profile) {
	s.activeMu.Lock()
	s.active = p
	s.activeMu.Unlock()
}

func (s *Service) notify(p Profile) {
	if s.opts.OnActive != nil {
		s.opts.OnActive(p)
	}
}

// authorizeAdmin checks, inside tx, that actor (as stored now, not as the caller remembers it) may change
// profiles.
func (s *Service) authorizeAdmin(rows []store.Profile, actor Profile, kind ActionKind, text string) error {
	i := slices.IndexFunc(rows, func(r store.Profile) bool { return actor.ID != 0 && r.ID == actor.ID })
	if i < 0 {
		if r, ok := byName(rows, actor.Name); ok && actor.ID == 0 {
			i = slices.IndexFunc(rows, func(x store.Profile) bool { return x.ID == r.ID })
		}
	}
	current := Profile{Name: actor.Name, Role: Role("unknown")} // a vanished actor has no permissions
	if i >= 0 {
		var err error
		if current, err = fromModel(rows[i]); err != nil {
			return err
		}
	}
	allowed, reason, err := decide(current, ActionProfiles)
	s.audit(current, kind, text, allowed, reason)
	return err
}

// Create adds a profile. actor must be an admin. HasPIN is ignored: admins set PINs with SetPIN.
func (s *Service) Create(ctx context.Context, p Profile, actor Profile) (Profile, error) {
	p = normalize(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Profile
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := s.all(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.authorizeAdmin(rows, actor, KindProfiles, "create "+p.Name); err != nil {
			return err
		}
		if err := validate(p); err != nil {
			return err
		}
		if _, taken := byName(rows, p.Name); taken {
			return invalid("name", "%q is already taken", p.Name)
		}
		if err := childNeedsPIN(rows, p); err != nil {
			return err
		}
		var m store.Profile
		if err := toModel(p, &m); err != nil {
			return invalid("overrides", "%v", err)
		}
		if err := tx.Create(&m).Error; err != nil {
			return fmt.Errorf("profiles: create %q: %w", p.Name, err)
		}
		out, err = fromModel(m)
		return err
	})
	return out, err
}

// Update saves p over the profile with p.ID (renaming allowed). actor must be an admin. The last admin
// can't be made a non-admin; an admin made a non-admin loses its PIN. HasPIN is ignored.
func (s *Service) Update(ctx context.Context, p Profile, actor Profile) (Profile, error) {
	p = normalize(p)
	s.mu.Lock()
	var out Profile
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := s.all(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.authorizeAdmin(rows, actor, KindProfiles, "update "+p.Name); err != nil {
			return err
		}
		i := slices.IndexFunc(rows, func(r store.Profile) bool { return r.ID == p.ID })
		if p.ID == 0 || i < 0 {
			return notFound(p.Name)
		}
		if err := validate(p); err != nil {
			return err
		}
		if other, taken := byName(rows, p.Name); taken && other.ID != p.ID {
			return invalid("name", "%q is already taken", p.Name)
		}
		if err := childNeedsPIN(rows, p); err != nil {
			return err
		}
		m := rows[i]
		if Role(m.Role) == RoleAdmin && p.Role != RoleAdmin {
			if admins(rows) <= 1 {
				return ErrLastAdmin
			}
			m.PinHash = "" // the PIN of a non-admin gates nothing
		}
		if err := toModel(p, &m); err != nil {
			return invalid("overrides", "%v", err)
		}
		if err := tx.Save(&m).Error; err != nil {
			return fmt.Errorf("profiles: update %q: %w", p.Name, err)
		}
		out, err = fromModel(m)
		return err
	})
	changedActive := err == nil && s.Active().ID == out.ID
	if changedActive {
		s.setActive(out)
	}
	s.mu.Unlock()
	if changedActive {
		s.notify(out)
	}
	return out, err
}

func admins(rows []store.Profile) int {
	n := 0
	for _, r := range rows {
		if Role(r.Role) == RoleAdmin {
			n++
		}
	}
	return n
}

// Delete removes the profile called name. actor must be an admin; the last admin can't be deleted.
// Deleting the active profile makes the lowest-role profile active. The profile's history rows keep their
// text with no profile (the store sets their profile to NULL).
func (s *Service) Delete(ctx context.Context, name string, actor Profile) error {
	s.mu.Lock()
	var next *Profile
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := s.all(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.authorizeAdmin(rows, actor, KindProfiles, "delete "+name); err != nil {
			return err
		}
		m, ok := byName(rows, name)
		if !ok {
			return notFound(name)
		}
		if Role(m.Role) == RoleAdmin && admins(rows) <= 1 {
			return ErrLastAdmin
		}
		id := m.ID
		if err := tx.Delete(&store.Profile{}, id).Error; err != nil {
			return fmt.Errorf("profiles: delete %q: %w", name, err)
		}
		if s.Active().ID != id {
			return nil
		}
		rest := slices.DeleteFunc(rows, func(r store.Profile) bool { return r.ID == id })
		low := rest[0]
		for _, r := range rest {
			if Role(r.Role).Rank() < Role(low.Role).Rank() {
				low = r
			}
		}
		p, err := fromModel(low)
		if err != nil {
			return err
		}
		if err := putKey(tx, activeKey, strconv.FormatUint(uint64(p.ID), 10)); err != nil {
			return err
		}
		next = &p
		return nil
	})
	if err != nil {
		next = nil
	}
	if next != nil {
		s.setActive(*next)
	}
	s.mu.Unlock()
	if next != nil {
		s.notify(*next)
	}
	return err
}

// NeedsPIN reports that no admin has a PIN yet. Until one is set, switching to a higher role needs no PIN
// (there is nothing to check it against), so the first-run flow — or the first admin action — must ask
// the admin to set one with SetPIN.
func (s *Service) NeedsPIN(ctx context.Context) (bool, error) {
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return false, err
	}
	return !anyAdminPIN(rows), nil
}

// Switch makes the profile called name active. Switching to an equal or lower role needs nothing.
// Switching to a higher role needs the admin PIN — the PIN of any admin — unless no admin has a PIN yet
// (see NeedsPIN). No PIN gives ErrPINRequired; a wrong one a *PINError: after 3 wrong PINs the next
// attempts wait 30 s, 60 s, 90 s, …, and 10 within 15 minutes lock PIN entry for 15 minutes; while waiting
// or locked the PIN is not checked at all. A right PIN clears the history.
func (s *Service) Switch(ctx context.Context, name, pin string) (Profile, error) {
	s.mu.Lock()
	p, changed, err := s.switchLocked(ctx, name, pin)
	s.mu.Unlock()
	if changed {
		s.notify(p)
	}
	return p, err
}

func (s *Service) switchLocked(ctx context.Context, name, pin string) (Profile, bool, error) {
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return Profile{}, false, err
	}
	from := s.Active()
	m, ok := byName(rows, name)
	if !ok {
		return Profile{}, false, notFound(name)
	}
	to, err := fromModel(*m)
	if err != nil {
		return Profile{}, false, err
	}
	if to.ID == from.ID {
		return to, false, nil
	}
	target := "to " + to.Name
	reason := "equal or lower role"
	if to.Role.Rank() > from.Role.Rank() {
		switch {
		case !anyAdminPIN(rows):
			reason = "no admin PIN set yet"
		case pin == "":
			s.audit(from, KindSwitch, target, false, "PIN required")
			return Profile{}, false, ErrPINRequired
		default:
			if err := s.checkPIN(ctx, rows, pin, func(r store.Profile) bool { return Role(r.Role) == RoleAdmin }); err != nil {
				s.audit(from, KindSwitch, target, false, err.Error())
				return Profile{}, false, err
			}
			reason = "admin PIN"
		}
	}
	if err := putKey(s.db(ctx), activeKey, strconv.FormatUint(uint64(to.ID), 10)); err != nil {
		return Profile{}, false, err
	}
	s.setActive(to)
	s.audit(from, KindSwitch, target, true, reason)
	return to, true, nil
}

// checkPIN verifies pin against the PIN hashes of the rows that match, under the limiter. Called with mu
// held.
func (s *Service) checkPIN(ctx context.Context, rows []store.Profile, pin string, which func(store.Profile) bool) error {
	now := s.now()
	if err := s.limiter.check(now); err != nil {
		return err
	}
	ok := false
	if validPIN(pin) { // anything else is simply wrong, without hashing
		for _, r := range rows {
			// Every candidate is hashed, so the time taken says nothing about which admin matched.
			if which(r) && r.PinHash != "" && verifyPIN(pin, r.PinHash) {
				ok = true
			}
		}
	}
	var result error
	if ok {
		s.limiter.succeed()
	} else {
		result = s.limiter.fail(now)
	}
	b, err := json.Marshal(s.limiter)
	if err == nil {
		err = putKey(s.db(ctx), limiterKey, string(b))
	}
	if err != nil {
		return errors.Join(result, fmt.Errorf("profiles: save PIN attempts: %w", err))
	}
	return result
}

// SetPIN sets the admin PIN of the admin profile called name to newPIN (4–8 digits), stored as a salted
// argon2id hash. actor must be an admin. When the profile already has a PIN, old must be it (checked under
// the same rate limit and lockout as Switch).
func (s *Service) SetPIN(ctx context.Context, name, old, newPIN string, actor Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return err
	}
	if err := s.authorizeAdmin(rows, actor, KindSetPIN, "for "+name); err != nil {
		return err
	}
	m, ok := byName(rows, name)
	if !ok {
		return notFound(name)
	}
	if Role(m.Role) != RoleAdmin {
		return invalid("pin", "only admin profiles have a PIN")
	}
	if !validPIN(newPIN) {
		return &ValidationError{Field: "pin", Message: ErrBadPIN.Error()}
	}
	if m.PinHash != "" {
		id := m.ID
		if err := s.checkPIN(ctx, rows, old, func(r store.Profile) bool { return r.ID == id }); err != nil {
			return err
		}
	}
	h, err := hashPIN(newPIN, s.hash)
	if err != nil {
		return err
	}
	if err := s.db(ctx).Model(&store.Profile{}).Where("id = ?", m.ID).Update("pin_hash", h).Error; err != nil {
		return fmt.Errorf("profiles: set PIN: %w", err)
	}
	if s.Active().ID == m.ID {
		p := s.Active()
		p.HasPIN = true
		s.setActive(p)
	}
	return nil
}

// QuickAction returns the command of actor's quick action called name (any case), once Authorize allowed
// actor to send it: quick actions obey the same permissions as spoken commands.
func (s *Service) QuickAction(actor Profile, name string) (string, error) {
	i := slices.IndexFunc(actor.QuickActions, func(a QuickAction) bool { return strings.EqualFold(a.Name, strings.TrimSpace(name)) })
	if i < 0 {
		return "", fmt.Errorf("quick action %q of %s: %w", name, actor.Name, ErrNoQuickAction)
	}
	cmd := actor.QuickActions[i].Command
	if err := s.Authorize(actor, ActionCommand(cmd)); err != nil {
		return "", err
	}
	return cmd, nil
}

// Stats returns each profile's usage from the conversations table, by profile name: requests sent,
// of them delivered or accepted, and their average latency. Profiles without conversations get zeros.
func (s *Service) Stats(ctx context.Context) (map[string]Stats, error) {
	rows, err := s.all(ctx, s.db(ctx))
	if err != nil {
		return nil, err
	}
	var agg []struct {
		ProfileID uint
		Commands  int
		Successes int
		AvgMs     *float64
	}
	err = s.db(ctx).Model(&store.Conversation{}).
		Select(`profile_id,
			COUNT(*) AS commands,
			SUM(CASE WHEN status IN ('delivered', 'accepted') THEN 1 ELSE 0 END) AS successes,
			AVG(CASE WHEN status IN ('delivered', 'accepted') AND latency_ms > 0 THEN latency_ms END) AS avg_ms`).
		Where("profile_id IS NOT NULL").Group("profile_id").Scan(&agg).Error
	if err != nil {
		return nil, fmt.Errorf("profile stats: %w", err)
	}
	out := make(map[string]Stats, len(rows))
	for _, r := range rows {
		out[r.Name] = Stats{}
	}
	for _, a := range agg {
		i := slices.IndexFunc(rows, func(r store.Profile) bool { return r.ID == a.ProfileID })
		if i < 0 {
			continue
		}
		st := Stats{Commands: a.Commands, Successes: a.Successes}
		if a.AvgMs != nil {
			st.AvgLatencyMs = *a.AvgMs
		}
		out[rows[i].Name] = st
	}
	return out, nil
}

func (s *Service) getKey(ctx context.Context, key string) (string, bool, error) {
	var row store.Setting
	err := s.db(ctx).Where("key = ?", key).Limit(1).Find(&row).Error
	if err != nil {
		return "", false, err
	}
	return row.Value, row.Key == key, nil
}

func putKey(tx *gorm.DB, key, value string) error {
	row := store.Setting{Key: key, Value: value}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"})}).
		Create(&row).Error
	if err != nil {
		return fmt.Errorf("profiles: save %s: %w", key, err)
	}
	return nil
}
