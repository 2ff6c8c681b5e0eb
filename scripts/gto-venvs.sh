#!/usr/bin/env bash
# Install the real-GTO and real-DVC virtualenvs used by the compatibility tests (tests/compat).
#
#   gto110  gto==1.10.1, dependencies as pip resolves them (latest PyPI release; has no
#           annotate CLI, but ships gto.index with the reader and the annotate core)
#   gto028  gto==0.2.8, the last release with the `gto annotate/remove/describe` CLI, pinned to
#           the dependency versions it still works with (pydantic v1, ruamel.yaml 0.17, typer 0.7
#           with click < 8.2, GitPython 3.x)
#   dvc367  dvc==3.67.1 (latest release; pulls in gto 1.10.1), dependencies as pip resolves them:
#           the reader, schema and name warnings of `dvc.yaml` artifacts (tests/compat/dvc_runner.py)
#
# Location: "${GTO_VENVS:-<repo>/.cache/gto-venvs}". Python: "${PYTHON:-python3}".
# Idempotent: a venv whose stamp file matches the pins (and the interpreter) is left alone.
# Prints one line per venv; pip's output goes to <venv>.log and is shown only on failure.
# Usage: scripts/gto-venvs.sh [--force] [gto110|gto028|dvc367 ...]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENVS="${GTO_VENVS:-$REPO/.cache/gto-venvs}"
PYTHON="${PYTHON:-python3}"

PINS_gto110="gto==1.10.1"
# click 8.2+ breaks typer 0.7 (`TyperArgument.make_metavar() takes 1 positional argument`),
# pydantic 2 / ruamel.yaml 0.18+ break gto 0.2.8's models and YAML handling.
PINS_dvc367="dvc==3.67.1"
PINS_gto028="gto==0.2.8 pydantic==1.10.27 ruamel.yaml==0.17.40 typer==0.7.0 click==8.1.8 GitPython==3.1.45 rich==13.9.4"

# Smoke checks run after installing: each must exit 0.
check_gto110() {
    "$1/bin/python" - <<'EOF'
import importlib.metadata as md
from gto.index import RepoIndexManager, state_adapter  # noqa: F401
assert md.version("gto") == "1.10.1", md.version("gto")
EOF
}
check_dvc367() {
    "$1/bin/python" - <<'EOF'
import importlib.metadata as md
from dvc.repo import Repo  # noqa: F401
from dvc.repo.artifacts import Artifacts  # noqa: F401
assert md.version("dvc") == "3.67.1", md.version("dvc")
EOF
}
check_gto028() {
    "$1/bin/gto" annotate --help >/dev/null &&
        "$1/bin/gto" remove --help >/dev/null &&
        "$1/bin/gto" describe --help >/dev/null &&
        "$1/bin/python" -c 'import importlib.metadata as md; assert md.version("gto") == "0.2.8"'
}

force=0
targets=()
for arg in "$@"; do
    case "$arg" in
    --force) force=1 ;;
    gto110 | gto028 | dvc367) targets+=("$arg") ;;
    -h | --help)
        sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "gto-venvs: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(gto110 gto028 dvc367)

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "gto-venvs: '$PYTHON' not found (set PYTHON=...)" >&2
    exit 1
fi
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"

mkdir -p "$VENVS"
# Serialise concurrent runs (e.g. several test sessions starting at once).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENVS/.lock"
    flock 9
fi

install_one() {
    local name="$1" pins_var="PINS_$1"
    local pins="${!pins_var}"
    local dir="$VENVS/$name" log="$VENVS/$name.log"
    local stamp="$dir/.gto-venvs-stamp"
    local want
    # The stamp: the interpreter version, then one pin per line.
    want="$(printf 'python==%s %s' "$PYVER" "$pins" | tr ' ' '\n')"

    if [ "$force" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
        "$dir/bin/python" -c '' >/dev/null 2>&1; then
        echo "gto-venvs: $name up to date ($dir)"
        return 0
    fi

    local start=$SECONDS
    rm -rf "$dir"
    {
        echo "== $(date -u +%FT%TZ) creating $dir with $PYTHON ($PYVER)"
        # shellcheck disable=SC2086  # word-splitting the pin list is intended
        "$PYTHON" -m venv "$dir" &&
            "$dir/bin/python" -m pip install --disable-pip-version-check --no-input -q $pins &&
            echo "== smoke check" && "check_$name" "$dir" &&
            echo "== installed" && "$dir/bin/python" -m pip freeze --disable-pip-version-check
    } >"$log" 2>&1 || {
        echo "gto-venvs: installing $name failed; last lines of $log:" >&2
        tail -n 30 "$log" >&2
        rm -rf "$dir"
        return 1
    }
    "$dir/bin/python" -m pip freeze --disable-pip-version-check >"$dir/freeze.txt" 2>/dev/null || true
    printf '%s\n' "$want" >"$stamp.tmp" && mv "$stamp.tmp" "$stamp"
    echo "gto-venvs: $name installed in $((SECONDS - start))s ($dir)"
}

status=0
for t in "${targets[@]}"; do
    install_one "$t" || status=1
done
exit $status
