#!/usr/bin/env bash
# Runs every test of gto-lsp after setting up what they need: lint and types (ruff, mypy, tsc), the client's
# unit tests, the real-editor tests (code-server + Chromium), then pytest (core, git, CLI, real GTO, the
# language server over stdio, Neovim). Exits non-zero when anything fails.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh || { echo "setup failed" >&2; exit 1; }
failed=()
step() {
  local name="$1"; shift
  echo "=== $name" >&2
  if ! "$@"; then failed+=("$name"); fi
}
step "ruff" .venv/bin/ruff check server tests bench
step "ruff format" .venv/bin/ruff format --check server tests bench
step "mypy" .venv/bin/mypy
if [ -f package.json ]; then
  step "tsc" npm run --silent check
  step "client unit tests" npm run --silent test:unit
  if [ "${GTO_SKIP_EDITOR:-}" != 1 ] && [ -f tests/editor/run.sh ]; then
    step "real-editor tests" npm run --silent test:editor
  fi
fi
step "pytest" .venv/bin/python -m pytest -q -W error::pytest.PytestUnraisableExceptionWarning "$@"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all test steps passed" >&2
