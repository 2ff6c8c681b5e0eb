#!/usr/bin/env bash
# Installs everything gto-lsp needs to run and to be tested, on a fresh Debian machine (as root for apt):
# Debian packages, the project's virtualenv (.venv), real GTO from PyPI for the compatibility tests,
# the extension's npm packages and code-server. Idempotent: a second run only checks.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
log() { echo "setup: $*" >&2; }

need_apt=()
command -v git >/dev/null 2>&1 || need_apt+=(git)
command -v nvim >/dev/null 2>&1 || need_apt+=(neovim)
command -v emacs >/dev/null 2>&1 || need_apt+=(emacs-nox)
ls -d /usr/share/emacs/site-lisp/elpa/eglot-* >/dev/null 2>&1 || need_apt+=(elpa-eglot)
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.gto-lsp-setup"
want="$(cat pyproject.toml | sha1sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "pip install -e .[dev]"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

log "real GTO and DVC for the compatibility tests"
bash scripts/gto-venvs.sh >&2

log "Python 3.9 and 3.13 for the oldest/newest test runs"
bash scripts/python-venvs.sh >&2

if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  if [ "${GTO_SKIP_EDITOR:-}" != 1 ] && [ -f scripts/code-server.sh ]; then
    log "code-server"
    bash scripts/code-server.sh >/dev/null
  fi
fi
log "done"
