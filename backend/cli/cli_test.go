package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want Command
	}{
		{"no args is the gui (wails build runs main like this)", nil, Command{Name: CmdGUI}},
		{"empty slice", []string{}, Command{Name: CmdGUI}},
		{"explicit gui", []string{"gui"}, Command{Name: CmdGUI}},
		{"start hidden without command", []string{"--start-hidden"}, Command{Name: CmdGUI, StartHidden: true}},
		{"gui start hidden", []string{"gui", "--start-hidden"}, Command{Name: CmdGUI, StartHidden: true}},
		{"headless", []string{"headless"}, Command{Name: CmdHeadless}},
		{"status", []string{"status"}, Command{Name: CmdStatus}},
		{"status json", []string{"status", "--json"}, Command{Name: CmdStatus, JSON: true}},
		{"single dash flags work too", []string{"status", "-json"}, Command{Name: CmdStatus, JSON: true}},
		{"doctor", []string{"doctor"}, Command{Name: CmdDoctor}},
		{"version command", []string{"version"}, Command{Name: CmdVersion}},
		{"help command", []string{"help"}, Command{Name: CmdHelp}},
		{"help with a topic", []string{"help", "status"}, Command{Name: CmdHelp}},

		{"global before command", []string{"--db", "/tmp/t.db", "status"}, Command{Name: CmdStatus, DBPath: "/tmp/t.db"}},
		{"global after command", []string{"status", "--db", "/tmp/t.db", "--json"}, Command{Name: CmdStatus, DBPath: "/tmp/t.db", JSON: true}},
		{"global with =", []string{"headless", "--db=/x/y.db", "--log-level=DEBUG"}, Command{Name: CmdHeadless, DBPath: "/x/y.db", LogLevel: "debug"}},
		{"log level alias", []string{"--log-level", "warning"}, Command{Name: CmdGUI, LogLevel: "warn"}},

		{"export to stdout by default", []string{"config-export"}, Command{Name: CmdConfigExport, File: "-"}},
		{"export to file", []string{"config-export", "out.json"}, Command{Name: CmdConfigExport, File: "out.json"}},
		{"two-word export", []string{"config", "export", "out.json"}, Command{Name: CmdConfigExport, File: "out.json"}},
		{"server restart", []string{"server", "restart"}, Command{Name: CmdServer, Action: "restart"}},
		{"listen with seconds", []string{"listen", "--seconds", "2.5"}, Command{Name: CmdListen, Seconds: 2.5}},
		{"devices as JSON", []string{"devices", "--json"}, Command{Name: CmdDevices, JSON: true}},
		{"server status as JSON", []string{"server", "status", "--json"}, Command{Name: CmdServer, Action: "status", JSON: true}},
		{"two-word import from stdin", []string{"config", "import", "-"}, Command{Name: CmdConfigImport, File: "-"}},
		{"export with flags after the file", []string{"config-export", "out.json", "--db", "a.db"}, Command{Name: CmdConfigExport, File: "out.json", DBPath: "a.db"}},
		{"import from stdin", []string{"config-import", "-"}, Command{Name: CmdConfigImport, File: "-"}},
		{"import from file", []string{"--db", "a.db", "config-import", "in.json"}, Command{Name: CmdConfigImport, File: "in.json", DBPath: "a.db"}},
		{"file that looks like a flag after --", []string{"config-import", "--", "--odd.json"}, Command{Name: CmdConfigImport, File: "--odd.json"}},

		{"send joins its words", []string{"send", "turn", "on", "the", "lights"}, Command{Name: CmdSend, Text: "turn on the lights"}},
		{"send quoted, no wait", []string{"send", "turn on the lights", "--no-wait", "--json"}, Command{Name: CmdSend, Text: "turn on the lights", NoWait: true, JSON: true}},
		{"send text that looks like a flag", []string{"send", "--", "--what"}, Command{Name: CmdSend, Text: "--what"}},
		{"test n8n", []string{"test", "n8n"}, Command{Name: CmdTest, Action: "n8n"}},
		{"test rabbitmq", []string{"test", "rabbitmq"}, Command{Name: CmdTest, Action: "rabbitmq"}},
		{"publish", []string{"publish", "thread.tonny.say.all", `{"text":"hi"}`}, Command{Name: CmdPublish, Key: "thread.tonny.say.all", Text: `{"text":"hi"}`}},
		{"tts", []string{"tts", "Hello", "there"}, Command{Name: CmdTTS, Text: "Hello there"}},
		{"toggle", []string{"toggle"}, Command{Name: CmdToggle}},
		{"ptt", []string{"ptt-start"}, Command{Name: CmdPTTStart}},
		{"pause", []string{"pause"}, Command{Name: CmdPause}},
		{"profile with spaces", []string{"profile", "Aunt", "May"}, Command{Name: CmdProfile, Text: "Aunt May"}},
		{"tts voices", []string{"tts", "--list-voices", "--json"}, Command{Name: CmdTTS, ListVoices: true, JSON: true}},
		{"outbox lists by default", []string{"outbox"}, Command{Name: CmdOutbox, Action: "list"}},
		{"outbox retry all", []string{"outbox", "retry"}, Command{Name: CmdOutbox, Action: "retry"}},
		{"outbox retry one", []string{"outbox", "retry", "42"}, Command{Name: CmdOutbox, Action: "retry", ID: 42}},
		{"outbox discard", []string{"outbox", "discard", "7", "--json"}, Command{Name: CmdOutbox, Action: "discard", ID: 7, JSON: true}},

		{"--version wins", []string{"status", "--version"}, Command{Name: CmdVersion}},
		{"--version alone", []string{"--version"}, Command{Name: CmdVersion}},
		{"-h wins", []string{"config-import", "-h"}, Command{Name: CmdHelp}},
		{"--help before an unknown command", []string{"--help", "frobnicate"}, Command{Name: CmdHelp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.args, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // in the error message
	}{
		{"unknown command", []string{"frobnicate"}, []string{`unknown command "frobnicate"`, "tonnytray --help"}},
		{"unknown command after flags", []string{"--db", "x.db", "toggel"}, []string{`unknown command "toggel"`, "tonnytray --help"}},
		{"profile without a name", []string{"profile"}, []string{"profile needs the profile's name"}},
		{"toggle takes no argument", []string{"toggle", "now"}, []string{`toggle takes no arguments, got "now"`}},
		{"unknown flag", []string{"status", "--jsn"}, []string{"unknown flag -jsn", "tonnytray --help"}},
		{"flag of another command", []string{"doctor", "--json"}, []string{"doctor does not take --json"}},
		{"gui flag on status", []string{"--start-hidden", "status"}, []string{"status does not take --start-hidden"}},
		{"missing flag value", []string{"status", "--db"}, []string{"flag needs an argument", "-db"}},
		{"empty db", []string{"--db", ""}, []string{"--db needs a path"}},
		{"bad log level", []string{"--log-level", "loud"}, []string{`--log-level "loud"`, "debug, info, warn or error"}},
		{"extra argument", []string{"status", "now"}, []string{`status takes no arguments, got "now"`}},
		{"import needs a file", []string{"config-import"}, []string{"config-import needs a FILE", "use - for stdin"}},
		{"two files", []string{"config-export", "a", "b"}, []string{`config-export takes one FILE, got "a b"`}},
		{"server without action", []string{"server"}, []string{`server needs one of start, stop, restart, status, got ""`}},
		{"listen too long", []string{"listen", "--seconds", "500"}, []string{"--seconds must be more than 0 and at most 110"}},
		{"seconds on status", []string{"status", "--seconds", "2"}, []string{"status does not take --seconds"}},
		{"server with a bad action", []string{"server", "reboot"}, []string{`server needs one of start, stop, restart, status, got "reboot"`}},
		{"bad bool", []string{"status", "--json=maybe"}, []string{"invalid boolean value"}},
		{"send without text", []string{"send", "  "}, []string{"send needs the command text"}},
		{"tts without text", []string{"tts"}, []string{"tts needs the text to speak"}},
		{"tts with both", []string{"tts", "hi", "--list-voices"}, []string{"either TEXT or --list-voices"}},
		{"test of something unknown", []string{"test", "n9n"}, []string{`test needs one of n8n, rabbitmq, got "n9n"`}},
		{"publish without body", []string{"publish", "thread.tonny.x"}, []string{"publish needs ROUTING_KEY and one JSON object"}},
		{"outbox with a bad action", []string{"outbox", "flush"}, []string{`outbox needs list, retry or discard, got "flush"`}},
		{"outbox discard without id", []string{"outbox", "discard"}, []string{"outbox discard needs the item number"}},
		{"outbox id not a number", []string{"outbox", "retry", "x1"}, []string{`"x1" is not an item number`}},
		{"outbox list takes no id", []string{"outbox", "list", "3"}, []string{"too many arguments"}},
		{"no-wait on another command", []string{"status", "--no-wait"}, []string{"status does not take --no-wait"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.args)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.args, got)
			}
			if !errors.Is(err, ErrUsage) {
				t.Errorf("error %v does not wrap ErrUsage", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestUsageListsEveryCommand(t *testing.T) {
	var buf bytes.Buffer
	Usage(&buf)
	out := buf.String()
	for _, c := range commands {
		lines := 0
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "  "+strings.Replace(c.name, "config-", "config ", 1)+" ") {
				lines++
			}
		}
		if lines != 1 {
			t.Errorf("command %q on %d help lines, want 1", c.name, lines)
		}
		args := []string{c.name}
		if c.file == requiredFile {
			args = append(args, "settings.json")
		}
		if len(c.actions) > 0 {
			args = append(args, c.actions[0])
		}
		if c.name == CmdPublish {
			args = append(args, "thread.tonny.say.all", "{}")
		}
		if c.name == CmdSend || c.name == CmdTTS || c.name == CmdProfile || c.name == CmdAction {
			args = append(args, "lights", "on")
		}
		if got, err := Parse(args); err != nil || got.Name != c.name {
			t.Errorf("listed command %q parses as %+v, %v", c.name, got, err)
		}
	}
	for _, want := range []string{"--db PATH", "--log-level", "--version", "-h, --help", "--start-hidden", "--json"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
