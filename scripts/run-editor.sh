#!/usr/bin/env bash
# "Run it": build the GTO Artifacts .vsix, install it, and open the demo repository in an editor.
#   - With VS Code's `code` on PATH: installs the .vsix there and opens the demo in VS Code.
#   - Otherwise: code-server 4.100.3 (installed by scripts/code-server.sh) at http://127.0.0.1:${PORT:-8080}/
#     with its own data folders under .cache/, in the foreground (Ctrl+C stops it).
# The demo is a real git repository built from demo/ by scripts/demo-repo.sh into .cache/demo-workspace.
# Usage: scripts/run-editor.sh [DIR] [--no-build] [--code-server]
#   DIR (or --workspace DIR): open DIR instead of the demo; --no-build: reuse the .vsix;
#   --code-server: use code-server even when `code` exists. Needs npm (runs `npm ci` once).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${GTO_CACHE:-$REPO/.cache}"
PORT="${PORT:-8080}"
BUILD=1
WORKSPACE=""
FORCE_CS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0; shift ;;
    --workspace) WORKSPACE="$2"; shift 2 ;;
    --code-server) FORCE_CS=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "run-editor.sh: unknown argument $1" >&2; exit 2 ;;
    *) WORKSPACE="$1"; shift ;;
  esac
done
cd "$REPO"
version="$(node -p "require('./package.json').version")"
VSIX="$REPO/gto-artifacts-$version.vsix"
if [ ! -d node_modules/vscode-languageclient ]; then
  echo "run-editor.sh: installing the extension's npm packages (npm ci)" >&2
  npm ci --loglevel=error >&2
fi
if [ "$BUILD" = 1 ] || [ ! -f "$VSIX" ]; then
  echo "run-editor.sh: building $VSIX" >&2
  npm run -s package >&2
fi
if [ -z "$WORKSPACE" ]; then
  WORKSPACE="$(bash scripts/demo-repo.sh "$CACHE/demo-workspace" | tail -n 1)"
fi

if [ "$FORCE_CS" = 0 ] && command -v code >/dev/null 2>&1; then
  code --install-extension "$VSIX" --force
  code "$WORKSPACE"
  echo "Opened $WORKSPACE in VS Code with GTO Artifacts $version."
  exit 0
fi

CS="$(bash scripts/code-server.sh | tail -n 1)"
DATA="$CACHE/code-server-data"
mkdir -p "$DATA/user/User" "$DATA/xdg/config" "$DATA/xdg/data" "$DATA/xdg/cache"
[ -f "$DATA/config.yaml" ] || printf 'auth: none\ncert: false\n' > "$DATA/config.yaml"
# Quiet defaults, and no auto-save (code-server's web default saves every keystroke); the user's values stay.
node scripts/code-server-settings.js "$DATA/user/User/settings.json"
export XDG_CONFIG_HOME="$DATA/xdg/config" XDG_DATA_HOME="$DATA/xdg/data" XDG_CACHE_HOME="$DATA/xdg/cache"
ENTRY="$CS/node_modules/code-server/out/node/entry.js"
ARGS=(--config "$DATA/config.yaml" --user-data-dir "$DATA/user" --extensions-dir "$DATA/ext")
node "$ENTRY" "${ARGS[@]}" --force --install-extension "$VSIX" >&2
echo
echo "GTO Artifacts $version in code-server: http://127.0.0.1:$PORT/?folder=$WORKSPACE"
echo "(workspace: $WORKSPACE; Ctrl+C stops the server)"
echo
exec node "$ENTRY" "${ARGS[@]}" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
  --disable-update-check --disable-getting-started-override "$WORKSPACE"
