# TonnyTray. The two commands a new machine needs (Debian 12, as root):
#   make run   — installs everything, builds, starts the app
#   make test  — installs what the tests need, runs every test with real parts, prints a summary line
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GO_TAGS := desktop,production,webkit2_41
BIN     := build/bin/tonnytray

.PHONY: run test deps build frontend bindings bench e2e clean

run: ## install everything, build, and start the app (headless when there is no display)
	scripts/deps.sh run
	$(MAKE) --no-print-directory build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then exec $(BIN); \
	else echo "run: no display here: starting the backend headless (try '$(BIN) status' in another shell)"; exec $(BIN) headless; fi

test: ## install test needs and run every test inside a private headless desktop
	scripts/test.sh

deps:
	scripts/deps.sh run

build: frontend ## the production binary, and tonnytray-ctl (the lean trigger for desktop shortcuts)
	go build -tags $(GO_TAGS) -trimpath -ldflags "-w -s -X main.version=$(VERSION)" -o $(BIN) .
	CGO_ENABLED=0 go build -trimpath -ldflags "-w -s" -o $(BIN)-ctl ./cmd/tonnytray-ctl
	@echo "build: $(BIN) ($$(du -h $(BIN) | cut -f1)), $(BIN)-ctl ($$(du -h $(BIN)-ctl | cut -f1))"

frontend:
	cd frontend && npm run build

bindings: ## regenerate frontend/wailsjs after changing app.go
	$$(go env GOPATH)/bin/wails generate module -tags webkit2_41

bench: build ## benchmarks: Go benchmarks plus the app's start-up time and idle footprint
	scripts/desktop.sh sh -c 'go test -run "^$$" -bench . -benchtime 1s ./backend/... && scripts/bench-app.sh test-results'

e2e: build
	scripts/desktop.sh scripts/e2e.sh test-results

clean:
	rm -rf build/bin test-results
