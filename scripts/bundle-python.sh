#!/usr/bin/env bash
# Fill bundled/libs with the language server (the gto_lsp package built from this checkout, not editable)
# and its pure-Python dependencies, so the extension starts `python -m gto_lsp serve` with
# PYTHONPATH=<extension>/bundled/libs and the user never runs pip.
#
# One folder serves every Python from 3.9 on: each library is resolved for Python 3.9
# (`--python-version 3.9 --only-binary=:all: --no-deps`). Versions are the ones installed in .venv
# (`pip freeze`); a pinned version that does not support Python 3.9 is replaced by the newest one that
# does (the script says so). PyYAML's wheel carries a C module for one Python only; PyYAML falls back
# to its pure-Python code everywhere else.
#
# Usage: scripts/bundle-python.sh [--python PY] [--min-python 3.9]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO/bundled/libs"
MIN_PY=3.9
PY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY="$2"; shift 2 ;;
    --min-python) MIN_PY="$2"; shift 2 ;;
    *) echo "bundle-python.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$PY" ]; then
  if [ -x "$REPO/.venv/bin/python" ]; then PY="$REPO/.venv/bin/python"; else PY="$(command -v python3)"; fi
fi
log() { echo "bundle-python.sh: $*" >&2; }

# Libraries the server imports at run time, with the range used when .venv has no pin.
# (name|fallback spec)
LIBS=(
  "pygls|pygls>=2.1,<3"
  "lsprotocol|lsprotocol==2025.0.0"
  "attrs|attrs>=24.3.0"
  "cattrs|cattrs>=23.1.2,!=23.2.1"
  "typing_extensions|typing_extensions>=4.14.0"
  "exceptiongroup|exceptiongroup>=1.1.1"
  "ruamel.yaml|ruamel.yaml>=0.18,<0.20"
  "PyYAML|PyYAML>=6.0"
  "GitPython|GitPython>=3.1.40"
  "gitdb|gitdb>=4.0.1,<5"
  "smmap|smmap>=3.0.1,<6"
  "pathspec|pathspec>=1.0"
)

norm() { echo "$1" | tr 'A-Z_.' 'a-z--'; }
declare -A PINS=()
if [ -x "$REPO/.venv/bin/python" ]; then
  while IFS= read -r line; do
    case "$line" in
      *==*) PINS["$(norm "${line%%==*}")"]="${line#*==}" ;;
    esac
  done < <("$REPO/.venv/bin/python" -m pip freeze --all 2>/dev/null || true)
fi

start=$(date +%s)
TMP="$(mktemp -d "${TMPDIR:-/tmp}/gto-bundle.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
STAGE="$TMP/libs"
mkdir -p "$STAGE"

PIP=("$PY" -m pip --disable-pip-version-check --no-input -q)
TARGET_OPTS=(install --no-deps --only-binary=:all: --python-version "$MIN_PY" --target "$STAGE" --upgrade)

# 1. The server itself, built as a wheel from this checkout.
log "building the gto-lsp wheel from $REPO"
build_opts=()
if "$PY" -c 'import setuptools, wheel' >/dev/null 2>&1; then build_opts+=(--no-build-isolation); fi
"${PIP[@]}" wheel --no-deps "${build_opts[@]}" -w "$TMP/wheel" "$REPO" >&2
"${PIP[@]}" "${TARGET_OPTS[@]}" "$TMP"/wheel/gto_lsp-*.whl >&2

# 2. Its dependencies, one by one.
for entry in "${LIBS[@]}"; do
  name="${entry%%|*}"
  fallback="${entry#*|}"
  pin="${PINS[$(norm "$name")]:-}"
  if [ -n "$pin" ] && "${PIP[@]}" "${TARGET_OPTS[@]}" "$name==$pin" >"$TMP/pip.log" 2>&1; then
    log "$name==$pin"
    continue
  fi
  if [ -n "$pin" ]; then
    log "$name==$pin (from .venv) has no wheel for Python $MIN_PY; using the newest match of '$fallback' instead"
  fi
  if ! "${PIP[@]}" "${TARGET_OPTS[@]}" "$fallback" >"$TMP/pip.log" 2>&1; then
    cat "$TMP/pip.log" >&2
    log "could not bundle $fallback"
    exit 1
  fi
  log "$("$PY" - "$STAGE" "$name" <<'EOF'
import sys, pathlib, re
stage, name = sys.argv[1], sys.argv[2]
want = re.sub(r'[-_.]+', '_', name).lower()
for d in pathlib.Path(stage).glob('*.dist-info'):
    n, _, v = d.name[:-len('.dist-info')].rpartition('-')
    if re.sub(r'[-_.]+', '_', n).lower() == want:
        print(f"{n}=={v}")
EOF
)"
done

# 3. Drop what is not needed at run time.
rm -rf "$STAGE/bin"
find "$STAGE" -name '__pycache__' -type d -prune -exec rm -rf {} +
find "$STAGE" -name '*.pyc' -delete

# 4. Smoke test with the interpreter at hand: the server imports from the bundle alone.
if ! PYTHONPATH="$STAGE" "$PY" -S -c 'import sys; import gto_lsp, pygls, lsprotocol, ruamel.yaml, yaml, git, pathspec; print("ok")' >"$TMP/smoke.log" 2>&1; then
  cat "$TMP/smoke.log" >&2
  log "the bundle does not import"
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$STAGE" "$DEST"
log "bundled/libs ready ($(du -sh "$DEST" | cut -f1), $(( $(date +%s) - start )) s)"
