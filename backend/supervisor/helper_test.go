//go:build linux

package supervisor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the child process: with helperEnv set, TestMain runs a small script instead
// of the tests. Steps are separated by ';' (by ',' inside a grandchild's script):
//
//	ignoreterm        ignore SIGTERM
//	onterm:CODE       on SIGTERM print "got SIGTERM" to stderr and exit with CODE
//	stdout:TEXT       print TEXT to stdout (stderr:TEXT to stderr)
//	lines:N           print "line 0" … "line N-1" to stdout
//	sleep:MS          sleep
//	touch:PATH        create a file (a readiness signal)
//	listen:ADDR       listen on TCP ADDR, accept and close connections; print "port N"
//	grandchild:SCRIPT start a grandchild (same process group) running SCRIPT; print "grandchild PID"
//	exit:CODE         exit
//	forever           block forever
//
// Mode "app" is different: it runs a Supervisor of its own whose child runs helperChildEnv's script, prints
// "child PID" once that is running, and blocks: a stand-in for TonnyTray in the parent-death test.
const (
	helperEnv      = "TT_SUPERVISOR_HELPER"
	helperChildEnv = "TT_SUPERVISOR_HELPER_CHILD"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "app":
		helperApp()
	default:
		runScript(os.Getenv(helperEnv), ";")
	}
}

func runScript(script, sep string) {
	for step := range strings.SplitSeq(script, sep) {
		verb, arg, _ := strings.Cut(step, ":")
		switch verb {
		case "ignoreterm":
			signal.Ignore(syscall.SIGTERM)
		case "onterm":
			code, _ := strconv.Atoi(arg)
			c := make(chan os.Signal, 1)
			signal.Notify(c, syscall.SIGTERM)
			go func() {
				<-c
				fmt.Fprintln(os.Stderr, "got SIGTERM")
				os.Exit(code)
			}()
		case "stdout":
			fmt.Fprintln(os.Stdout, arg)
		case "stderr":
			fmt.Fprintln(os.Stderr, arg)
		case "lines":
			n, _ := strconv.Atoi(arg)
			w := bufio.NewWriter(os.Stdout)
			for i := range n {
				fmt.Fprintf(w, "line %d\n", i)
			}
			w.Flush()
		case "sleep":
			ms, _ := strconv.Atoi(arg)
			time.Sleep(time.Duration(ms) * time.Millisecond)
		case "touch":
			if err := os.WriteFile(arg, nil, 0o600); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(90)
			}
		case "listen":
			ln, err := net.Listen("tcp", arg)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(91)
			}
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			fmt.Fprintf(os.Stdout, "port %d\n", ln.Addr().(*net.TCPAddr).Port)
		case "grandchild":
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"="+strings.ReplaceAll(arg, ",", ";"))
			if err := cmd.Start(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(92)
			}
			fmt.Fprintf(os.Stdout, "grandchild %d\n", cmd.Process.Pid)
		case "exit":
			code, _ := strconv.Atoi(arg)
			os.Exit(code)
		case "forever":
			select {}
		default:
			fmt.Fprintf(os.Stderr, "helper: unknown step %q\n", step)
			os.Exit(99)
		}
	}
	os.Exit(0)
}

func helperApp() {
	printed := false
	sup := New(Spec{
		Name:      "child",
		AutoStart: true,
		Command: func(context.Context) (Command, error) {
			return helperCommand(os.Getenv(helperChildEnv)), nil
		},
		OnState: func(st Status) {
			if st.State == Running && !printed {
				printed = true
				fmt.Printf("child %d\n", st.PID)
			}
		},
	})
	err := sup.Serve(context.Background())
	fmt.Fprintln(os.Stderr, "app: Serve returned:", err)
	os.Exit(1)
}

// helperCommand runs the test binary as a helper with script.
func helperCommand(script string, env ...string) Command {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	// A race-enabled helper otherwise sleeps 1s in os.Exit while other threads run (TSan's atexit_sleep_ms).
	base := append(os.Environ(), helperEnv+"="+script, "GORACE=atexit_sleep_ms=0")
	return Command{Path: exe, Env: append(base, env...)}
}

// procStat is the part of /proc/PID/stat the tests need.
type procStat struct {
	state     byte
	ppid, pgr int
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// "PID (COMM) STATE PPID PGRP …"; COMM may hold spaces and parentheses, so cut at the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return procStat{}, errors.New("bad stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 {
		return procStat{}, errors.New("bad stat")
	}
	ppid, _ := strconv.Atoi(f[1])
	pgrp, _ := strconv.Atoi(f[2])
	return procStat{state: f[0][0], ppid: ppid, pgr: pgrp}, nil
}

// alive says whether pid is a live process (not gone, not a zombie waiting for a reaper).
func alive(pid int) bool {
	st, err := readStat(pid)
	return err == nil && st.state != 'Z' && st.state != 'X'
}

// groupMembers lists the live processes of process group pgid.
func groupMembers(pgid int) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.pgr == pgid && st.state != 'Z' && st.state != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

func fileExists(path string) func(context.Context) error {
	return func(context.Context) error {
		_, err := os.Stat(path)
		return err
	}
}
