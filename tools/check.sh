#!/usr/bin/env bash
# The test command (see README): sets up what is missing, then runs every check CI runs.
#
#   bash tools/check.sh [pytest args...]
#
# Set-up (skipped when already done): a venv at .venv with `pip install -e '.[dev]'` (redone when
# pyproject.toml changes), the buf CLI through `npm ci` (redone when package-lock.json changes).
# Checks: buf lint, buf format, stub drift, ruff check, ruff format, mypy, alembic check, the
# client-only install, pytest on SQLite and PostgreSQL ($JDLENS_TEST_PG_URL). All checks run even
# when one fails; the exit status is non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
export JDLENS_TEST_PG_URL=${JDLENS_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
START=$SECONDS
FAILED=()

section() { printf '\n==== %s ====\n' "$1"; }
die() {
  echo "check.sh: $*" >&2
  exit 2
}
# Runs one check, reports it, and remembers a failure without stopping.
run_check() {
  local name=$1 t0=$SECONDS
  shift
  section "$name"
  if "$@"; then
    echo "---- ok: $name ($((SECONDS - t0))s)"
  else
    echo "---- FAILED: $name ($((SECONDS - t0))s)"
    FAILED+=("$name")
  fi
}
git_() { git -c safe.directory="$ROOT" "$@"; }
content_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Two runs in one checkout would regenerate the stubs under each other; take turns.
if command -v flock >/dev/null; then
  exec 9>"${TMPDIR:-/tmp}/jdlens-check-$(printf '%s' "$ROOT" | sha256sum | cut -c1-16).lock"
  flock -n 9 || {
    echo "another tools/check.sh runs in this checkout; waiting for it"
    flock 9
  }
fi

# ---------------------------------------------------------------------------------------------- set-up
section "set-up: Python venv (.venv)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  die "$PYTHON is not Python 3.11 (set PYTHON=/path/to/python3.11)"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv"
  "$PYTHON" -m venv .venv || die "could not create .venv"
fi
.venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  die ".venv is not Python 3.11: remove it (rm -rf .venv) and run again"
stamp=".venv/.jdlens-dev-install"
want="$(content_hash pyproject.toml) $(.venv/bin/python --version 2>&1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import jdlens_server, jdlens.v1' 2>/dev/null; then
  echo "installing: pip install -e '.[dev]'"
  .venv/bin/python -m pip install -q -e '.[dev]' || die "pip install -e '.[dev]' failed"
  echo "$want" >"$stamp"
else
  echo "up to date"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export VIRTUAL_ENV="$ROOT/.venv"

section "set-up: buf CLI (npm ci)"
stamp="node_modules/.jdlens-npm-ci"
want=$(content_hash package-lock.json)
if [ ! -x node_modules/.bin/buf ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  command -v npm >/dev/null || die "npm not found (install Node.js >= 18)"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
  echo "$want" >"$stamp"
else
  echo "up to date"
fi
BUF="$ROOT/node_modules/.bin/buf"
echo "buf $("$BUF" --version)"

# ---------------------------------------------------------------------------------------------- checks
# Regenerates the stubs with tools/gen_protos.sh in a scratch copy (so a concurrent mypy or pytest in
# this checkout never sees them half-written), then requires them equal to client/jdlens/v1 and that
# directory committed: no diff against the index, no untracked files.
stub_drift() {
  local tmp rc=0 untracked
  tmp=$(mktemp -d)
  cp -r tools protos client "$tmp"/ && cp buf.yaml "$tmp"/ && bash "$tmp/tools/gen_protos.sh" || rc=1
  if [ $rc -eq 0 ] && ! diff -r -x __pycache__ "$tmp/client/jdlens/v1" client/jdlens/v1; then
    echo "client/jdlens/v1 differs from what protos/ generates: run 'bash tools/gen_protos.sh' and commit"
    rc=1
  fi
  rm -rf "$tmp"
  if ! git_ diff --exit-code --stat -- client/jdlens/v1; then
    echo "client/jdlens/v1 has uncommitted changes"
    rc=1
  fi
  untracked=$(git_ ls-files --others --exclude-standard -- client/jdlens/v1)
  if [ -n "$untracked" ]; then
    printf 'generated files not committed:\n%s\n' "$untracked"
    rc=1
  fi
  return $rc
}

alembic_check() {
  local tmp rc
  tmp=$(mktemp -d)
  JDLENS_DB="sqlite:///$tmp/alembic-check.sqlite" alembic -c alembic.ini upgrade head &&
    JDLENS_DB="sqlite:///$tmp/alembic-check.sqlite" alembic -c alembic.ini check
  rc=$?
  rm -rf "$tmp"
  return $rc
}

# The client distribution alone (client/pyproject.toml) in its own venv: it must import without any
# server dependency. The venv is kept in .venv-client and the client reinstalled when client/ changes.
client_only_install() {
  local venv="$ROOT/.venv-client" tmp want stamp="$ROOT/.venv-client/.jdlens-client-install" rc
  if [ ! -x "$venv/bin/python" ]; then
    "$PYTHON" -m venv "$venv" || return 1
    echo '*' >"$venv/.gitignore" # keep git, ruff and friends out of it
  fi
  want=$(find client -type f \( -name '*.py' -o -name '*.pyi' -o -name py.typed -o -name pyproject.toml \) \
    -not -path '*/build/*' -not -path '*.egg-info/*' | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)
  tmp=$(mktemp -d)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # Build from a copy so no build/ or egg-info is left in (or reused from) the source tree.
    cp -r client "$tmp/client" && rm -rf "$tmp"/client/build "$tmp"/client/*.egg-info &&
      "$venv/bin/python" -m pip uninstall -q -y jdlens-client &&
      "$venv/bin/python" -m pip install -q "$tmp/client" &&
      echo "$want" >"$stamp" || {
      rm -rf "$tmp"
      return 1
    }
  else
    echo "jdlens-client up to date in .venv-client"
  fi
  "$venv/bin/python" -m pip check &&
    (cd "$tmp" && "$venv/bin/python" - <<'EOF'
import importlib
import sys

import jdlens.client
import jdlens.v1.pipeline_service_pb2_grpc  # noqa: F401

assert jdlens.client.__file__.startswith(sys.prefix), f"imported from {jdlens.client.__file__}"
for name in ("jdlens_server", "sqlalchemy", "alembic"):
    try:
        importlib.import_module(name)
    except ImportError:
        continue
    sys.exit(f"{name} is importable in the client-only environment: the client pulls in server deps")
with jdlens.client.JdlensClient("localhost:1", timeout=1.0):
    pass
print("jdlens-client imports alone; jdlens_server, sqlalchemy and alembic are absent")
EOF
    )
  rc=$?
  rm -rf "$tmp"
  return $rc
}

pg_status() {
  python - <<'EOF'
import os

import psycopg

url = os.environ["JDLENS_TEST_PG_URL"]
try:
    psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5).close()
    print(f"PostgreSQL reachable at {url}")
except psycopg.Error as exc:
    reason = (str(exc).strip().splitlines() or ["?"])[0]
    print(f"WARNING: PostgreSQL NOT reachable at {url}: PostgreSQL tests will be SKIPPED ({reason})")
EOF
}

run_pytest() {
  local rc
  pg_status
  pytest -rs "$@"
  rc=$?
  if [ $rc -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass"
  fi
  return $rc
}

run_check "buf lint" "$BUF" lint
run_check "buf format" "$BUF" format --diff --exit-code
run_check "stub drift (tools/gen_protos.sh)" stub_drift
run_check "ruff check" ruff check .
run_check "ruff format" ruff format --check .
run_check "mypy" mypy
run_check "alembic check (fresh SQLite)" alembic_check
run_check "client-only install (.venv-client)" client_only_install
run_check "pytest (SQLite and PostgreSQL)" run_pytest "$@"

section "summary ($((SECONDS - START))s)"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${FAILED[@]}"
  exit 1
fi
echo "all checks passed"
