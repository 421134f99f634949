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
	env := map[string]string{"ELEVENSIM_API_KEY": "k"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	var stderr strings.Builder
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"-ttfb", "10ms", "-chunk-every", "1ms"}, w, &stderr, func(k string) string { return env[k] })
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	for key, want := range map[string]int{"k": 200, "wrong": 401} {
		req, _ := http.NewRequest("GET", url+"/v1/voices", nil)
		req.Header.Set("xi-api-key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
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
	key := func(string) string { return "k" }
	for _, tc := range []struct {
		args   []string
		getenv func(string) string
		want   int
	}{
		{nil, none, 2}, // no key in the environment
		{[]string{"extra"}, key, 2},
		{[]string{"-nope"}, key, 2},
		{[]string{"-addr", "0.0.0.0:0"}, key, 1},
	} {
		if code := run(context.Background(), tc.args, io.Discard, io.Discard, tc.getenv); code != tc.want {
			t.Errorf("%v: exit %d, want %d", tc.args, code, tc.want)
		}
	}
}
