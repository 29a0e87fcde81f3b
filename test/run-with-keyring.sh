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
  local pid
  pid=$(secret_service_pid)
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
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

# --unlock reads the login keyring password from stdin, and the daemon forks. A restart passes
# --replace, to take the name over from a daemon the bus may have started by itself meanwhile, whose
# login collection would be locked. Returns once the daemon owns its name on the bus (up to 5 s).
start_keyring() {
  printf 'keytray-test\n' | gnome-keyring-daemon "$@" --unlock --components=secrets >/dev/null 2>&1 || true
  for _ in $(seq 50); do
    keyring_pid=$(secret_service_pid)
    if [ -n "$keyring_pid" ]; then return 0; fi
    sleep 0.1
  done
  echo "run-with-keyring: gnome-keyring-daemon did not take org.freedesktop.secrets on the test bus within 5 s" >&2
  return 1
}
start_keyring

# gnome-keyring-daemon 42 has been seen to abort (a trap in GLib) under the suite's concurrent
# load. Without a watch every later test would then fail with "no result found" against a daemon
# the bus starts locked; with it the daemon comes back unlocked with the same collection on disk,
# and the log says so, so a failure at that moment is not mistaken for Keytray's.
(
  while sleep 0.5; do
    pid=$(secret_service_pid)
    if [ "$pid" != "$keyring_pid" ]; then
      echo "run-with-keyring: the Secret Service (gnome-keyring-daemon ${keyring_pid:-?}) went away; starting it again, unlocked" >&2
      start_keyring --replace || true
    fi
  done
) &
watcher_pid=$!

"$@"
