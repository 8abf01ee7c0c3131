# shellcheck shell=bash
# Helpers to run moto, the local AWS API emulator, for tests and try-outs.
#
# Source this file, then:
#   ensure_moto          install moto into $ROOT/.venv if it is not there yet
#   start_moto [PORT]    start moto on 127.0.0.1 (a free port if none given) and
#                        export MOTO_ENDPOINT, MOTO_PID and MOTO_LOG
#   stop_moto            stop it (safe to call twice)
#
# start_moto stops moto automatically when the calling script exits: it adds
# stop_moto in front of any EXIT trap the caller already has. A caller that
# sets its own EXIT trap *after* start_moto must call stop_moto from it.

# Repository root: the caller may set it; otherwise two levels above this file.
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

MOTO_REQUIREMENT='moto[server]>=5.2,<5.3'

_moto_die() {
  echo "error: $*" >&2
  return 1
}

# Installs moto into $ROOT/.venv unless it is already there.
ensure_moto() {
  [[ -x "$ROOT/.venv/bin/moto_server" ]] && return 0
  command -v python3 >/dev/null 2>&1 ||
    _moto_die "python3 not found; install Python 3 (e.g. apt-get install python3 python3-venv) to run moto" ||
    return 1
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 ||
    _moto_die "python3 cannot create virtual environments; install the venv module (e.g. apt-get install python3-venv)" ||
    return 1
  echo "installing moto (local AWS API emulator) into $ROOT/.venv…" >&2
  python3 -m venv "$ROOT/.venv" ||
    _moto_die "could not create $ROOT/.venv" || return 1
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check "$MOTO_REQUIREMENT" ||
    _moto_die "could not install $MOTO_REQUIREMENT into $ROOT/.venv" || return 1
  [[ -x "$ROOT/.venv/bin/moto_server" ]] ||
    _moto_die "moto_server missing from $ROOT/.venv after installing moto" || return 1
}

# Prints a TCP port on 127.0.0.1 that is free right now.
_moto_free_port() {
  "$ROOT/.venv/bin/python" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Starts moto in the background and waits until it answers HTTP.
# shellcheck disable=SC2120 # the port argument is optional
start_moto() {
  if [[ -n "${MOTO_PID:-}" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    return 0 # already running
  fi
  [[ -x "$ROOT/.venv/bin/moto_server" ]] ||
    _moto_die "moto is not installed; call ensure_moto first" || return 1

  local port="${1:-}" attempts=1 attempt
  # A picked free port can be taken by someone else before moto binds it:
  # with no port given, retry a few times with a new one.
  [[ -z "$port" ]] && attempts=3

  _MOTO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/iamwiz-moto.XXXXXX")"
  export MOTO_LOG="$_MOTO_DIR/moto.log"
  _moto_install_traps

  for ((attempt = 1; attempt <= attempts; attempt++)); do
    [[ -n "${1:-}" ]] || port="$(_moto_free_port)"
    MOTO_IAM_LOAD_MANAGED_POLICIES=true \
      "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$port" \
      </dev/null >"$MOTO_LOG" 2>&1 &
    export MOTO_PID=$!
    export MOTO_ENDPOINT="http://127.0.0.1:$port"
    if _moto_wait_ready; then
      return 0
    fi
    _moto_kill
  done

  echo "error: moto did not start on 127.0.0.1:$port; last lines of its log ($MOTO_LOG):" >&2
  tail -n 20 "$MOTO_LOG" >&2 || true
  unset MOTO_PID MOTO_ENDPOINT
  return 1
}

# Waits up to 60 s for moto to answer on /moto-api/; fails early if it exits.
_moto_wait_ready() {
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    kill -0 "$MOTO_PID" 2>/dev/null || return 1
    if curl --silent --fail --max-time 2 --output /dev/null "$MOTO_ENDPOINT/moto-api/" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}

# Stops the moto process (TERM, then KILL after 10 s) and reaps it.
_moto_kill() {
  local pid="${MOTO_PID:-}" i
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true
  unset MOTO_PID
}

# Stops moto and removes its log directory.
stop_moto() {
  _moto_kill
  if [[ -n "${_MOTO_DIR:-}" ]]; then
    rm -rf -- "$_MOTO_DIR"
    unset _MOTO_DIR MOTO_LOG
  fi
  unset MOTO_ENDPOINT
}

# Makes sure moto is stopped however the caller exits: stop_moto runs before
# the caller's existing EXIT trap, and INT/TERM/HUP (if the caller has no
# handler for them) exit the script so that the EXIT trap runs.
_moto_install_traps() {
  [[ -n "${_MOTO_TRAPS_SET:-}" ]] && return 0
  _MOTO_TRAPS_SET=1
  local previous
  local -a words
  previous="$(trap -p EXIT)"
  if [[ -n "$previous" ]]; then
    # `trap -p` prints: trap -- 'COMMAND' EXIT
    eval "words=($previous)"
    # shellcheck disable=SC2064 # expand the caller's command now, on purpose
    trap "stop_moto; ${words[2]}" EXIT
  else
    trap stop_moto EXIT
  fi
  [[ -n "$(trap -p INT)" ]] || trap 'exit 130' INT
  [[ -n "$(trap -p TERM)" ]] || trap 'exit 143' TERM
  [[ -n "$(trap -p HUP)" ]] || trap 'exit 129' HUP
}
