package settings

import (
	"net/url"
	"os"
	"reflect"
	"testing"
)

// FuzzImport feeds arbitrary bytes to Import: it must never panic, and whatever it accepts must validate,
// carry no URL password and survive an export round trip.
func FuzzImport(f *testing.F) {
	seed, err := os.ReadFile("testdata/seed-config.json")
	if err != nil {
		f.Fatal(err)
	}
	own, err := Export(customized())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(seed), string(own), `{}`, `null`, `[]`, `{"version":1}`, `{"version":1e400}`,
		`{"audio":{"mode":"continuous"}}`, `{"n8n":5}`, `{"whisper":{"extra_args":[1,2]}}`,
		`{"rabbitmq_url":"amqp://a:b@[::1]:5672/"}`, `{"whisper_websocket_url":"wss://[::1]:99999"}`,
		`{"health_check_interval":1e300}`, `{"audio_input_device":{"a":1}}`, `{"log_level":"INFO","x":null}`,
		`{"hotkeys":{"toggle":"Ctrl+Shift+Ctrl"}}`, "{\"general\":{\"command_prefix\":\"\\u0000\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import(data)
		if err != nil {
			return
		}
		if err := res.Settings.Validate(); err != nil {
			t.Fatalf("accepted settings do not validate: %v", err)
		}
		if u, err := url.Parse(res.Settings.RabbitMQ.URL); err == nil && u.User != nil {
			if pw, set := u.User.Password(); set && pw != "" {
				t.Fatalf("rabbitmq.url keeps a password")
			}
		}
		out, err := Export(res.Settings)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, err := Import(out)
		if err != nil {
			t.Fatalf("re-import of export: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again.Settings, res.Settings) {
			t.Fatalf("export round trip changed %v", Diff(res.Settings, again.Settings).Changed)
		}
	})
}
