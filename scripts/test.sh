#!/usr/bin/env bash
# Runs every test of gto-lsp after setting up what they need: lint and types (ruff, mypy, tsc), the client's
# unit tests, the real-editor tests (code-server + Chromium), then pytest (core, git, CLI, real GTO, the
# language server over stdio, Neovim). Exits non-zero when anything fails.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
began=$(date +%s)
bash scripts/setup.sh || { echo "setup failed" >&2; exit 1; }
failed=()
step() {
  local name="$1" start; shift
  echo "=== $name" >&2
  start=$(date +%s)
  if ! "$@"; then failed+=("$name"); fi
  echo "=== $name: $(( $(date +%s) - start )) s" >&2
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
# The oldest and the newest Python (the .vsix runs on 3.9+): the core, CLI and server tests, without the
# compatibility, editor and fuzz suites and the large-input ones (scripts/python-venvs.sh made the venvs during
# setup). The two versions run side by side and alongside the main pytest, each logged to a file (at 0933d07:
# the main pytest 18 min, the other two 12 min alongside it, where one after the other took ~21 min).
FAST=(--ignore=tests/compat --ignore=tests/editor --ignore=tests/editors
  --deselect=tests/lsp/test_robustness.py --deselect=tests/lsp/test_hostile.py
  --deselect=tests/lsp/test_fuzz_hostile.py --deselect=tests/lsp/test_large_documents.py
  --deselect=tests/lsp/test_network.py
  # features whose server code has no Python-version-specific path and whose core runs whole on every version:
  --deselect=tests/lsp/test_dvc_features.py --deselect=tests/lsp/test_migrate_action.py
  --deselect=tests/lsp/test_lock_commit.py --deselect=tests/lsp/test_real_repos.py
  --deselect=tests/lsp/test_flow_writes.py --deselect=tests/lsp/test_registry_remote.py
  --deselect=tests/lsp/test_dvc_files_read.py
  -p no:cacheprovider)
other_python() {
  local minor="$1" venv=".cache/py-test/$1" runner status=0
  "$venv/bin/python" -m pytest -q "${FAST[@]}" --ignore=tests/lsp tests || status=1
  runner="$venv/bin/python"
  if ! "$runner" -c 'import pytest_lsp' 2>/dev/null; then
    runner=.venv/bin/python  # pytest-lsp needs 3.10: the tests run on .venv, the server they start on $minor
  fi
  GTOLSP_TEST_SERVER_PYTHON="$venv/bin/python" "$runner" -m pytest -q "${FAST[@]}" tests/lsp || status=1
  return "$status"
}
pids=()
minors=()
for minor in 3.9 3.13; do
  if [ ! -x ".cache/py-test/$minor/bin/python" ]; then
    echo "=== python $minor: SKIPPED (no Python $minor on this machine: see scripts/python-venvs.sh)" >&2
    continue
  fi
  other_python "$minor" > ".cache/py-test/$minor.log" 2>&1 &
  pids+=("$!")
  minors+=("$minor")
done
step "pytest" .venv/bin/python -m pytest -q -W error::pytest.PytestUnraisableExceptionWarning "$@"
for i in "${!pids[@]}"; do
  minor="${minors[$i]}"
  if wait "${pids[$i]}"; then status=ok; else status=FAILED; failed+=("python $minor"); fi
  echo "=== python $minor core and server tests: $status" >&2
  grep -E "passed|failed|^FAILED|^ERROR" ".cache/py-test/$minor.log" >&2
done
echo "=== test.sh took $(( $(date +%s) - began )) s" >&2
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all test steps passed" >&2
