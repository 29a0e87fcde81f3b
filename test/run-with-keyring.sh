#!/usr/bin/env bash
# Runs a command against a real, unlocked Secret Service: a private D-Bus session with
# gnome-keyring-daemon, so keychain tests never touch the developer's own login keyring.
# Usage: test/run-with-keyring.sh CMD [ARGS...]
set -euo pipefail

if [ -z "${KEYTRAY_KEYRING_SESSION:-}" ]; then
  export KEYTRAY_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi

# A throwaway XDG home so gnome-keyring creates a fresh login collection for this run only.
keyring_home=$(mktemp -d)
watcher_pid=
cleanup() {
  if [ -n "$watcher_pid" ]; then kill "$watcher_pid" 2>/dev/null || true; fi
  # Every daemon of this bus: ours, restarted ones that lost the name, and any the bus started.
  local pid
  for pid in $(pgrep -x gnome-keyring-d 2>/dev/null || true); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"; then kill "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$keyring_home"
}
trap cleanup EXIT
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# The process that owns org.freedesktop.secrets on this private bus (empty when nobody does).
# Asked of the bus rather than found with pgrep: other test runs may have daemons of their own.
secret_service_pid() {
  dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '{print $2}' || true
}

# Whether a daemon is one this script started: unlocked with the test password (--unlock). The bus
# starts one by itself (--start, its login collection locked) when a client asks while none runs.
is_ours() {
  [ -n "$1" ] && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q -- '--unlock'
}

# --unlock reads the login keyring password from stdin, and the daemon forks. A restart passes
# --replace, to take the name over from a daemon the bus started by itself meanwhile. Returns once
# one of ours owns the name on the bus; --replace is sent again while the bus's own daemon wins the
# race for the name (up to 5 s).
start_keyring() {
  for _ in 1 2 3 4 5; do
    printf 'keytray-test\n' | gnome-keyring-daemon "$@" --unlock --components=secrets >/dev/null 2>&1 || true
    for _ in $(seq 10); do
      if is_ours "$(secret_service_pid)"; then return 0; fi
      sleep 0.1
    done
    set -- --replace
  done
  echo "run-with-keyring: gnome-keyring-daemon did not take org.freedesktop.secrets on the test bus within 5 s" >&2
  return 1
}
start_keyring

# gnome-keyring-daemon 42 has been seen to abort (a trap in GLib) under the suite's concurrent
# load. Without a watch every later test would then fail with "no result found" against the daemon
# the bus starts locked; with it the daemon comes back unlocked with the same collection on disk,
# and the log says so, so a failure at that moment is not mistaken for Keytray's.
(
  while sleep 0.5; do
    pid=$(secret_service_pid)
    if ! is_ours "$pid"; then
      echo "run-with-keyring: the Secret Service went away (now: ${pid:-nobody}); starting gnome-keyring-daemon again, unlocked" >&2
      start_keyring --replace || true
    fi
  done
) &
watcher_pid=$!

"$@"
