#!/usr/bin/env bash
# Provisions moto's server (an independent AWS emulator) for the contract tests in test/contract/:
#   .tools/moto/bin/moto_server
# A virtualenv, because Debian's Python refuses system-wide pip installs (PEP 668). The version is pinned
# so the contract run compares against the same emulator everywhere. Fast no-op when already installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tools/moto"
MOTO_VERSION="5.2.5"
log() { printf '[setup-moto] %s\n' "$*" >&2; }
die() { printf '[setup-moto] ERROR: %s\n' "$*" >&2; exit 1; }

# Cached only when the venv still works (its Python may have moved) and holds the pinned version, so
# bumping MOTO_VERSION reinstalls instead of reusing a stale venv.
if [ -x "$venv/bin/moto_server" ] \
  && "$venv/bin/python" -c "import sys, moto; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  log "moto $MOTO_VERSION: $venv/bin/moto_server (cached)"
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || die "python3 is required for moto (apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
  || die "moto $MOTO_VERSION needs Python >= 3.9 (found $("$python" --version 2>&1))"

log "creating virtualenv $venv"
rm -rf "$venv"
"$python" -m venv "$venv" || die "python3 -m venv failed: install the venv module (apt-get install python3-venv)"

log "installing moto[server]==$MOTO_VERSION from PyPI (a minute the first time)"
if ! "$venv/bin/pip" install --disable-pip-version-check --quiet "moto[server]==$MOTO_VERSION"; then
  rm -rf "$venv"
  die "pip could not install moto[server]==$MOTO_VERSION; check access to PyPI (or a proxy via PIP_INDEX_URL)"
fi
[ -x "$venv/bin/moto_server" ] || die "moto installed but $venv/bin/moto_server is missing"
log "moto $MOTO_VERSION installed: $venv/bin/moto_server"
