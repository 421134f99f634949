package tts

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tonnytray/tonnytray/backend/elevensim"
)

const (
	apiKey = "sk_0123456789abcdef"
	rachel = "21m00Tcm4TlvDq8ikWAM"
)

func startSim(t testing.TB, c elevensim.Config) *elevensim.Sim {
	t.Helper()
	c.APIKey = apiKey
	s, err := elevensim.Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func newClient(t testing.TB, c Config) *Client {
	t.Helper()
	if c.APIKey == "" {
		c.APIKey = apiKey
	}
	cl, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func req(text string) Request {
	return Request{Text: text, VoiceID: rachel, ModelID: "eleven_flash_v2_5", LanguageCode: "en",
		Settings: VoiceSettings{Stability: 0.5, SimilarityBoost: 0.75, SpeakerBoost: true, Speed: 1}}
}

func TestStream(t *testing.T) {
	sim := startSim(t, elevensim.Config{ChunkBytes: 1000})
	c := newClient(t, Config{BaseURL: sim.URL()})
	for _, text := range []string{"Hello there.", "a", "Die Lichter im Wohnzimmer sind jetzt an — gute Nacht!"} {
		rc, err := c.Stream(context.Background(), req(text))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Close(); err != nil {
			t.Error(err)
		}
		if !bytes.Equal(got, elevensim.Speech(text, SampleRate)) {
			t.Errorf("%q: %d bytes differ from the simulator's speech", text, len(got))
		}
	}
	if sim.Requests() != 3 {
		t.Errorf("Requests %d", sim.Requests())
	}
}

// TestStreamEarly checks that Stream hands over the first chunk while the
// simulator is still pacing the rest.
func TestStreamEarly(t *testing.T) {
	sim := startSim(t, elevensim.Config{ChunkEvery: 20 * time.Millisecond})
	c := newClient(t, Config{BaseURL: sim.URL()})
	text := "This sentence takes a while to say." // 35 chars → 67200 bytes → 14 chunks → ≥ 260 ms
	begin := time.Now()
	rc, err := c.Stream(context.Background(), req(text))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 4800)
	n, err := rc.Read(buf)
	first := time.Since(begin)
	if err != nil || n == 0 {
		t.Fatalf("first read: %d, %v", n, err)
	}
	rest, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	all := time.Since(begin)
	if all < 250*time.Millisecond || first > all/3 {
		t.Errorf("first bytes after %v, all after %v", first, all)
	}
	if !bytes.Equal(append(buf[:n], rest...), elevensim.Speech(text, SampleRate)) {
		t.Error("audio differs")
	}
}

func TestErrorClasses(t *testing.T) {
	sim := startSim(t, elevensim.Config{CharacterLimit: 1000, CharacterCount: 990})
	c := newClient(t, Config{BaseURL: sim.URL()})
	wrongKey := newClient(t, Config{BaseURL: sim.URL(), APIKey: "sk_wrong"})
	tests := []struct {
		name   string
		fault  elevensim.Fault
		client *Client
		r      Request
		class  Class
		status int
		code   string
		retry  bool
		msg    string
	}{
		{"wrong key", 0, wrongKey, req("hi"), ClassInvalidKey, 401, "invalid_api_key", false,
			"ElevenLabs rejected the API key — enter it again in Settings → Secrets."},
		{"quota", 0, c, req("this is more than ten characters"), ClassQuota, 401, "quota_exceeded", false,
			"ElevenLabs quota used up: This request exceeds your quota of 1000. You have 10 credits remaining, while 32 credits are required for this request — replies are shown as text until it resets."},
		{"concurrency", elevensim.FaultConcurrency, c, req("hi"), ClassConcurrency, 429, "too_many_concurrent_requests", false, "queued"},
		{"busy", elevensim.FaultBusy, c, req("hi"), ClassBusy, 429, "system_busy", true, "ElevenLabs is busy right now — the reply will be retried."},
		{"server", elevensim.FaultServer, c, req("hi"), ClassBusy, 500, "internal_server_error", true, "server error (HTTP 500)"},
		{"voice fault", elevensim.FaultVoiceNotFound, c, req("hi"), ClassVoiceNotFound, 400, "voice_not_found", false, "pick another one"},
		{"unknown voice", 0, c, Request{Text: "hi", VoiceID: "nobody"}, ClassVoiceNotFound, 400, "voice_not_found", false, "pick another one"},
		{"validation", elevensim.FaultValidation, c, req("hi"), ClassInvalid, 422, "", false,
			"ElevenLabs refused the request: body.text: field required — check the voice settings."},
		{"too long", 0, c, Request{Text: strings.Repeat("a", 3001), VoiceID: rachel, ModelID: "eleven_v3"}, ClassTooLong, 400,
			"max_character_limit_exceeded", false, "too long"},
		{"language on v2", 0, c, Request{Text: "hi", VoiceID: rachel, ModelID: "eleven_multilingual_v2", LanguageCode: "de"}, ClassInvalid, 400,
			"unsupported_language", false, "does not support language_code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim.FaultOnce(tc.fault)
			rc, err := tc.client.Stream(context.Background(), tc.r)
			var e *Error
			if !errors.As(err, &e) {
				if rc != nil {
					rc.Close()
				}
				t.Fatalf("err %v", err)
			}
			if e.Class != tc.class || e.Status != tc.status || e.Code != tc.code || e.Retry() != tc.retry || !strings.Contains(e.Message(), tc.msg) {
				t.Errorf("got %s %d %q retry=%v %q", e.Class, e.Status, e.Code, e.Retry(), e.Message())
			}
			if strings.Contains(e.Error(), apiKey) || strings.Contains(e.Message(), apiKey) {
				t.Error("key in error")
			}
		})
	}
	// Listings map the same way.
	sim.FaultOnce(elevensim.FaultBusy)
	if _, err := c.Voices(context.Background()); !isClass(err, ClassBusy) {
		t.Errorf("Voices under busy: %v", err)
	}
	if _, err := wrongKey.Models(context.Background()); !isClass(err, ClassInvalidKey) {
		t.Errorf("Models with a wrong key: %v", err)
	}
}

func isClass(err error, c Class) bool {
	var e *Error
	return errors.As(err, &e) && e.Class == c
}

func TestTransportFailures(t *testing.T) {
	slow := startSim(t, elevensim.Config{TTFB: time.Second})
	c := newClient(t, Config{BaseURL: slow.URL(), FirstByteTimeout: 100 * time.Millisecond, Timeout: 100 * time.Millisecond})
	begin := time.Now()
	if _, err := c.Stream(context.Background(), req("hi")); !isClass(err, ClassTimeout) || time.Since(begin) > 800*time.Millisecond {
		t.Errorf("slow first byte: %v after %v", err, time.Since(begin))
	} else if e := err.(*Error); !e.Retry() {
		t.Error("timeout not retried")
	}

	gone := startSim(t, elevensim.Config{})
	url := gone.URL()
	gone.Close()
	c = newClient(t, Config{BaseURL: url})
	_, err := c.Stream(context.Background(), req("hi"))
	if !isClass(err, ClassNetwork) || !err.(*Error).Retry() {
		t.Errorf("refused: %v", err)
	}
	if _, err := c.Subscription(context.Background()); !isClass(err, ClassNetwork) {
		t.Errorf("refused subscription: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c = newClient(t, Config{BaseURL: slow.URL()})
	if _, err := c.Stream(ctx, req("hi")); !errors.Is(err, context.Canceled) || isClass(err, ClassTimeout) {
		t.Errorf("cancelled: %v", err)
	}
	for _, r := range []Request{{Text: "hi"}, {VoiceID: rachel, Text: "  "}} {
		if _, err := c.Stream(context.Background(), r); !isClass(err, ClassConfig) && !isClass(err, ClassInvalid) {
			t.Errorf("%+v: %v", r, err)
		}
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		c     Config
		class Class
	}{
		{Config{BaseURL: "http://api.elevenlabs.io", APIKey: apiKey}, ClassConfig},
		{Config{BaseURL: "ftp://localhost", APIKey: apiKey}, ClassConfig},
		{Config{BaseURL: "https://", APIKey: apiKey}, ClassConfig},
		{Config{BaseURL: "https://u:p@api.elevenlabs.io", APIKey: apiKey}, ClassConfig},
		{Config{BaseURL: "://x", APIKey: apiKey}, ClassConfig},
		{Config{}, ClassInvalidKey},
		{Config{APIKey: "sk_with\nnewline"}, ClassInvalidKey},
	} {
		_, err := New(tc.c)
		if !isClass(err, tc.class) || strings.Contains(err.Error(), apiKey) {
			t.Errorf("%+v: %v", tc.c.BaseURL, err)
		}
	}
	for _, base := range []string{"", "https://api.elevenlabs.io/", "http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"} {
		if _, err := New(Config{BaseURL: base, APIKey: apiKey}); err != nil {
			t.Errorf("%q: %v", base, err)
		}
	}
}

func TestListings(t *testing.T) {
	sim := startSim(t, elevensim.Config{CharacterLimit: 10000, CharacterCount: 2500})
	c := newClient(t, Config{BaseURL: sim.URL()})
	ctx := context.Background()
	voices, err := c.Voices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(voices) != 2 || voices[0].ID != rachel || voices[0].Name != "Rachel" || voices[0].Category != "premade" ||
		voices[0].Labels["accent"] != "american" || !strings.HasPrefix(voices[0].PreviewURL, "https://") {
		t.Errorf("voices %+v", voices)
	}
	models, err := c.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var flash, sts *Model
	for i := range models {
		switch models[i].ID {
		case "eleven_flash_v2_5":
			flash = &models[i]
		case "eleven_multilingual_sts_v2":
			sts = &models[i]
		}
	}
	if flash == nil || !flash.CanDoTTS || flash.Name == "" || len(flash.Languages) < 2 || flash.Languages[0] != "en" || sts == nil || sts.CanDoTTS {
		t.Errorf("models %+v", models)
	}
	sub, err := c.Subscription(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Tier != "creator" || sub.Status != "active" || sub.CharacterCount != 2500 || sub.CharacterLimit != 10000 ||
		sub.Remaining() != 7500 || !sub.NextReset.After(time.Now()) {
		t.Errorf("subscription %+v", sub)
	}
	// A synthesis uses quota.
	rc, err := c.Stream(ctx, req("0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, rc)
	rc.Close()
	if sub, err = c.Subscription(ctx); err != nil || sub.Remaining() != 7490 {
		t.Errorf("after 10 characters: %+v %v", sub, err)
	}
	if (Subscription{CharacterCount: 11, CharacterLimit: 10}).Remaining() != 0 {
		t.Error("overdrawn Remaining is not 0")
	}
	if sim.Requests() != 1 {
		t.Errorf("Requests %d", sim.Requests())
	}
}

// TestStall checks that a stall mid-stream blocks Read instead of failing
// it, and that the caller's cancellation ends the wait.
func TestStall(t *testing.T) {
	sim := startSim(t, elevensim.Config{})
	c := newClient(t, Config{BaseURL: sim.URL(), FirstByteTimeout: 100 * time.Millisecond, Timeout: 100 * time.Millisecond})
	text := "A stalled network must not end the reply."
	want := elevensim.Speech(text, SampleRate)

	sim.StallAfter(9600, 400*time.Millisecond) // longer than every timeout of the client
	rc, err := c.Stream(context.Background(), req(text))
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, want) || time.Since(begin) < 350*time.Millisecond {
		t.Errorf("stalled stream: %d/%d bytes, %v, after %v", len(got), len(want), err, time.Since(begin))
	}

	sim.StallAfter(9600, 5*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, err = c.Stream(ctx, req(text))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadFull(rc, make([]byte, 9600)); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, cancel)
	begin = time.Now()
	n, err := rc.Read(make([]byte, 100))
	if n != 0 || !errors.Is(err, context.Canceled) || isClass(err, ClassNetwork) || time.Since(begin) < 150*time.Millisecond {
		t.Errorf("cancelled stall: %d, %v after %v", n, err, time.Since(begin))
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		status int
		body   string
		class  Class
		code   string
		server string
	}{
		{401, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`, ClassInvalidKey, "invalid_api_key", "Invalid API key"},
		{401, `{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000. You have 0 credits remaining, while 91 credits are required for this request."}}`,
			ClassQuota, "quota_exceeded", "This request exceeds your quota of 10000. You have 0 credits remaining, while 91 credits are required for this request."},
		{401, `{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota.","character_used":10050,"character_limit":10000}}`, ClassQuota, "quota_exceeded", "This request exceeds your quota."},
		{400, `{"detail":{"status":"max_character_limit_exceeded","message":"Too long"}}`, ClassTooLong, "max_character_limit_exceeded", "Too long"},
		{401, `{"detail":{"status":"max_character_limit_exceeded","message":"Too long"}}`, ClassTooLong, "max_character_limit_exceeded", "Too long"},
		{400, `{"detail":{"status":"voice_not_found","message":"A voice with the voice_id x was not found."}}`, ClassVoiceNotFound, "voice_not_found", "A voice with the voice_id x was not found."},
		{404, `{"detail":{"status":"voice_not_found","message":"gone"}}`, ClassVoiceNotFound, "voice_not_found", "gone"},
		{403, `{"detail":{"status":"only_for_creator+","message":"This voice is only available to Creator tier and above."}}`, ClassForbidden, "only_for_creator+", "This voice is only available to Creator tier and above."},
		{429, `{"detail":{"status":"too_many_concurrent_requests","message":"Too many concurrent requests."}}`, ClassConcurrency, "too_many_concurrent_requests", "Too many concurrent requests."},
		{429, `{"detail":{"status":"system_busy","message":"busy"}}`, ClassBusy, "system_busy", "busy"},
		{429, ``, ClassBusy, "", ""},
		{503, `<html><body>Service Unavailable</body></html>`, ClassBusy, "", ""},
		{502, "Bad Gateway\r\n", ClassBusy, "", "Bad Gateway"},
		{422, `{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"},{"loc":["query","output_format",0],"msg":"bad\nformat","type":"x"}]}`,
			ClassInvalid, "", "body.text: field required; query.output_format.0: bad format"},
		{422, `{"detail":[{"msg":"no loc"}]}`, ClassInvalid, "", "no loc"},
		{400, `{"detail":{"status":"invalid_uid","message":"bad id"}}`, ClassInvalid, "invalid_uid", "bad id"},
		{401, `{"detail":{"status":"needs_authorization","message":"Neither authorization header nor xi-api-key received."}}`, ClassInvalidKey, "needs_authorization", "Neither authorization header nor xi-api-key received."},
		{401, `{"detail":{"status":"detected_unusual_activity","message":"Unusual activity"}}`, ClassInvalidKey, "detected_unusual_activity", "Unusual activity"},
		{403, `{}`, ClassForbidden, "", ""},
		{404, `{"detail":"Not Found"}`, ClassConfig, "", "Not Found"},
		{301, ``, ClassConfig, "", ""},
		{418, `{"detail":42}`, ClassInvalid, "", ""},
	}
	for _, tc := range tests {
		e := ParseError(tc.status, []byte(tc.body))
		if e.Class != tc.class || e.Code != tc.code || e.Server != tc.server || e.Status != tc.status {
			t.Errorf("%d %s: got %s %q %q", tc.status, tc.body, e.Class, e.Code, e.Server)
		}
		if e.Message() == "" || e.Error() == "" {
			t.Errorf("%d %s: empty text", tc.status, tc.body)
		}
	}
	long := ParseError(500, []byte(`{"detail":{"status":"x","message":"`+strings.Repeat("é", 1000)+`"}}`))
	if n := len([]rune(long.Server)); n != maxServerMessage {
		t.Errorf("long message kept %d runes", n)
	}
}

// TestMessages checks that every class has its own sentence.
func TestMessages(t *testing.T) {
	seen := map[string]Class{}
	for _, c := range []Class{ClassInvalidKey, ClassQuota, ClassConcurrency, ClassBusy, ClassVoiceNotFound, ClassTooLong,
		ClassForbidden, ClassInvalid, ClassNetwork, ClassTimeout, ClassConfig} {
		m := (&Error{Class: c, Status: 400}).Message()
		if prev, dup := seen[m]; dup {
			t.Errorf("%s and %s share %q", c, prev, m)
		}
		seen[m] = c
		if !strings.HasSuffix(m, ".") {
			t.Errorf("%s: %q is not a sentence", c, m)
		}
	}
}

func FuzzParseError(f *testing.F) {
	f.Add(401, []byte(`{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000."}}`))
	f.Add(422, []byte(`{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"}]}`))
	f.Add(404, []byte(`{"detail":"Not Found"}`))
	f.Add(500, []byte("<html>oops</html>"))
	f.Add(429, []byte(`{"detail":{"status":"system_busy"}}`))
	f.Add(0, []byte(nil))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError(status, body)
		if e == nil || e.Class == "" || e.Message() == "" || e.Error() == "" {
			t.Fatalf("incomplete %+v", e)
		}
		if len([]rune(e.Server)) > maxServerMessage || len([]rune(e.Code)) > 64 {
			t.Fatalf("too long: %q %q", e.Code, e.Server)
		}
		if strings.ContainsFunc(e.Server+e.Code, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Fatalf("control characters: %q %q", e.Code, e.Server)
		}
		if e.Server != strings.TrimSpace(e.Server) {
			t.Fatalf("untrimmed %q", e.Server)
		}
	})
}
