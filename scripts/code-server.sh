#!/usr/bin/env bash
# Install code-server 4.100.3 (VS Code 1.100.3 on Node 20) offline-friendly (no GitHub downloads)
# into "${GTO_CACHE:-$REPO/.cache}/code-server". Idempotent: a second run only checks.
#
# Also installs the Debian packages the editor tests need (chromium, chromium-driver, libkrb5-dev,
# pkg-config, ripgrep) with apt-get when they are missing (needs root).
#
# Why each npm variable is set (see shared/reference/real-editors.md):
#   npm_config_unsafe_perm=true   root runs the install scripts
#   npm_config_nodedir=/usr       native modules build against the local Node headers
#   npm_config_yes=true           node-pty runs `npx node-gyp`; this machine's npm says yes=false
#   TMPDIR with the ripgrep cache @vscode/ripgrep would otherwise download rg from GitHub
#
# Prints the install directory on the last line of stdout.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${GTO_CACHE:-$REPO/.cache}"
DEST="$CACHE/code-server"
CS_VERSION=4.100.3
RG_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

log() { echo "code-server.sh: $*" >&2; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium chromium-driver)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
[ -e /usr/include/gssapi.h ] || [ -e /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  if [ "$(id -u)" != 0 ]; then
    log "not root: install these Debian packages first: ${need_apt[*]}"
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

installed_version() {
  node -e "console.log(require(process.argv[1]).version)" "$DEST/node_modules/code-server/package.json" 2>/dev/null || true
}

if [ "$(installed_version)" = "$CS_VERSION" ] \
   && [ -f "$DEST/node_modules/code-server/lib/vscode/out/server-main.js" ] && [ -f "$DEST/.complete" ]; then
  log "code-server $CS_VERSION already installed in $DEST"
  echo "$DEST"
  exit 0
fi

start=$(date +%s)
mkdir -p "$DEST"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/gto-cs-install.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/$RG_CACHE_NAME" "$TMP/rgpack"
cp "$(command -v rg)" "$TMP/rgpack/rg"
tar czf "$TMP/$RG_CACHE_NAME/$RG_TARBALL" -C "$TMP/rgpack" rg

cd "$DEST"
rm -f .complete
if [ ! -f package.json ]; then
  cat > package.json <<EOF
{ "name": "gto-editor-cache", "version": "0.0.0", "private": true }
EOF
fi
log "npm install code-server@$CS_VERSION (a minute or two)"
TMPDIR="$TMP" npm_config_yes=true npm_config_unsafe_perm=true npm_config_nodedir=/usr \
  npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false \
  npm install --no-save --loglevel=error "code-server@$CS_VERSION" >&2

if [ "$(installed_version)" != "$CS_VERSION" ] || [ ! -f node_modules/code-server/lib/vscode/out/server-main.js ]; then
  log "install failed: node_modules/code-server is incomplete"
  exit 1
fi
touch .complete
log "installed in $(( $(date +%s) - start )) s"
echo "$DEST"
