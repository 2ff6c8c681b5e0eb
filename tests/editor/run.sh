#!/usr/bin/env bash
# The real-editor tests (`npm run test:editor`): installs code-server 4.100.3 if needed (scripts/code-server.sh),
# builds the .vsix (npm run package) unless GTO_VSIX names one, then runs under node's test runner:
#   1. in-editor integration tests in the real extension host (trusted workspace, then Restricted Mode);
#   2. a UI test in headless Chromium against code-server (screenshots in test-output/screenshots/).
# GTO_UPDATE_SCREENSHOT=1 also copies the README screenshots to images/screenshot.png, images/dvc-yaml.png,
# images/dvc-pipeline.png and images/registry-view.png.
# Needs `npm ci` first. Exits non-zero on any failure.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
start=$(date +%s)
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/vscode-languageclient ]; then
  echo "tests/editor/run.sh: node_modules is missing: run 'npm ci' first" >&2
  exit 1
fi
CODE_SERVER="$(bash scripts/code-server.sh | tail -n 1)"
mkdir -p test-output
if [ -z "${GTO_VSIX:-}" ]; then
  echo "tests/editor/run.sh: building the .vsix" >&2
  npm run -s package >test-output/package.log 2>&1 || { cat test-output/package.log >&2; exit 1; }
fi
set +e
GTO_CODE_SERVER="$CODE_SERVER" node --test --test-reporter=spec --test-reporter-destination=stdout \
  tests/editor/editor.test.js
rc=$?
set -e
echo "tests/editor/run.sh: finished in $(( $(date +%s) - start )) s (exit $rc)" >&2
exit $rc
