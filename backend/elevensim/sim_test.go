package elevensim

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const key = "sk_test_key"

func start(t testing.TB, c Config) *Sim {
	t.Helper()
	if c.APIKey == "" {
		c.APIKey = key
	}
	s, err := Start(c)
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

// do sends one request and returns status, body and headers.
func do(t testing.TB, method, url, apiKey, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if apiKey != "" {
		req.Header.Set("xi-api-key", apiKey)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

const rachel = "21m00Tcm4TlvDq8ikWAM"

func ttsURL(s *Sim, voice, format string) string {
	u := s.URL() + "/v1/text-to-speech/" + voice + "/stream"
	if format != "" {
		u += "?output_format=" + format
	}
	return u
}

func TestSynthesis(t *testing.T) {
	s := start(t, Config{})
	for _, tc := range []struct {
		path, format string
		rate         int
	}{
		{"/stream", "pcm_24000", 24000},
		{"", "pcm_24000", 24000},
		{"/stream", "pcm_16000", 16000},
		{"/stream", "pcm_44100", 44100},
	} {
		url := s.URL() + "/v1/text-to-speech/" + rachel + tc.path + "?output_format=" + tc.format
		status, body, h := do(t, "POST", url, key, `{"text":"Hello there.","model_id":"eleven_flash_v2_5","language_code":"en"}`)
		if status != 200 {
			t.Fatalf("%s: %d %s", url, status, body)
		}
		if want := Speech("Hello there.", tc.rate); body != string(want) {
			t.Errorf("%s: %d bytes, want the %d of Speech", url, len(body), len(want))
		}
		if h.Get("x-region") == "" || len(h.Get("x-trace-id")) != 32 || h.Get("current-concurrent-requests") != "1" {
			t.Errorf("headers %v", h)
		}
	}
	if got := s.Requests(); got != 4 {
		t.Errorf("Requests %d, want 4", got)
	}
	if got := s.CharacterCount(); got != 4*len("Hello there.") {
		t.Errorf("CharacterCount %d", got)
	}
}

func TestErrors(t *testing.T) {
	s := start(t, Config{CharacterLimit: 100, CharacterCount: 90})
	tests := []struct {
		name, method, url, key, body string
		status                       int
		want                         string
	}{
		{"wrong key", "GET", s.URL() + "/v1/voices", "nope", "", 401, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`},
		{"missing key", "POST", ttsURL(s, rachel, "pcm_24000"), "", `{"text":"hi"}`, 401, `{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}`},
		{"missing text", "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"model_id":"eleven_flash_v2_5"}`, 422,
			`{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"}]}`},
		{"bad json", "POST", ttsURL(s, rachel, "pcm_24000"), key, `{`, 422, `"type":"value_error.jsondecode"`},
		{"mp3 default", "POST", ttsURL(s, rachel, ""), key, `{"text":"hi"}`, 422, `supports only the PCM output formats`},
		{"opus", "POST", ttsURL(s, rachel, "opus_48000_64"), key, `{"text":"hi"}`, 422, `"loc":["query","output_format"]`},
		{"unknown voice", "POST", ttsURL(s, "nobody", "pcm_24000"), key, `{"text":"hi"}`, 400,
			`{"detail":{"status":"voice_not_found","message":"A voice with the voice_id nobody was not found."}}`},
		{"unknown model", "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"hi","model_id":"x"}`, 400, `"status":"model_not_found"`},
		{"language on v2", "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"hi","model_id":"eleven_multilingual_v2","language_code":"de"}`, 400, `"status":"unsupported_language"`},
		{"too long", "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"` + strings.Repeat("a", 3001) + `","model_id":"eleven_v3"}`, 400,
			`"status":"max_character_limit_exceeded"`},
		{"quota", "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"` + strings.Repeat("a", 11) + `"}`, 401,
			`{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 100. You have 10 credits remaining, while 11 credits are required for this request."}}`},
		{"unknown path", "GET", s.URL() + "/v1/nothing", key, "", 404, `{"detail":"Not Found"}`},
		{"wrong method", "GET", ttsURL(s, rachel, "pcm_24000"), key, "", 405, `{"detail":"Method Not Allowed"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body, h := do(t, tc.method, tc.url, tc.key, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%d %s, want %d %s", status, body, tc.status, tc.want)
			}
			if h.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
		})
	}
	if got := s.CharacterCount(); got != 90 {
		t.Errorf("refused requests used characters: %d", got)
	}
	// Exactly the remaining quota is still served.
	if status, body, _ := do(t, "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"0123456789"}`); status != 200 {
		t.Errorf("last 10 characters: %d %s", status, body)
	}
}

func TestFaults(t *testing.T) {
	s := start(t, Config{})
	tests := []struct {
		f      Fault
		status int
		want   string
	}{
		{FaultConcurrency, 429, `{"detail":{"status":"too_many_concurrent_requests","message":"Too many concurrent requests. Your current subscription is associated with a maximum of 5 concurrent requests`},
		{FaultBusy, 429, `{"detail":{"status":"system_busy",`},
		{FaultServer, 500, `{"detail":{"status":"internal_server_error",`},
		{FaultVoiceNotFound, 400, `{"detail":{"status":"voice_not_found","message":"A voice with the voice_id ` + rachel + ` was not found."}}`},
		{FaultValidation, 422, `{"detail":[{"loc":["body","text"],"msg":"field required","type":"value_error.missing"}]}`},
	}
	for _, tc := range tests {
		s.SetFault(tc.f)
		for range 2 { // sticky
			status, body, _ := do(t, "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"hi"}`)
			if status != tc.status || !strings.HasPrefix(body, tc.want) {
				t.Errorf("fault %d: %d %s", tc.f, status, body)
			}
		}
	}
	s.SetFault(FaultNone)
	s.FaultOnce(FaultBusy)
	if status, _, _ := do(t, "GET", s.URL()+"/v1/models", key, ""); status != 429 {
		t.Errorf("FaultOnce: %d", status)
	}
	if status, body, _ := do(t, "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"hi"}`); status != 200 {
		t.Errorf("after FaultOnce: %d %s", status, body)
	}
	// A wrong key wins over a fault, as authentication comes first.
	s.FaultOnce(FaultServer)
	if status, _, _ := do(t, "GET", s.URL()+"/v1/voices", "bad", ""); status != 401 {
		t.Errorf("wrong key under fault: %d", status)
	}
}

func TestListings(t *testing.T) {
	s := start(t, Config{CharacterLimit: 5000, CharacterCount: 1234})
	status, body, _ := do(t, "GET", s.URL()+"/v1/voices", key, "")
	var voices struct {
		Voices []Voice `json:"voices"`
	}
	if err := json.Unmarshal([]byte(body), &voices); status != 200 || err != nil || len(voices.Voices) != 2 || voices.Voices[0].Name != "Rachel" {
		t.Errorf("voices: %d %v %s", status, err, body)
	}
	status, body, _ = do(t, "GET", s.URL()+"/v1/models", key, "")
	var ms []struct {
		ModelID   string `json:"model_id"`
		CanTTS    bool   `json:"can_do_text_to_speech"`
		Languages []struct {
			ID string `json:"language_id"`
		} `json:"languages"`
	}
	if err := json.Unmarshal([]byte(body), &ms); status != 200 || err != nil || ms[0].ModelID != "eleven_flash_v2_5" || !ms[0].CanTTS || ms[0].Languages[0].ID != "en" {
		t.Errorf("models: %d %v %s", status, err, body)
	}
	status, body, _ = do(t, "GET", s.URL()+"/v1/user/subscription", key, "")
	var sub struct {
		Tier                    string `json:"tier"`
		CharacterCount          int    `json:"character_count"`
		CharacterLimit          int    `json:"character_limit"`
		NextCharacterCountReset int64  `json:"next_character_count_reset_unix"`
		Status                  string `json:"status"`
	}
	if err := json.Unmarshal([]byte(body), &sub); status != 200 || err != nil || sub.CharacterCount != 1234 || sub.CharacterLimit != 5000 ||
		sub.Status != "active" || sub.NextCharacterCountReset < time.Now().Unix() {
		t.Errorf("subscription: %d %v %s", status, err, body)
	}
	if s.Requests() != 0 {
		t.Errorf("listings counted as synthesis: %d", s.Requests())
	}
}

// TestPacing checks TTFB, chunk pacing and a stall: the first chunk arrives
// after TTFB, long before the whole body.
func TestPacing(t *testing.T) {
	s := start(t, Config{TTFB: 50 * time.Millisecond, ChunkBytes: 1000, ChunkEvery: 20 * time.Millisecond})
	text := "pacing test" // 11 chars → 21120 bytes → 22 chunks → ≥ 420 ms
	req, _ := http.NewRequest("POST", ttsURL(s, rachel, "pcm_24000"), strings.NewReader(`{"text":"`+text+`"}`))
	req.Header.Set("xi-api-key", key)
	begin := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	first := time.Since(begin)
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	all := time.Since(begin)
	if first < 50*time.Millisecond || all < 400*time.Millisecond || first > all/2 {
		t.Errorf("first byte %v, all %v", first, all)
	}
	if got := append(buf, rest...); !bytes.Equal(got, Speech(text, 24000)) {
		t.Error("paced body differs from Speech")
	}
	if resp.Header.Get("Transfer-Encoding") != "" || resp.ContentLength != -1 {
		t.Errorf("not chunked: length %d", resp.ContentLength)
	}

	s2 := start(t, Config{})
	s2.StallAfter(3001, 300*time.Millisecond) // odd on purpose: mid-sample
	req, _ = http.NewRequest("POST", ttsURL(s2, rachel, "pcm_24000"), strings.NewReader(`{"text":"`+text+`"}`))
	req.Header.Set("xi-api-key", key)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 3001)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	mark := time.Now()
	rest, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(mark); d < 250*time.Millisecond {
		t.Errorf("stall lasted %v", d)
	}
	if !bytes.Equal(append(head, rest...), Speech(text, 24000)) {
		t.Error("stalled body differs from Speech")
	}
	// The stall was for one stream only.
	mark = time.Now()
	if status, _, _ := do(t, "POST", ttsURL(s2, rachel, "pcm_24000"), key, `{"text":"`+text+`"}`); status != 200 || time.Since(mark) > 200*time.Millisecond {
		t.Errorf("second stream: %d in %v", status, time.Since(mark))
	}
}

func TestConcurrency(t *testing.T) {
	s := start(t, Config{TTFB: 100 * time.Millisecond, ConcurrencyLimit: 2})
	var wg sync.WaitGroup
	statuses := make(chan int, 4)
	for range 4 {
		wg.Go(func() {
			status, _, _ := do(t, "POST", ttsURL(s, rachel, "pcm_24000"), key, `{"text":"hi"}`)
			statuses <- status
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[200] != 2 || count[429] != 2 {
		t.Errorf("statuses %v, want two 200 and two 429", count)
	}
	// A refused request leaves at once, so the peak is 3 or 4.
	if m := s.MaxConcurrent(); m < 3 || m > 4 || s.Requests() != 4 {
		t.Errorf("MaxConcurrent %d Requests %d", s.MaxConcurrent(), s.Requests())
	}
}

func TestSpeech(t *testing.T) {
	a, b := Speech("hello", 24000), Speech("hellp", 24000)
	if len(a) != 5*960*2 || bytes.Equal(a, b) {
		t.Fatalf("len %d, equal %v", len(a), bytes.Equal(a, b))
	}
	if !bytes.Equal(a, Speech("hello", 24000)) {
		t.Error("not deterministic")
	}
	peak := 0
	for i := 0; i < len(a); i += 2 {
		v := int(int16(binary.LittleEndian.Uint16(a[i:])))
		peak = max(peak, v, -v)
	}
	if peak < 9000 || peak > 10000 {
		t.Errorf("peak %d, want ~0.3 full scale", peak)
	}
	if first := int16(binary.LittleEndian.Uint16(a)); first != 0 {
		t.Errorf("no fade-in: first sample %d", first)
	}
	if len(Speech("", 24000)) != 0 || len(Speech("é", 16000)) != 640*2 {
		t.Error("lengths")
	}
}

func TestStartRefuses(t *testing.T) {
	for _, c := range []Config{{APIKey: key, Addr: "0.0.0.0:0"}, {APIKey: key, Addr: "nope"}, {Addr: "127.0.0.1:0"}} {
		if s, err := Start(c); err == nil {
			s.Close()
			t.Errorf("%+v: started", c)
		}
	}
}
