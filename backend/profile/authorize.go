package profile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tonnytray/tonnytray/backend/pipeline"
)

// ErrForbidden is wrapped by every *Refusal.
var ErrForbidden = errors.New("not allowed")

// ActionKind names what a profile tries to do.
type ActionKind string

// The action kinds. Switch and SetPIN are audited under their own kinds.
const (
	KindSettings ActionKind = "settings" // change settings
	KindSecrets  ActionKind = "secrets"  // read or change API keys and passwords
	KindProfiles ActionKind = "profiles" // create, edit or delete profiles, set PINs
	KindDictate  ActionKind = "dictate"  // type into other windows
	KindCommand  ActionKind = "command"  // send a command to Tonny
	KindSwitch   ActionKind = "switch"   // become the active profile
	KindSetPIN   ActionKind = "set_pin"  // set an admin PIN
)

// Action is something a profile tries to do; Text is the command for KindCommand.
type Action struct {
	Kind ActionKind
	Text string
}

// The actions without text.
var (
	ActionSettings = Action{Kind: KindSettings}
	ActionSecrets  = Action{Kind: KindSecrets}
	ActionProfiles = Action{Kind: KindProfiles}
	ActionDictate  = Action{Kind: KindDictate}
)

// ActionCommand is sending text to Tonny (a spoken command, a typed one or a quick action).
func ActionCommand(text string) Action { return Action{Kind: KindCommand, Text: text} }

// Refusal is a permission refused; its message is a friendly sentence for the user, with no command text
// in it (it is logged).
type Refusal struct {
	Profile string
	Kind    ActionKind
	Message string
}

func (e *Refusal) Error() string { return e.Message }

// Is makes errors.Is(err, ErrForbidden) true.
func (e *Refusal) Is(target error) bool { return target == ErrForbidden }

// AuditEntry is one permission decision. Text is the command, or "" when the profile keeps no history.
type AuditEntry struct {
	At      time.Time
	Profile string
	Role    Role
	Action  ActionKind
	Text    string
	Allowed bool
	Reason  string
}

// decide is the permission table. It fails closed: an unknown role or action is refused. The reason says
// why, for the audit log.
func decide(p Profile, a Action) (allowed bool, reason string, err error) {
	refuse := func(reason, msg string) (bool, string, error) {
		return false, reason, &Refusal{Profile: p.Name, Kind: a.Kind, Message: msg}
	}
	if !p.Role.Valid() {
		return refuse(fmt.Sprintf("unknown role %q", p.Role),
			fmt.Sprintf("Sorry, %s, this profile has no permissions set up — ask an admin to fix it.", p.Name))
	}
	switch a.Kind {
	case KindSettings, KindSecrets, KindProfiles:
		if p.Role == RoleAdmin {
			return true, "admin", nil
		}
		what := map[ActionKind]string{KindSettings: "settings", KindSecrets: "keys and passwords", KindProfiles: "profiles"}[a.Kind]
		return refuse("not an admin", "Only an admin can change "+what+" — switch to an admin profile first")
	case KindDictate:
		if p.CanDictate() {
			return true, "role " + string(p.Role), nil
		}
		return refuse("dictation is off for a child",
			fmt.Sprintf("Sorry, %s, typing into other windows is switched off for you. Ask a grown-up.", p.Name))
	case KindCommand:
		ws := words(a.Text)
		if hit, ok := anyMatch(ws, phrases(p.Blocked)); ok {
			if p.Role == RoleChild {
				return refuse(fmt.Sprintf("blocked: %q", hit), childRefusal(p.Name))
			}
			return refuse(fmt.Sprintf("blocked: %q", hit),
				fmt.Sprintf("Sorry, %s, that command is blocked for your profile.", p.Name))
		}
		if p.Role != RoleChild {
			return true, "role " + string(p.Role), nil
		}
		if hit, ok := anyMatch(ws, phrases(p.Allowed)); ok {
			return true, fmt.Sprintf("allowed: %q", hit), nil
		}
		return refuse("not on the allow list", childRefusal(p.Name))
	}
	return refuse(fmt.Sprintf("unknown action %q", a.Kind), fmt.Sprintf("Sorry, %s, I can't do that.", p.Name))
}

func childRefusal(name string) string {
	return fmt.Sprintf("Sorry, %s, I can't do that one. Ask a grown-up.", name)
}

// Authorize decides whether actor may do a and audits the decision. A refusal is a *Refusal (ErrForbidden)
// whose message can be shown as is:
//   - settings, secrets, profiles: admin only;
//   - dictation: everyone but a child, unless its overrides say "dictation": true;
//   - a command: refused for any role when it contains an entry of the blocked list (checked first, always);
//     for a child allowed only when it contains an entry of the allow list (deny by default); allowed for
//     the other roles. Entries match as whole words or phrases, in any case ("lights" matches "Turn on the
//     lights", not "lightsaber").
//
// An unknown role or action is refused.
func (s *Service) Authorize(actor Profile, a Action) error {
	allowed, reason, err := decide(actor, a)
	s.audit(actor, a.Kind, a.Text, allowed, reason)
	return err
}

func (s *Service) audit(p Profile, kind ActionKind, text string, allowed bool, reason string) {
	if s.opts.Audit == nil {
		return
	}
	if p.NoHistory {
		text = ""
	}
	s.opts.Audit(AuditEntry{At: s.now(), Profile: p.Name, Role: p.Role, Action: kind, Text: text, Allowed: allowed, Reason: reason})
}

// Policy is the pipeline's permission point for the active profile: dictation and commands are authorized
// (and audited) as Authorize does; an empty utterance passes. A refused decision comes back with
// RouteNone, its text kept, and the *Refusal.
type Policy struct {
	s *Service
}

// Policy returns the pipeline.Policy of s's active profile.
func (s *Service) Policy() Policy { return Policy{s: s} }

var _ pipeline.Policy = Policy{}

// Check implements pipeline.Policy.
func (p Policy) Check(_ context.Context, d pipeline.Decision) (pipeline.Decision, error) {
	var a Action
	switch d.Route {
	case pipeline.RouteNone:
		return d, nil
	case pipeline.RouteDictation:
		a = ActionDictate
	case pipeline.RouteCommand:
		a = ActionCommand(d.Text)
	default:
		a = Action{Kind: ActionKind("route " + string(d.Route)), Text: d.Text}
	}
	if p.s == nil {
		return pipeline.Decision{Route: pipeline.RouteNone, Text: d.Text, Reason: "refused: no profiles"},
			&Refusal{Kind: a.Kind, Message: "Sorry, profiles are not ready yet."}
	}
	if err := p.s.Authorize(p.s.Active(), a); err != nil {
		return pipeline.Decision{Route: pipeline.RouteNone, Text: d.Text, Prefixed: d.Prefixed, Reason: "refused by profile"}, err
	}
	return d, nil
}
