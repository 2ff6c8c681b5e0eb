#!/usr/bin/env bash
# Fill bundled/libs with the language server (the gto_lsp package built from this checkout, not editable)
# and its pure-Python dependencies, so the extension starts `python -m gto_lsp serve` with
# PYTHONPATH=<extension>/bundled/libs and the user never runs pip.
#
# One folder serves every Python from 3.9 on: each library is resolved for Python 3.9
# (`--python-version 3.9 --only-binary=:all: --no-deps`). Versions are the ones installed in .venv
# (`pip freeze`); a pinned version that does not support Python 3.9 is replaced by the newest one that
# does (the script says so).
#
# The fast YAML parser (PyYAML's libyaml module, yaml/_yaml.*.so|pyd) is native code: the universal bundle has
# none (PyYAML runs its pure-Python code, same results, slower). With --target (a `vsce package --target`
# platform) the bundle gets that module for that platform and each CPython 3.9-3.13, taken from PyYAML's own
# binary wheels. Each file is named with its ABI tag (`_yaml.cpython-311-x86_64-linux-gnu.so`,
# `_yaml.cp311-win_amd64.pyd`), so the running Python loads the one built for it and ignores the others; a
# Python with none (3.14, another platform) falls back to pure Python without error.
#
# Usage: scripts/bundle-python.sh [--python PY] [--min-python 3.9] [--wheel gto_lsp-*.whl] [--target T] [--dest DIR]
#        scripts/bundle-python.sh --natives-only --target T|universal [--dest DIR]   (swap only the native modules
#        of an existing bundle: the release script packages every platform from one bundle)
# --dest: the folder to fill instead of bundled/libs (the release script's own copy).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO/bundled/libs"
MIN_PY=3.9
PY=""
WHEEL=""
TARGET="universal"
NATIVES_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY="$2"; shift 2 ;;
    --min-python) MIN_PY="$2"; shift 2 ;;
    --wheel) WHEEL="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --natives-only) NATIVES_ONLY=1; shift ;;
    --dest) DEST="$2"; shift 2 ;;
    *) echo "bundle-python.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$PY" ]; then
  if [ -x "$REPO/.venv/bin/python" ]; then PY="$REPO/.venv/bin/python"; else PY="$(command -v python3)"; fi
fi
log() { echo "bundle-python.sh: $*" >&2; }

# The CPython versions whose libyaml module a platform bundle carries, and each vsce target's wheel platforms
# (pip widens each to the older tags it accepts).
NATIVE_PYTHONS=(3.9 3.10 3.11 3.12 3.13)
platform_tags() {
  case "$1" in
    linux-x64) echo "manylinux_2_17_x86_64 manylinux2014_x86_64" ;;
    linux-arm64) echo "manylinux_2_17_aarch64 manylinux2014_aarch64" ;;
    alpine-x64) echo "musllinux_1_1_x86_64 musllinux_1_2_x86_64" ;;
    alpine-arm64) echo "musllinux_1_1_aarch64 musllinux_1_2_aarch64" ;;
    darwin-x64) echo "macosx_10_9_x86_64 macosx_11_0_x86_64 macosx_10_9_universal2" ;;
    darwin-arm64) echo "macosx_11_0_arm64 macosx_10_9_universal2" ;;
    win32-x64) echo "win_amd64" ;;
    win32-arm64) echo "win_arm64" ;;
    universal) echo "" ;;
    *) return 1 ;;
  esac
}
if ! platform_tags "$TARGET" >/dev/null; then
  log "unknown --target $TARGET: one of linux-x64 linux-arm64 alpine-x64 alpine-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64 universal"
  exit 2
fi

# Replaces the native modules in LIBS/yaml with TARGET's (none for universal), one per CPython of NATIVE_PYTHONS
# that PyYAML publishes a wheel for; the PyYAML version is the one in LIBS (its pure-Python part must match).
swap_natives() {
  local libs="$1" work="$2" version tags py abi got=()
  find "$libs/yaml" "$libs/_yaml" -maxdepth 1 \( -name '*.so' -o -name '*.pyd' \) -delete 2>/dev/null || true
  tags="$(platform_tags "$TARGET")"
  [ -n "$tags" ] || { log "universal: PyYAML without libyaml (pure Python)"; return 0; }
  version="$(basename "$(ls -d "$libs"/[Pp][Yy][Yy][Aa][Mm][Ll]-*.dist-info)" .dist-info)"
  version="${version#*-}"
  for py in "${NATIVE_PYTHONS[@]}"; do
    abi="cp${py/./}"
    rm -rf "$work/natives"
    mkdir -p "$work/natives"
    local platform_opts=()
    for tag in $tags; do platform_opts+=(--platform "$tag"); done
    if ! "$PY" -m pip --disable-pip-version-check --no-input -q download --no-deps --only-binary=:all: \
      "${platform_opts[@]}" --python-version "$py" --implementation cp --abi "$abi" \
      -d "$work/natives" "PyYAML==$version" >"$work/natives.log" 2>&1; then
      log "$TARGET: no PyYAML $version wheel for CPython $py (that Python runs pure Python)"
      continue
    fi
    "$PY" - "$work"/natives/*.whl "$libs" <<'PYEOF'
import sys, zipfile
wheel, libs = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("yaml/_yaml.") and name.endswith((".so", ".pyd")):
            z.extract(name, libs)
PYEOF
    got+=("$py")
  done
  log "$TARGET: libyaml for CPython ${got[*]:-none} (PyYAML $version)"
}

if [ "$NATIVES_ONLY" = 1 ]; then
  [ -d "$DEST/yaml" ] || { log "--natives-only needs bundled/libs: run scripts/bundle-python.sh first"; exit 2; }
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/gto-natives.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  swap_natives "$DEST" "$WORK"
  exit 0
fi

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

# 1. The server itself: the wheel given, or one built from this checkout (pyproject's build requirements).
if [ -z "$WHEEL" ]; then
  log "building the gto-lsp wheel from $REPO"
  "${PIP[@]}" wheel --no-deps -w "$TMP/wheel" "$REPO" >&2
  WHEEL="$(ls "$TMP"/wheel/gto_lsp-*.whl)"
fi
"${PIP[@]}" "${TARGET_OPTS[@]}" "$WHEEL" >&2

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

# 3. Drop what is not needed at run time; the native modules are the target's.
rm -rf "$STAGE/bin"
swap_natives "$STAGE" "$TMP"
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
