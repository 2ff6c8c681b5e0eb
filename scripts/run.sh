#!/usr/bin/env bash
# "Run it": sets everything up, builds the demo repository (demo/ with commits and GTO tags) and opens the
# GTO Artifacts extension in a real VS Code on it: the local `code` when there is one, otherwise code-server
# on 127.0.0.1 (the URL is printed). Also shows `gto-lsp check` on the demo, the same checks the editor shows.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh
DEMO="$(bash scripts/demo-repo.sh)"
echo
echo "Demo repository: $DEMO"
echo "\$ gto-lsp check   (the problems the editor shows too)"
(cd "$DEMO" && "$REPO/.venv/bin/gto-lsp" check) || true
echo
if [ -f scripts/run-editor.sh ]; then
  exec bash scripts/run-editor.sh "$DEMO"
fi
echo "The editor launcher is not built yet; try: cd $DEMO && $REPO/.venv/bin/gto-lsp annotate churn --label ml"
