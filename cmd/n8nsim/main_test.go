package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	env := map[string]string{"N8NSIM_AUTH_VALUE": "k"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	var stderr strings.Builder
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-behaviour", "immediately", "-auth-header", "X-Tonny-Key", "-path", "/webhook/t"},
			w, &stderr, func(k string) string { return env[k] })
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/webhook/t") {
		t.Fatalf("URL %q", url)
	}
	for key, want := range map[string]int{"k": 200, "wrong": 403} {
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"id":"1"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Tonny-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == 200 && string(b) != `{"message":"Workflow was started"}` {
			t.Errorf("key %q: %d %s", key, resp.StatusCode, b)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestUsage(t *testing.T) {
	none := func(string) string { return "" }
	for _, args := range [][]string{
		{"-auth-header", "X-Key"}, // no value in the environment
		{"extra"},
		{"-nope"},
	} {
		if code := run(context.Background(), args, io.Discard, io.Discard, none); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := run(context.Background(), []string{"-behaviour", "nope"}, io.Discard, io.Discard, none); code != 1 {
		t.Errorf("unknown behaviour: exit %d, want 1", code)
	}
}
