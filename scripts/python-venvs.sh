#!/usr/bin/env bash
# The oldest and the newest Python gto-lsp supports (the .vsix bundles libraries for 3.9+), each with gto-lsp
# installed (editable) and its test dependencies, for scripts/test.sh's "python 3.9" and "python 3.13" steps:
#
#   .cache/py-test/3.9    Python 3.9 (pytest-lsp needs 3.10: the server tests run the server on it instead)
#   .cache/py-test/3.13   Python 3.13
#
# The interpreters come from pyenv (~/.pyenv/versions/3.9.*, 3.13.*: the newest patch release) or from
# python3.9 / python3.13 on PATH; PYTHON_OLDEST / PYTHON_NEWEST name others. A version found nowhere is reported
# and left out (test.sh then says its step is skipped). Idempotent: a venv whose stamp matches pyproject.toml
# and its interpreter is left alone. pip's output goes to <venv>.log, shown on failure.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
ROOT="$REPO/.cache/py-test"
mkdir -p "$ROOT"

find_python() {  # find_python 3.9 -> an interpreter path, or nothing
    local minor="$1" candidate
    candidate="$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$minor".* 2>/dev/null | sort -V | tail -1)"
    if [ -n "$candidate" ] && [ -x "$candidate/bin/python" ]; then
        echo "$candidate/bin/python"
    elif command -v "python$minor" >/dev/null 2>&1; then
        command -v "python$minor"
    fi
}

for minor in 3.9 3.13; do
    case "$minor" in
    3.9) python="${PYTHON_OLDEST:-$(find_python 3.9)}" ;;
    *) python="${PYTHON_NEWEST:-$(find_python 3.13)}" ;;
    esac
    venv="$ROOT/$minor"
    if [ -z "$python" ]; then
        echo "python $minor: not found (pyenv install $minor, or set PYTHON_OLDEST/PYTHON_NEWEST); its tests are skipped"
        rm -rf "$venv"
        continue
    fi
    want="$("$python" --version 2>&1) $(sha1sum pyproject.toml | cut -c1-16)"
    if [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$want" ]; then
        echo "python $minor: $venv ($want)"
        continue
    fi
    rm -rf "$venv"
    if ! { "$python" -m venv "$venv" && "$venv/bin/python" -m pip install -q -e ".[dev]"; } >"$venv.log" 2>&1; then
        cat "$venv.log" >&2
        echo "python $minor: install failed ($python)" >&2
        exit 1
    fi
    echo "$want" >"$venv/.stamp"
    echo "python $minor: installed $venv ($want)"
done
