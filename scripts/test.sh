#!/usr/bin/env bash
# Runs the tests of gto-lsp after setting up what they need. Exits non-zero when anything fails.
#
#   bash scripts/test.sh            everything: set-up, ruff, mypy, tsc, the client's unit tests, the real-editor
#                                   tests (code-server + Chromium), pytest (core, git, CLI, real GTO and DVC, the
#                                   server over stdio, Neovim, Emacs), and the core, CLI and a server smoke set on
#                                   Python 3.9 and 3.13 alongside it. What CI runs (.ci/run).
#   bash scripts/test.sh --quick    the inner loop: the same lint, types and client unit tests, then pytest without
#                                   the differential (tests/compat), editor and large-input suites (marked `slow`)
#                                   and without 3.9/3.13. No set-up: run the full script once first.
#   bash scripts/test.sh [--quick] ARGS...   ARGS go to the main pytest (e.g. `-x`, `-k annotate`, a folder).
#
# One file or one test, without this script:
#   .venv/bin/python -m pytest -q tests/cli/test_cli.py                 (add ::test_name, or -k WORDS)
#   GTO_SKIP_EDITOR=1 bash scripts/test.sh   leaves out the real-editor tests; npm run test:editor runs only them
#
# The end of the output is a summary: each step with its duration, each failed test by name (pytest's node ids
# from every pytest run, the editor suite's test titles), then the total. Logs: .cache/test-logs/.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
began=$(date +%s)
quick=0
if [ "${1:-}" = "--quick" ]; then
  quick=1
  shift
fi
LOGS=.cache/test-logs
# Bytecode is cached under .cache/ (git-ignored), even where PYTHONDONTWRITEBYTECODE is set: the tests start
# hundreds of Python processes (servers, the CLI), each of which would compile gto-lsp again (~0.3 s of CPU).
export PYTHONPYCACHEPREFIX="$REPO/.cache/pycache"
unset PYTHONDONTWRITEBYTECODE
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log "$LOGS"/*.time "$LOGS"/*.result

names=()     # every step, in order
results=()   # ok / FAILED / SKIPPED, by step
seconds=()   # duration, by step
logs=()      # the log whose failed tests the summary names ("" for none)
record() {  # record NAME STATUS SECONDS LOG
  names+=("$1")
  results+=("$2")
  seconds+=("$3")
  logs+=("$4")
}
# step NAME LOG COMMAND...: runs COMMAND in the foreground, its output shown and (when LOG is set) kept.
step() {
  local name="$1" log="$2" start status=0; shift 2
  echo "=== $name" >&2
  start=$(date +%s)
  if [ -n "$log" ]; then
    "$@" 2>&1 | tee "$log" || status=1
  else
    "$@" || status=1
  fi
  local took=$(($(date +%s) - start)) result=ok
  [ "$status" = 0 ] || result=FAILED
  echo "=== $name: $result in $took s" >&2
  record "$name" "$result" "$took" "$log"
}

if [ "$quick" = 0 ]; then
  step "set-up" "" bash scripts/setup.sh
  if [ "${results[0]}" != ok ]; then
    echo "set-up failed: nothing else runs" >&2
    exit 1
  fi
elif [ ! -x .venv/bin/python ]; then
  echo "no .venv: run 'bash scripts/test.sh' (or scripts/setup.sh) once before --quick" >&2
  exit 1
fi

# The oldest and the newest Python (the .vsix runs on 3.9+): what can differ by Python version, that is the core,
# the formats, git, the registry and the CLI whole, and a smoke set of the server (its start and diagnostics, the
# stdio transport, its exit); the server's features above the core have no version-specific path. Both run in the
# background alongside the main pytest (much of which waits on subprocesses), logged to
# .cache/test-logs/python-<minor>.log. Packaging, pre-commit and the GitHub action build and install in venvs of
# their own: the main run has them.
OTHER=(-q -rfE -p no:cacheprovider --ignore=tests/compat --ignore=tests/editor --ignore=tests/editors
  --ignore=tests/packaging --ignore=tests/cli/test_pre_commit.py --ignore=tests/cli/test_github_action.py)
SMOKE=(tests/lsp/test_diagnostics.py tests/lsp/test_transport.py tests/lsp/test_exit.py)
other_python() {
  local minor="$1" venv=".cache/py-test/$1" runner status=0
  "$venv/bin/python" -m pytest "${OTHER[@]}" --ignore=tests/lsp tests || status=1
  runner="$venv/bin/python"
  if ! "$runner" -c 'import pytest_lsp' 2>/dev/null; then
    runner=.venv/bin/python  # pytest-lsp needs 3.10: the tests run on .venv, the server they start on $minor
  fi
  GTOLSP_TEST_SERVER_PYTHON="$venv/bin/python" "$runner" -m pytest "${OTHER[@]}" "${SMOKE[@]}" || status=1
  return "$status"
}

step "ruff" "" .venv/bin/ruff check server tests bench
step "ruff format" "" .venv/bin/ruff format --check server tests bench
step "mypy" "" .venv/bin/mypy
if [ -f package.json ]; then
  step "tsc" "" npm run --silent check
  step "client unit tests" "$LOGS/client-unit.log" npm run --silent test:unit
fi

if [ "$quick" = 0 ] && [ -f package.json ] && [ "${GTO_SKIP_EDITOR:-}" != 1 ] && [ -f tests/editor/run.sh ]; then
  step "real-editor tests" "$LOGS/editor.log" npm run --silent test:editor
fi

# job NAME LOG COMMAND...: runs COMMAND with its output in LOG only; its result and duration go to LOG.result
# for the summary (jobs run in a background lane, where `record` would not reach this shell).
job() {
  local name="$1" log="$2" start result=ok; shift 2
  start=$(date +%s)
  "$@" >"$log" 2>&1 || result=FAILED
  echo "$result $(($(date +%s) - start))" >"$log.result"
  echo "=== $name: $result in $(($(date +%s) - start)) s" >&2
}
background=()  # (name log) of the jobs of the background lane, in order
foreground=()  # the same for the jobs after the main pytest
lane_job() {  # lane_job LANE MINOR: the Python MINOR run as a job of LANE (when that Python is here)
  local lane="$1" minor="$2"
  if [ ! -x ".cache/py-test/$minor/bin/python" ]; then
    echo "=== python $minor: SKIPPED (no Python $minor on this machine: see scripts/python-venvs.sh)" >&2
    record "python $minor" SKIPPED 0 ""
    return
  fi
  if [ "$lane" = background ]; then
    background+=("python $minor" "$LOGS/python-$minor.log")
  else
    foreground+=("python $minor" "$LOGS/python-$minor.log")
  fi
}

# The 25 slowest tests close each log: where to look when the run nears its 20-minute aim.
PYTEST=(-q -rfE -W error::pytest.PytestUnraisableExceptionWarning --durations=25)
split=0
if [ "$quick" = 1 ]; then
  PYTEST+=(-m "not slow" --ignore=tests/compat --ignore=tests/editors)
elif [ "$#" = 0 ]; then
  split=1
fi
# The full run keeps both cores busy with two lanes of about equal length: this shell runs the main pytest
# without the differential and packaging tests, then Python 3.13; a background lane runs those two folders, then
# Python 3.9 (at 3582fe9 in one lane: pytest 18.5 min, 3.9 and 3.13 6.4 and 5.4 min beside it).
if [ "$quick" = 0 ]; then
  if [ "$split" = 1 ]; then
    background+=("pytest (compat, packaging)" "$LOGS/pytest-compat.log")
  fi
  lane_job background 3.9
  lane_job "$([ "$split" = 1 ] && echo foreground || echo background)" 3.13
fi
run_job() {  # run_job NAME LOG: the command of a job by its name
  case "$1" in
    "python "*) job "$1" "$2" other_python "${1#python }" ;;
    "pytest (compat, packaging)") job "$1" "$2" .venv/bin/python -m pytest "${PYTEST[@]}" tests/compat tests/packaging ;;
  esac
}
lane=""
if [ "${#background[@]}" -gt 0 ]; then
  (
    for ((i = 0; i < ${#background[@]}; i += 2)); do run_job "${background[$i]}" "${background[$((i + 1))]}"; done
  ) &
  lane="$!"
fi

if [ "$split" = 1 ]; then
  step "pytest" "$LOGS/pytest.log" .venv/bin/python -m pytest "${PYTEST[@]}" --ignore=tests/compat \
    --ignore=tests/packaging
else
  step "pytest" "$LOGS/pytest.log" .venv/bin/python -m pytest "${PYTEST[@]}" "$@"
fi
for ((i = 0; i < ${#foreground[@]}; i += 2)); do run_job "${foreground[$i]}" "${foreground[$((i + 1))]}"; done
[ -z "$lane" ] || wait "$lane"
jobs_done=("${background[@]}" "${foreground[@]}")
for ((i = 0; i < ${#jobs_done[@]}; i += 2)); do
  name="${jobs_done[$i]}" log="${jobs_done[$((i + 1))]}"
  read -r result took <"$log.result" 2>/dev/null || { result=FAILED; took="?"; }
  record "$name" "$result" "$took" "$log"
done

# The summary: each step, how long it took, and what failed in it.
failed_tests() {  # failed_tests LOG: the failed tests named in a pytest or node:test log, one a line
  local log="$1"
  [ -f "$log" ] || return 0
  # pytest (-rfE): "FAILED tests/x.py::test_y - message" and "ERROR tests/x.py::test_y - ..."
  grep -E '^(FAILED|ERROR) ' "$log" | sed -E 's/ - .*//'
  # node:test, spec reporter: the list after "failing tests:"; TAP: "not ok N - title"
  sed -n '/^✖ failing tests:/,$p' "$log" | grep -E '^✖ ' | grep -v '^✖ failing tests:' | sed -E 's/^✖ //; s/ \([0-9.]+m?s\)$//'
  grep -E '^\s*not ok [0-9]+ - ' "$log" | sed -E 's/^\s*not ok [0-9]+ - //'
}
echo >&2
echo "=== summary" >&2
bad=()
for i in "${!names[@]}"; do
  printf '  %-28s %-8s %5s s\n' "${names[$i]}" "${results[$i]}" "${seconds[$i]}" >&2
  if [ "${results[$i]}" = FAILED ]; then
    bad+=("${names[$i]}")
    if [ -n "${logs[$i]}" ]; then
      named="$(failed_tests "${logs[$i]}" | awk '!seen[$0]++')"
      if [ -n "$named" ]; then
        sed 's/^/      /' <<<"$named" >&2
      else
        echo "      (no test named: see ${logs[$i]})" >&2
      fi
    fi
  fi
done
printf '  %-28s %-8s %5s s\n' "total" "" "$(($(date +%s) - began))" >&2
if [ "${#bad[@]}" -gt 0 ]; then
  printf -v joined '%s, ' "${bad[@]}"
  echo "FAILED: ${joined%, }" >&2
  exit 1
fi
echo "all test steps passed" >&2
