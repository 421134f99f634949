#!/usr/bin/env bash
# Runs a command inside a private headless desktop: an Xvfb display, its own D-Bus session bus, an unlocked
# gnome-keyring (Secret Service, collection "login"), PulseAudio with virtual devices (sink "vspeaker",
# mic "vmic" fed through sink "micfeed"), and HOME/XDG directories in a fresh temp dir, so tests never touch
# the user's real desktop, keyring or data. Usage: scripts/desktop.sh COMMAND [ARGS...]
set -euo pipefail

if [ -z "${TT_DESKTOP_INNER:-}" ]; then
  root=$(mktemp -d "${TMPDIR:-/tmp}/tonnytray-desktop.XXXXXX")
  # Keep Go's and npm's caches where they are: a new HOME would make every build cold.
  export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
  export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
  export TT_DESKTOP_INNER=1 TT_DESKTOP_ROOT="$root"
  export HOME="$root/home" TMPDIR="$root/tmp" XDG_RUNTIME_DIR="$root/run"
  export XDG_CONFIG_HOME="$root/home/.config" XDG_DATA_HOME="$root/home/.local/share"
  export XDG_STATE_HOME="$root/home/.local/state" XDG_CACHE_HOME="$root/home/.cache"
  mkdir -p "$HOME" "$TMPDIR" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
  chmod 700 "$XDG_RUNTIME_DIR"
  unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY PULSE_SERVER
  set +e
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
  rc=$?
  set -e
  [ -n "${TT_KEEP_DESKTOP:-}" ] || rm -rf "$root"
  exit $rc
fi

root=$TT_DESKTOP_ROOT
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # wait_for WHAT SECONDS COMMAND...
  local what=$1 secs=$2; shift 2
  for ((i = 0; i < secs * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "desktop: $what did not come up within ${secs}s" >&2
  return 1
}

# Secret Service: gnome-keyring unlocked with a throwaway password; creates the "login" collection.
printf 'tonnytray-test' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$root/keyring.log" 2>&1 &
pids+=($!)
wait_for "gnome-keyring (org.freedesktop.secrets)" 20 \
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetNameOwner string:org.freedesktop.secrets

# PulseAudio with virtual devices; ALSA (and so PortAudio) routed to it through ~/.asoundrc.
mkdir -p "$XDG_RUNTIME_DIR/pulse"
cat >"$root/pa.pa" <<PA
load-module module-native-protocol-unix auth-anonymous=1 socket=$XDG_RUNTIME_DIR/pulse/native
load-module module-null-sink sink_name=vspeaker sink_properties=device.description=Virtual_Speaker
load-module module-null-sink sink_name=micfeed sink_properties=device.description=Mic_Feed
load-module module-remap-source master=micfeed.monitor source_name=vmic channels=1 source_properties=device.description=Virtual_Mic
set-default-sink vspeaker
set-default-source vmic
PA
export PULSE_SERVER="unix:$XDG_RUNTIME_DIR/pulse/native"
pulseaudio --daemonize=no --exit-idle-time=-1 -n -F "$root/pa.pa" >"$root/pulse.log" 2>&1 &
pids+=($!)
wait_for "PulseAudio" 20 pactl info
printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$HOME/.asoundrc"
# A silent stream on each null sink keeps it running; otherwise a new stream's first buffer waits ~2 s.
pacat --latency-msec=20 --device=vspeaker /dev/zero >/dev/null 2>&1 &
pids+=($!)
pacat --latency-msec=20 --device=micfeed /dev/zero >/dev/null 2>&1 &
pids+=($!)

echo "desktop: DISPLAY=$DISPLAY, session bus, gnome-keyring, PulseAudio ready (root $root)"
set +e
"$@"
rc=$?
set -e
exit $rc
