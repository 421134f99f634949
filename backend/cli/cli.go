// Package cli is the command line of the single tonnytray binary: it parses it (the GUI by default, plus
// headless mode and a few subcommands) and runs the subcommands, which talk to the running instance over the
// control socket or, when none runs, start the backend briefly in-process. The GUI and headless mode are
// composed in main.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Command names.
const (
	CmdGUI          = "gui"
	CmdHeadless     = "headless"
	CmdStatus       = "status"
	CmdDoctor       = "doctor"
	CmdConfigExport = "config-export"
	CmdConfigImport = "config-import"
	CmdServer       = "server"
	CmdListen       = "listen"
	CmdDevices      = "devices"
	CmdSend         = "send"
	CmdTest         = "test"
	CmdOutbox       = "outbox"
	CmdTTS          = "tts"
	CmdToggle       = "toggle"
	CmdPTTStart     = "ptt-start"
	CmdPTTStop      = "ptt-stop"
	CmdPause        = "pause"
	CmdResume       = "resume"
	CmdProfile      = "profile"
	CmdAction       = "action"
	CmdPublish      = "publish"
	CmdVersion      = "version"
	CmdHelp         = "help"
)

// Command is a parsed command line.
type Command struct {
	Name        string  // one of the Cmd… constants; CmdGUI when no command is given
	DBPath      string  // --db; empty means the default (TONNYTRAY_DB, then the data directory)
	LogLevel    string  // --log-level, normalised to debug, info, warn or error; empty means the default
	StartHidden bool    // --start-hidden (gui): start in the tray without showing the window
	JSON        bool    // --json (status): machine-readable output
	File        string  // config-export/config-import path; "-" means stdout/stdin
	Action      string  // server: start, stop, restart or status
	Seconds     float64 // listen: how long; 0 = the default (5 s)
	Text        string  // send: the command text
	NoWait      bool    // send --no-wait: return once the command is queued
	ListVoices  bool    // tts --list-voices
	ID          uint64  // outbox retry|discard: the item; 0 = all (retry only)
	Key         string  // publish: the routing key (Text holds the JSON body)
}

// ErrUsage is wrapped by every error Parse returns, so main can tell a bad command line (exit status 2)
// from a failure.
var ErrUsage = errors.New("invalid command line")

type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg + "; run `tonnytray --help` for usage" }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// fileArg says whether a command takes a FILE argument.
type fileArg int

const (
	noFile fileArg = iota
	optionalFile
	requiredFile
)

// spec describes one command for the parser and the help text.
type spec struct {
	name    string
	args    string // shown after the name in the help
	summary string
	flags   []string // command flags it accepts besides the global ones
	file    fileArg
	actions []string                                    // when set, the command takes exactly one of these words
	parse   func(c *Command, positional []string) error // when set, reads the positional arguments itself
}

// commands is the command table, in help order.
var commands = []spec{
	{name: CmdGUI, args: "[--start-hidden]", summary: "open the tray app and its window (the default with no command)", flags: []string{"start-hidden"}},
	{name: CmdHeadless, summary: "run without window or tray (SSH, servers); control it with this CLI"},
	{name: CmdStatus, args: "[--json]", summary: "show what the running instance is doing", flags: []string{"json"}},
	{name: CmdServer, args: "start|stop|restart|status", summary: "control the speech server (WhisperLiveKit) of the running instance", flags: []string{"json"}, actions: []string{"start", "stop", "restart", "status"}},
	{name: CmdToggle, summary: "start listening, or stop if listening (bind it to a key in your desktop's shortcuts)"},
	{name: CmdPTTStart, summary: "push-to-talk pressed: start listening"},
	{name: CmdPTTStop, summary: "push-to-talk released: stop listening"},
	{name: CmdPause, summary: "pause TonnyTray: nothing listens until resume"},
	{name: CmdResume, summary: "resume after pause"},
	{name: CmdProfile, args: "NAME", summary: "switch the active profile (switching up asks for the admin PIN; only in a terminal)", parse: restAsText("profile needs the profile's name, e.g. tonnytray profile Dad")},
	{name: CmdAction, args: "NAME [--no-wait] [--json]", summary: "run one of the active profile's quick actions and print the reply, like send", flags: []string{"no-wait", "json"}, parse: restAsText("action needs the quick action's name, e.g. tonnytray action \"Good night\"")},
	{name: CmdListen, args: "[--seconds N]", summary: "listen for N seconds (default 5) through the running instance and print the text", flags: []string{"seconds", "json"}},
	{name: CmdDevices, args: "[--json]", summary: "list the audio devices", flags: []string{"json"}},
	{name: CmdSend, args: "TEXT... [--no-wait] [--json]", summary: "send a command to Tonny through the running instance and print the reply (exit 5: queued, not yet delivered)", flags: []string{"no-wait", "json"}, parse: restAsText("send needs the command text, e.g. tonnytray send \"turn on the lights\"")},
	{name: CmdTTS, args: "TEXT... | --list-voices [--json]", summary: "speak TEXT with Tonny's voice (through the running instance, or on its own), or list the voices", flags: []string{"list-voices", "json"}, parse: parseTTS},
	{name: CmdTest, args: "n8n|rabbitmq", summary: "one round trip to Tonny's webhook, or one confirmed event to RabbitMQ, with a clear verdict", flags: []string{"json"}, actions: []string{"n8n", "rabbitmq"}},
	{name: CmdPublish, args: "ROUTING_KEY JSON", summary: "publish an event to RabbitMQ through the running instance (stored and sent like the others)", parse: parsePublish},
	{name: CmdOutbox, args: "[list|retry [ID]|discard ID] [--json]", summary: "show the commands waiting for Tonny; retry them now or discard one", flags: []string{"json"}, parse: parseOutbox},
	{name: CmdDoctor, summary: "check the dependencies and print how to install what is missing"},
	{name: CmdConfigExport, args: "[FILE]", summary: "write the settings (no secrets) to FILE, or to stdout if FILE is - or absent", file: optionalFile},
	{name: CmdConfigImport, args: "FILE", summary: "read settings (no secrets) from FILE, or from stdin if FILE is -", file: requiredFile},
	{name: CmdVersion, summary: "print the version"},
	{name: CmdHelp, summary: "show this help"},
}

// globalFlags may appear with every command, before or after its name.
var globalFlags = []string{"db", "log-level", "version", "h", "help"}

var logLevels = map[string]string{"debug": "debug", "info": "info", "warn": "warn", "warning": "warn", "error": "error"}

// Parse reads the arguments after the program name. With no arguments it returns the gui command: Wails'
// build tooling runs the binary that way. Global flags may come before or after the command; -h/--help and
// --version win over any command.
func Parse(args []string) (Command, error) {
	var cmd Command
	var help, version bool
	fs := flag.NewFlagSet("tonnytray", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, help is printed by Usage
	fs.StringVar(&cmd.DBPath, "db", "", "")
	fs.StringVar(&cmd.LogLevel, "log-level", "", "")
	fs.BoolVar(&version, "version", false, "")
	fs.BoolVar(&help, "h", false, "")
	fs.BoolVar(&help, "help", false, "")
	fs.BoolVar(&cmd.StartHidden, "start-hidden", false, "")
	fs.BoolVar(&cmd.JSON, "json", false, "")
	fs.Float64Var(&cmd.Seconds, "seconds", 0, "")
	fs.BoolVar(&cmd.NoWait, "no-wait", false, "")
	fs.BoolVar(&cmd.ListVoices, "list-voices", false, "")

	positional, err := parseInterspersed(fs, args)
	if err != nil {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
			msg = "unknown flag " + name
		}
		return Command{}, usagef("%s", msg)
	}
	if help {
		return Command{Name: CmdHelp}, nil
	}
	if version {
		return Command{Name: CmdVersion}, nil
	}

	cmd.Name = CmdGUI
	if len(positional) > 0 {
		cmd.Name, positional = positional[0], positional[1:]
	}
	// "config export" is the documented spelling; "config-export" works too.
	if cmd.Name == "config" && len(positional) > 0 {
		cmd.Name, positional = "config-"+positional[0], positional[1:]
	}
	i := slices.IndexFunc(commands, func(s spec) bool { return s.name == cmd.Name })
	if i < 0 {
		return Command{}, usagef("unknown command %q", cmd.Name)
	}
	sp := commands[i]

	var flagErr error
	fs.Visit(func(f *flag.Flag) {
		if flagErr == nil && !slices.Contains(globalFlags, f.Name) && !slices.Contains(sp.flags, f.Name) {
			flagErr = usagef("%s does not take --%s", sp.name, f.Name)
		}
	})
	if flagErr != nil {
		return Command{}, flagErr
	}
	if sp.parse != nil {
		if err := sp.parse(&cmd, positional); err != nil {
			return Command{}, err
		}
	} else if len(sp.actions) > 0 {
		if len(positional) != 1 || !slices.Contains(sp.actions, positional[0]) {
			return Command{}, usagef("%s needs one of %s, got %q", sp.name, strings.Join(sp.actions, ", "), strings.Join(positional, " "))
		}
		cmd.Action = positional[0]
	} else if err := cmd.setFile(sp, positional); err != nil {
		return Command{}, err
	}
	if cmd.LogLevel != "" {
		lvl, ok := logLevels[strings.ToLower(cmd.LogLevel)]
		if !ok {
			return Command{}, usagef("--log-level %q: use debug, info, warn or error", cmd.LogLevel)
		}
		cmd.LogLevel = lvl
	}
	if isSet(fs, "seconds") && (cmd.Seconds <= 0 || cmd.Seconds > 110) {
		return Command{}, usagef("--seconds must be more than 0 and at most 110")
	}
	if dbSet := isSet(fs, "db"); dbSet && strings.TrimSpace(cmd.DBPath) == "" {
		return Command{}, usagef("--db needs a path")
	}
	return cmd, nil
}

// restAsText takes the positional arguments as one text (commands and names may contain spaces); usage says
// what is missing.
func restAsText(usage string) func(c *Command, positional []string) error {
	return func(c *Command, positional []string) error {
		c.Text = strings.TrimSpace(strings.Join(positional, " "))
		if c.Text == "" {
			return usagef("%s", usage)
		}
		return nil
	}
}

// parsePublish takes the routing key and one JSON object.
func parsePublish(c *Command, positional []string) error {
	if len(positional) != 2 {
		return usagef("publish needs ROUTING_KEY and one JSON object, e.g. tonnytray publish thread.tonny.say.all '{\"text\":\"Dinner!\"}'")
	}
	c.Key, c.Text = positional[0], positional[1]
	return nil
}

// parseTTS takes the text to speak, or nothing with --list-voices.
func parseTTS(c *Command, positional []string) error {
	c.Text = strings.TrimSpace(strings.Join(positional, " "))
	switch {
	case c.ListVoices && c.Text != "":
		return usagef("tts takes either TEXT or --list-voices, not both")
	case !c.ListVoices && c.Text == "":
		return usagef("tts needs the text to speak, e.g. tonnytray tts \"Hello\", or --list-voices")
	}
	return nil
}

// parseOutbox reads "[list|retry [ID]|discard ID]".
func parseOutbox(c *Command, positional []string) error {
	c.Action = "list"
	if len(positional) > 0 {
		c.Action, positional = positional[0], positional[1:]
	}
	if !slices.Contains([]string{"list", "retry", "discard"}, c.Action) {
		return usagef("outbox needs list, retry or discard, got %q", c.Action)
	}
	switch {
	case len(positional) > 1 || (c.Action == "list" && len(positional) > 0):
		return usagef("outbox %s: too many arguments %q", c.Action, strings.Join(positional, " "))
	case len(positional) == 1:
		id, err := strconv.ParseUint(positional[0], 10, 64)
		if err != nil || id == 0 {
			return usagef("outbox %s: %q is not an item number (see tonnytray outbox)", c.Action, positional[0])
		}
		c.ID = id
	case c.Action == "discard":
		return usagef("outbox discard needs the item number (see tonnytray outbox)")
	}
	return nil
}

// setFile checks the positional arguments left after the command name.
func (c *Command) setFile(sp spec, positional []string) error {
	if sp.name == CmdHelp && len(positional) <= 1 {
		return nil // "tonnytray help status" shows the (short) full help
	}
	switch {
	case sp.file == noFile && len(positional) > 0:
		return usagef("%s takes no arguments, got %q", sp.name, strings.Join(positional, " "))
	case sp.file != noFile && len(positional) > 1:
		return usagef("%s takes one FILE, got %q", sp.name, strings.Join(positional, " "))
	case sp.file == requiredFile && len(positional) == 0:
		return usagef("%s needs a FILE (use - for stdin)", sp.name)
	case len(positional) == 1:
		c.File = positional[0]
	case sp.file == optionalFile:
		c.File = "-"
	}
	return nil
}

// parseInterspersed parses flags wherever they appear among the positional arguments (the flag package alone
// stops at the first one). Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// Usage prints the help: every command with one line each, then the flags.
func Usage(w io.Writer) {
	fmt.Fprint(w, `TonnyTray — the family voice assistant in your tray.

Usage:
  tonnytray [flags] [command] [command flags]

Commands:
`)
	width := 0
	shown := func(c spec) string {
		return strings.TrimSpace(strings.Replace(c.name, "config-", "config ", 1) + " " + c.args)
	}
	for _, c := range commands {
		width = max(width, len(shown(c)))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, shown(c), c.summary)
	}
	fmt.Fprint(w, `
Flags (before or after the command):
  --db PATH          SQLite database (default $TONNYTRAY_DB, else ~/.local/share/tonnytray/tonnytray.db)
  --log-level LEVEL  debug, info, warn or error (default info)
  --version          print the version and exit
  -h, --help         show this help

Exit status: 0 done; 1 failed; 2 bad command line; 3 no running instance; 4 another instance holds the lock
but cannot be reached; 5 (send) the command is queued in the outbox but not delivered yet.
`)
}
