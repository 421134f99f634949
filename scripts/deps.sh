#!/usr/bin/env bash
# Installs what TonnyTray needs on Debian 12, as root (or with sudo). Usage: scripts/deps.sh run|test
#   run  — build tools, WebKitGTK, audio, keyring and typing tools, the Go modules and the frontend packages
#   test — all of "run", plus the headless desktop (Xvfb, D-Bus), Chromium, gnome-keyring and the Wails CLI
# Each step is skipped when already done, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}

run_pkgs=(build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev
  portaudio19-dev libasound2-dev libasound2-plugins alsa-utils pulseaudio pulseaudio-utils
  gnome-keyring libsecret-tools keyutils dbus-user-session dbus-x11
  xdotool xclip x11-xserver-utils sqlite3 ca-certificates fonts-noto-color-emoji)
test_pkgs=(curl xvfb xauth x11-utils xterm imagemagick python3-pyatspi chromium fonts-dejavu-core espeak-ng sox
  rabbitmq-server)

pkgs=("${run_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
  # The lists lock is not covered by DPkg::Lock::Timeout: retry update while another apt holds it.
  for i in 1 2 3 4 5 6; do $SUDO apt-get update -q && break; echo "deps: apt-get update busy, retrying"; sleep 10; done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
else
  echo "deps: Debian packages present"
fi

command -v go >/dev/null || { echo "deps: Go is missing: install Go 1.24 or newer" >&2; exit 1; }
command -v node >/dev/null || { echo "deps: Node.js is missing: install Node.js 20.19 or newer with npm" >&2; exit 1; }
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[ "$go_minor" -ge 24 ] || { echo "deps: Go $(go env GOVERSION) is too old: need 1.24 or newer" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' ||
  { echo "deps: Node.js $(node --version) is too old: need 20.19 or newer (Vite 7)" >&2; exit 1; }

echo "deps: Go modules"
go mod download

if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  echo "deps: frontend packages (npm install)"
  (cd frontend && npm install --no-audit --no-fund --loglevel=error)
fi

if [ "$mode" = test ]; then
  gobin=$(go env GOPATH)/bin
  if ! "$gobin/wails" version 2>/dev/null | grep -q 'v2.16.0'; then
    echo "deps: Wails CLI v2.16.0"
    go install github.com/wailsapp/wails/v2/cmd/wails@v2.16.0
  fi
  if ! [ -x "$gobin/gotestsum" ]; then
    echo "deps: gotestsum"
    go install gotest.tools/gotestsum@v1.13.0
  fi
fi
echo "deps: ready ($mode)"
