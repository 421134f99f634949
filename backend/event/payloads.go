package event

// The typed payloads of every event TonnyTray publishes. frontend/src/api/events.ts mirrors this file: change
// both together.

// Event names.
const (
	SettingsChanged Name = "settings:changed"
	SecretChanged   Name = "secret:changed"
	LogAppended     Name = "log:appended"
	Notice          Name = "app:notice"
	ServiceState    Name = "service:state"
	ServerState     Name = "server:state"
	TranscriptLive  Name = "transcript:update"
	TranscriptFinal Name = "transcript:final"
	Listening       Name = "listening:state"
	AudioLevel      Name = "audio:level"
	CommandState    Name = "command:state"
	OutboxState     Name = "outbox:state"
	Dictation       Name = "dictation:done"
	SpeechState     Name = "speech:state"
	AppState        Name = "app:state"
	BusState        Name = "bus:state"
	ProfilesChanged Name = "profiles:changed"
	PINNeeded       Name = "profile:pin_needed"
)

// SettingsChangedPayload says which settings fields changed and which parts need a restart to apply them.
type SettingsChangedPayload struct {
	Changed       []string `json:"changed"`
	RestartNeeded []string `json:"restartNeeded"`
}

// EventName implements Payload.
func (SettingsChangedPayload) EventName() Name { return SettingsChanged }

// SecretChangedPayload says a secret was stored or deleted. It never carries the value.
type SecretChangedPayload struct {
	Key        string `json:"key"`
	Configured bool   `json:"configured"`
}

// EventName implements Payload.
func (SecretChangedPayload) EventName() Name { return SecretChanged }

// LogAppendedPayload is one log record as the logs viewer shows it (already redacted).
type LogAppendedPayload struct {
	ID        uint64            `json:"id"`
	Time      string            `json:"time"` // RFC 3339 with nanoseconds, UTC
	Level     string            `json:"level"`
	Component string            `json:"component"`
	Message   string            `json:"message"`
	Attrs     map[string]string `json:"attrs,omitempty"`
}

// EventName implements Payload.
func (LogAppendedPayload) EventName() Name { return LogAppended }

// NoticePayload is something the user must see: shown in the UI and, where available, as a desktop
// notification. Level is "info", "warning" or "error".
type NoticePayload struct {
	Level   string `json:"level"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// EventName implements Payload.
func (NoticePayload) EventName() Name { return Notice }

// ServiceStatePayload is the health of one service on the Dashboard (store, keychain, whisper-server, …).
// State is "ok", "degraded", "down", "stopped" or "unavailable" (not built yet / not configured).
type ServiceStatePayload struct {
	Service string `json:"service"`
	State   string `json:"state"`
	Detail  string `json:"detail"`
}

// EventName implements Payload.
func (ServiceStatePayload) EventName() Name { return ServiceState }

// ServerStatePayload is the supervised speech server's state (WhisperLiveKit) for its Dashboard card.
// State is "stopped", "starting", "running", "backoff", "stopping" or "failed". Times are RFC 3339 UTC or "".
type ServerStatePayload struct {
	State     string   `json:"state"`
	PID       int      `json:"pid"`
	Since     string   `json:"since"`     // when this state began; "starting" since then means loading the model
	StartedAt string   `json:"startedAt"` // when the current process started (uptime)
	Restarts  int      `json:"restarts"`  // restarts in the current window
	LastError string   `json:"lastError"`
	NextTry   string   `json:"nextTry"`  // backoff: when the next start happens
	Reason    string   `json:"reason"`   // failed: why, with the server's last output
	External  bool     `json:"external"` // adopted: someone else started it; TonnyTray never stops it
	Managed   bool     `json:"managed"`
	Address   string   `json:"address"`
	Model     string   `json:"model"`
	Version   string   `json:"version"`
	Warnings  []string `json:"warnings"`
	LastLines []string `json:"lastLines"`
}

// EventName implements Payload.
func (ServerStatePayload) EventName() Name { return ServerState }

// TranscriptUpdatePayload is the live transcript of the utterance in progress: Committed is settled text,
// Volatile the part that may still change. LagMs is the server's transcription lag; LagGrowing says it cannot
// keep up with real time.
type TranscriptUpdatePayload struct {
	Committed  string `json:"committed"`
	Volatile   string `json:"volatile"`
	LagMs      int64  `json:"lagMs"`
	LagGrowing bool   `json:"lagGrowing"`
}

// EventName implements Payload.
func (TranscriptUpdatePayload) EventName() Name { return TranscriptLive }

// UtteranceTimings are milliseconds from the key press (or start of speech) to each step; -1 = not reached.
type UtteranceTimings struct {
	FirstSampleMs  int64 `json:"firstSampleMs"`
	SocketReadyMs  int64 `json:"socketReadyMs"`
	FirstPartialMs int64 `json:"firstPartialMs"`
	SpeechEndMs    int64 `json:"speechEndMs"`
	FinalMs        int64 `json:"finalMs"`
}

// TranscriptFinalPayload is a finished utterance. Error is set when the session failed; Text then holds what
// was heard before the failure.
type TranscriptFinalPayload struct {
	Text    string           `json:"text"`
	Mode    string           `json:"mode"`
	Error   string           `json:"error"`
	Timings UtteranceTimings `json:"timings"`
}

// EventName implements Payload.
func (TranscriptFinalPayload) EventName() Name { return TranscriptFinal }

// ListeningStatePayload says whether an utterance is being captured: State is "listening", "processing" (captured,
// its final text awaited) or "idle".
type ListeningStatePayload struct {
	State string `json:"state"`
	Mode  string `json:"mode"`
}

// EventName implements Payload.
func (ListeningStatePayload) EventName() Name { return Listening }

// AudioLevelPayload is the microphone's level, about 15 times a second while it is open, in dBFS (0 is full
// scale, -100 digital silence).
type AudioLevelPayload struct {
	RMS    float64 `json:"rms"`
	Peak   float64 `json:"peak"`
	Device string  `json:"device"`
}

// EventName implements Payload.
func (AudioLevelPayload) EventName() Name { return AudioLevel }

// CommandStatePayload is one command to Tonny (n8n) moving along: queued → sending → delivered (with a reply)
// or accepted (no reply), or retrying / blocked (waiting in the outbox), failed, discarded, refused (by the
// profile's policy). Message is the human sentence for the UI when something went wrong.
type CommandStatePayload struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Status    string `json:"status"`
	Reply     string `json:"reply"`
	Speak     bool   `json:"speak"`
	Message   string `json:"message"`
	Attempts  int    `json:"attempts"`
	LatencyMs int64  `json:"latencyMs"` // the delivering attempt's round trip
	At        string `json:"at"`        // RFC 3339 UTC
}

// EventName implements Payload.
func (CommandStatePayload) EventName() Name { return CommandState }

// OutboxStatePayload is the n8n outbox at a glance: what waits, since when, and why. Times are RFC 3339 UTC or "".
type OutboxStatePayload struct {
	Pending   int64  `json:"pending"`
	Failed    int64  `json:"failed"`
	OldestAt  string `json:"oldestAt"`
	Breaker   string `json:"breaker"` // closed | open | half-open
	RetryAt   string `json:"retryAt"`
	Blocked   string `json:"blocked"`   // why delivery is paused until the user acts; "" = not paused
	LastError string `json:"lastError"` // the last attempt's problem; "" after a delivery
}

// EventName implements Payload.
func (OutboxStatePayload) EventName() Name { return OutboxState }

// DictationPayload is dictated text on its way into the focused window. Status is "typed", "clipboard" (typing
// is off: the text was only copied) or "failed" (Message says why; OnClipboard says the text was kept there).
type DictationPayload struct {
	Text        string `json:"text"`
	Status      string `json:"status"`
	Method      string `json:"method"`
	OnClipboard bool   `json:"onClipboard"`
	Message     string `json:"message"`
}

// EventName implements Payload.
func (DictationPayload) EventName() Name { return Dictation }

// SpeechStatePayload says whether Tonny is speaking, and what: ID is the reply's sentence ("<reply>/<n>"),
// Text that sentence. Underruns counts the times the audio ran dry mid-sentence (silence was played).
type SpeechStatePayload struct {
	Speaking  bool   `json:"speaking"`
	ID        string `json:"id"`
	Text      string `json:"text"`
	Underruns int    `json:"underruns"`
}

// EventName implements Payload.
func (SpeechStatePayload) EventName() Name { return SpeechState }

// AppStatePayload is the app's state as the tray icon shows it: "paused", "error", "listening", "speaking",
// "processing" or "idle" (the first that holds, in that order). Detail says why for paused and error; Profile
// is the active profile ("" = none chosen) and Role its role (admin, user, guest, child).
type AppStatePayload struct {
	State   string `json:"state"`
	Detail  string `json:"detail"`
	Profile string `json:"profile"`
	Role    string `json:"role"`
}

// EventName implements Payload.
func (AppStatePayload) EventName() Name { return AppState }

// BusStatePayload is the RabbitMQ publisher: State is "disabled", "connecting", "connected" or "down" (Detail
// says why, in a sentence); Pending events wait in the store while the broker is away.
type BusStatePayload struct {
	State     string `json:"state"`
	Detail    string `json:"detail"`
	Pending   int64  `json:"pending"`
	Published uint64 `json:"published"`
	Returned  uint64 `json:"returned"`
}

// EventName implements Payload.
func (BusStatePayload) EventName() Name { return BusState }

// ProfilesChangedPayload says the family's profiles changed: Reason is "switched", "created", "updated",
// "deleted" or "pin"; Profile is the profile concerned and Active the active profile after the change.
type ProfilesChangedPayload struct {
	Reason  string `json:"reason"`
	Profile string `json:"profile"`
	Active  string `json:"active"`
}

// EventName implements Payload.
func (ProfilesChangedPayload) EventName() Name { return ProfilesChanged }

// PINNeededPayload asks the window to show the PIN pad for switching up to Profile (the tray cannot ask for a
// PIN itself).
type PINNeededPayload struct {
	Profile string `json:"profile"`
}

// EventName implements Payload.
func (PINNeededPayload) EventName() Name { return PINNeeded }
