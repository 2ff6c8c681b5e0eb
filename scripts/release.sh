#!/usr/bin/env bash
# Builds every package of a release into dist/ (emptied first; --out DIR elsewhere):
#   gto_lsp-<v>-py3-none-any.whl, gto_lsp-<v>.tar.gz   `python -m build`, then `twine check --strict`
#   gto-artifacts-<v>.vsix                              universal: pure-Python libraries (PyYAML without libyaml)
#   gto-artifacts-<target>-<v>.vsix                     one per `vsce package --target`: plus PyYAML's libyaml
#                                                       module for CPython 3.9-3.13 on that platform
# The version is gto_lsp.__version__ (server/gto_lsp/__init__.py); package.json must say the same (checked here
# and by tests/test_version.py). Needs the network (build's isolated setuptools, pip downloads) and `npm ci`.
#
# Usage: scripts/release.sh [--targets "linux-x64 darwin-arm64 ..."] [--python PY] [--out DIR]
#   `host` in --targets names the platform of this machine (tests/packaging/test_release.py builds only that one).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
ALL_TARGETS="linux-x64 linux-arm64 alpine-x64 alpine-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64"
TARGETS="$ALL_TARGETS"
PY=""
OUT="$REPO/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --out) mkdir -p "$2"; OUT="$(cd "$2" && pwd)"; shift 2 ;;
    --python) PY="$2"; shift 2 ;;
    *) echo "release.sh: unknown argument $1 (see the comment at the top of scripts/release.sh)" >&2; exit 2 ;;
  esac
done
if [ -z "$PY" ]; then
  if [ -x "$REPO/.venv/bin/python" ]; then PY="$REPO/.venv/bin/python"; else PY="$(command -v python3)"; fi
fi
log() { echo "release.sh: $*" >&2; }

host_target() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux; if ldd --version 2>&1 | grep -qi musl; then os=alpine; fi ;;
    Darwin) os=darwin ;;
    *) os=win32 ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) log "no vsce target for the machine $(uname -m)"; exit 2 ;;
  esac
  echo "$os-$arch"
}
resolved=""
for target in $TARGETS; do
  if [ "$target" = host ]; then target="$(host_target)"; fi
  resolved="$resolved $target"
done
TARGETS="${resolved# }"

VERSION="$("$PY" -c 'import ast, sys
tree = ast.parse(open("server/gto_lsp/__init__.py", encoding="utf-8").read())
print(next(n.value.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "__version__"))')"
PKG_VERSION="$(node -p 'require("./package.json").version')"
if [ "$VERSION" != "$PKG_VERSION" ]; then
  log "package.json says $PKG_VERSION but gto_lsp.__version__ is $VERSION: set package.json's version to $VERSION"
  exit 1
fi
[ -x node_modules/.bin/vsce ] || { log "node_modules/.bin/vsce is missing: run 'npm ci' first"; exit 1; }

case "$OUT" in
  "$REPO"|"$REPO"/server*|"$REPO"/client*|/) log "--out $OUT would empty the sources: name a folder of its own"; exit 2 ;;
esac
start=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT"

log "gto-lsp $VERSION: wheel and sdist ($(( $(date +%s) - start )) s)"
"$PY" -m build --outdir "$OUT" . >"$OUT/.build.log" 2>&1 || { cat "$OUT/.build.log" >&2; exit 1; }
rm -f "$OUT/.build.log"
"$PY" -m twine check --strict "$OUT/gto_lsp-$VERSION-py3-none-any.whl" "$OUT/gto_lsp-$VERSION.tar.gz" >&2

# vsce walks the whole folder before applying .vscodeignore (.venv, .cache, node_modules: minutes per package),
# so each .vsix is packaged from a copy of what .vscodeignore ships; its bundle is the copy's own (the checkout's
# bundled/libs is left alone), built once and given each platform's native modules in turn.
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/gto-release.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
EXT="$STAGE/extension"
npm run -s build -- --production >&2
mkdir -p "$EXT/out" "$EXT/bundled"
cp -r package.json README.md CHANGELOG.md LICENSE .vscodeignore images "$EXT/"
cp -r out/extension "$EXT/out/"
if [ -d resources ]; then cp -r resources "$EXT/"; fi
# The bundle is built: the copy's manifest has no prepublish step to run (there is no esbuild.js in it).
node -e 'const f = process.argv[1]; const p = require(f); delete p.scripts["vscode:prepublish"];
  require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n")' "$EXT/package.json"
package_vsix() {  # package_vsix OUT [TARGET]
  local out="$1" target="${2:-}"
  (cd "$EXT" && "$REPO/node_modules/.bin/vsce" package --no-dependencies ${target:+--target "$target"} -o "$out") >&2
}

log "the universal .vsix ($(( $(date +%s) - start )) s)"
bash scripts/bundle-python.sh --python "$PY" --wheel "$OUT/gto_lsp-$VERSION-py3-none-any.whl" --dest "$EXT/bundled/libs"
package_vsix "$OUT/gto-artifacts-$VERSION.vsix"

for target in $TARGETS; do
  log "the $target .vsix ($(( $(date +%s) - start )) s)"
  bash scripts/bundle-python.sh --python "$PY" --natives-only --target "$target" --dest "$EXT/bundled/libs"
  package_vsix "$OUT/gto-artifacts-$target-$VERSION.vsix" "$target"
done

log "done in $(( $(date +%s) - start )) s:"
ls -l "$OUT" >&2
