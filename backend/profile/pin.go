package profile

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// PIN errors. A *PINError wraps them with the time to wait.
var (
	// ErrPINRequired: switching up needs the admin PIN and none was given; the UI shows the PIN pad. It
	// does not count as a failure.
	ErrPINRequired = errors.New("the admin PIN is needed to switch to this profile")
	// ErrWrongPIN: the PIN matches no admin.
	ErrWrongPIN = errors.New("wrong PIN")
	// ErrTooManyAttempts: after 3 wrong PINs each further attempt waits 30 s, 60 s, 90 s, … — the PIN is not
	// even checked until then.
	ErrTooManyAttempts = errors.New("too many wrong PINs")
	// ErrLockedOut: 10 wrong PINs within 15 minutes lock PIN entry for 15 minutes.
	ErrLockedOut = errors.New("PIN entry is locked")
	// ErrBadPIN: a new PIN that is not 4–8 digits.
	ErrBadPIN = errors.New("a PIN is 4 to 8 digits")
)

// The brute-force rules. With them 10 guesses take at least 14 minutes, so an attacker who keeps trying is
// locked out; one who goes slower gets about 10 guesses per quarter hour: days for a 4-digit PIN.
const (
	freeFailures    = 3                // wrong PINs before the delays start
	delayStep       = 30 * time.Second // delay after failure n (n ≥ 3) is (n-2) × delayStep
	lockoutFailures = 10               // wrong PINs within lockoutWindow that lock PIN entry
	lockoutWindow   = 15 * time.Minute
	lockoutFor      = 15 * time.Minute
)

// PINError is a refused PIN attempt: Err is ErrWrongPIN, ErrTooManyAttempts or ErrLockedOut; Wait is how
// long until the next attempt is checked (0: at once). A wrong PIN that triggers the delay or the lockout
// also matches ErrTooManyAttempts or ErrLockedOut.
type PINError struct {
	Err   error
	Wrong bool // this attempt's PIN was checked and is wrong
	Wait  time.Duration
}

func (e *PINError) Error() string {
	wait := roundUp(e.Wait)
	switch {
	case e.Err == ErrLockedOut && e.Wrong:
		return fmt.Sprintf("Wrong PIN. Too many wrong PINs: PIN entry is locked for %s", wait)
	case e.Err == ErrLockedOut:
		return fmt.Sprintf("Too many wrong PINs: PIN entry is locked — try again in %s", wait)
	case e.Wrong && e.Wait > 0:
		return fmt.Sprintf("Wrong PIN. Wait %s before the next try", wait)
	case e.Wrong:
		return "Wrong PIN"
	}
	return fmt.Sprintf("Too many wrong PINs — try again in %s", wait)
}

// Is matches Err, and ErrWrongPIN when the attempt's PIN was wrong.
func (e *PINError) Is(target error) bool {
	return target == e.Err || e.Wrong && target == ErrWrongPIN
}

// roundUp shows a wait in whole seconds, or whole minutes above two minutes.
func roundUp(d time.Duration) string {
	if d > 2*time.Minute {
		return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
	}
	return fmt.Sprintf("%d s", int((d+time.Second-1)/time.Second))
}

// limiter holds the wrong-PIN history. It is persisted (see Service) so restarting the app does not reset
// it. The zero value allows attempts.
type limiter struct {
	Failures    []time.Time `json:"failures"`
	Next        time.Time   `json:"next"`
	LockedUntil time.Time   `json:"lockedUntil"`
}

// check refuses an attempt during a delay or a lockout.
func (l *limiter) check(now time.Time) error {
	if now.Before(l.LockedUntil) {
		return &PINError{Err: ErrLockedOut, Wait: l.LockedUntil.Sub(now)}
	}
	if now.Before(l.Next) {
		return &PINError{Err: ErrTooManyAttempts, Wait: l.Next.Sub(now)}
	}
	return nil
}

// fail records a wrong PIN and returns the error for it.
func (l *limiter) fail(now time.Time) error {
	kept := l.Failures[:0]
	for _, t := range l.Failures {
		if now.Sub(t) < lockoutWindow {
			kept = append(kept, t)
		}
	}
	l.Failures = append(kept, now)
	n := len(l.Failures)
	switch {
	case n >= lockoutFailures:
		l.Failures, l.Next, l.LockedUntil = nil, time.Time{}, now.Add(lockoutFor)
		return &PINError{Err: ErrLockedOut, Wrong: true, Wait: lockoutFor}
	case n >= freeFailures:
		wait := time.Duration(n-freeFailures+1) * delayStep
		l.Next = now.Add(wait)
		return &PINError{Err: ErrTooManyAttempts, Wrong: true, Wait: wait}
	}
	return &PINError{Err: ErrWrongPIN, Wrong: true}
}

// succeed clears the history after a right PIN.
func (l *limiter) succeed() { *l = limiter{} }

// hashParams are argon2id's costs. defaultHashParams (64 MiB, 3 passes, 2 lanes) take 67–92 ms per verify on
// the 2-core build machine (BenchmarkPINVerify; ~185 ms under full load): slow for a guesser with the file,
// unnoticeable on a PIN pad.
type hashParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

var defaultHashParams = hashParams{Time: 3, Memory: 64 * 1024, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
)

// validPIN reports whether pin is 4–8 ASCII digits.
func validPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return false
		}
	}
	return true
}

// hashPIN returns the PHC-style encoding "$argon2id$v=19$m=…,t=…,p=…$salt$hash" of pin with a fresh salt.
func hashPIN(pin string, hp hashParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, hp.Time, hp.Memory, hp.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, hp.Memory, hp.Time, hp.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// verifyPIN reports whether pin matches encoded, comparing in constant time. Anything it cannot parse, or
// with costs out of bounds (a tampered row must not make us allocate gigabytes), never matches.
func verifyPIN(pin, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var hp hashParams
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &hp.Memory, &hp.Time, &hp.Threads); n != 3 || err != nil {
		return false
	}
	if hp.Memory < 8*1024 || hp.Memory > 1024*1024 || hp.Time < 1 || hp.Time > 20 || hp.Threads < 1 || hp.Threads > 16 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, hp.Time, hp.Memory, hp.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
