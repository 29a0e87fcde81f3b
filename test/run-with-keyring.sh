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
keyring_pid=
cleanup() {
  if [ -n "$keyring_pid" ]; then kill "$keyring_pid" 2>/dev/null || true; fi
  rm -rf "$keyring_home"
}
trap cleanup EXIT
export XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# --unlock reads the login keyring password from stdin; the daemon forks and prints its env.
eval "$(printf 'keytray-test\n' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
keyring_pid=${GNOME_KEYRING_PID:-$(pgrep -n -f 'gnome-keyring-daemon --unlock' || true)}

"$@"
