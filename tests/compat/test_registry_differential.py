"""Differential tests of the registry commands against real GTO 1.10.1 (the gto110 venv).

Every script of SCRIPTS is replayed twice from scratch, once with `gto` and once with `gto-lsp`, on repositories
whose commits are identical (fixed dates, so equal shas). Then:

- each command gives the same exit code, stdout and stderr (known differences: GTO's "Please report it" line
  after an unexpected error, which names GTO's tracker; usage errors, where only the exit code 2 is compared; the
  messages of known_differences.py, clearer where GTO's text is the problem);
- both repositories end with the same tags: names, types, targets and messages;
- real `gto show -d --json` (and `gto show NAME -d --json`) reads the gto-lsp repository exactly as the gto one;
- gto-lsp's state (`gto-lsp show -d --json`, core.registry.state) equals GTO's on both.

STATE_CASES are the spec's state cases (§7, §9), built with plain `git tag -a` at fixed tagger dates: gto-lsp's
state must equal what `gto show` prints, or, where GTO cannot read the registry, say so.

All GTO commands run in one subprocess of the venv (registry_script.py: GTO imported once, one forked child per
script).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from compat import gto_runner as gr
from compat import known_differences
from compat.registry_script import run_script
from gto_lsp.cli import main
from gto_lsp.cli.show import show_json
from gto_lsp.core.registry.read import read_registry
from helpers.git import T0

pytestmark = pytest.mark.compat

REPORT = "Please report it here running with '--traceback' flag: <https://github.com/iterative/gto/issues>"


def commit(label: str, minutes: int, files: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"op": "commit", "label": label, "date": T0 + 60 * minutes, "files": files or {"m.txt": f"{label}\n"}}


def cmd(*args: str) -> dict[str, Any]:
    return {"op": "cmd", "args": list(args)}


def tag(name: str, target: str, message: str, seconds: int) -> dict[str, Any]:
    return {"op": "tag", "name": name, "target": target, "message": message, "date": T0 + seconds}


SCRIPTS: dict[str, list[dict[str, Any]]] = {
    "register": [
        commit("c1", 1),
        cmd("register", "rf"),
        cmd("register", "rf"),
        cmd("register", "rf", "--force"),
        cmd("register", "rf", "--force", "--version", "v0.0.9"),
        cmd("register", "rf", "--version", "v0.0.9"),
        cmd("register", "rf", "{c1}"),
        cmd("register", "other2", "rf@v0.0.1"),
        commit("c2", 2),
        cmd("register", "rf", "--version", "1.0.0"),
        cmd("register", "rf", "--version", "V3.0.0"),
        cmd("register", "rf", "--bump-minor", "--bump-major"),
        cmd("register", "rf", "--version", "v1.0.0", "--bump-minor"),
        cmd("register", "rf", "--bump-minor"),
        commit("c3", 3),
        cmd("register", "rf", "--bump-major"),
        commit("c4", 4),
        cmd("register", "rf", "--version", "v0.5.0"),
        commit("c5", 5),
        cmd("register", "rf", "--bump-patch"),
        commit("c6", 6),
        cmd("register", "rf", "--version", "v2.0.0-rc.1"),
        commit("c7", 7),
        cmd("register", "rf"),
        commit("c8", 8),
        cmd("register", "rf", "--version", "v1.0.0"),
        cmd("register", "fresh", "--bump-minor"),
        cmd("register", "Rf!"),
        cmd("register", "with.dot"),
        cmd("register", "rf", "nosuchref"),
        cmd("register", "rf", "-m", "My own message"),
        commit("c9", 9),
        cmd("register", "rf", "--simple", "false"),
        cmd("register", "rf", "--simple", "maybe"),
        cmd("register", "Rf_Big-1"),
    ],
    "assign": [
        commit("c1", 1),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("assign", "rf", "--stage", "prod", "--force"),
        cmd("assign", "rf", "--stage", "dev", "--simple", "true"),
        cmd("assign", "rf", "--stage", "dev", "--simple", "true", "--force"),
        commit("c2", 2),
        cmd("assign", "rf", "--stage", "dev"),
        cmd("assign", "rf", "--stage", "qa", "--version", "v0.0.1"),
        cmd("assign", "rf", "--stage", "qa", "--version", "v7.7.7"),
        cmd("assign", "rf", "--stage", "qa", "--version", "bad"),
        cmd("assign", "ghost", "--stage", "qa", "--version", "v1.0.0"),
        commit("c3", 3),
        cmd("assign", "rf", "{c3}", "--stage", "prod", "--version", "v0.4.0"),
        cmd("assign", "rf", "{c3}", "--stage", "dev", "--version", "v0.5.0"),
        commit("c4", 4),
        cmd("assign", "rf", "--stage", "canary", "--skip-registration"),
        cmd("assign", "rf", "{c4}", "--stage", "qa", "--version", "v0.6.0", "--skip-registration"),
        cmd("assign", "rf", "--stage", "Prod!"),
        cmd("assign", "rf"),
        cmd("assign", "rf", "--stage", "p", "-m", "by hand"),
        cmd("assign", "other", "{c1}", "--stage", "prod"),
    ],
    "force-back": [
        commit("c1", 1),
        cmd("register", "rf"),
        commit("c2", 2),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "prod", "--version", "v0.0.1"),
        cmd("assign", "rf", "--stage", "prod", "--version", "v0.0.2"),
        cmd("assign", "rf", "--stage", "prod", "--version", "v0.0.1"),
        cmd("assign", "rf", "--stage", "prod", "--version", "v0.0.1", "--force"),
        cmd("show", "--json"),
        cmd("show"),
    ],
    "unassign": [
        commit("c1", 1),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "dev"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf", "v0.0.1", "dev"),
        cmd("deprecate", "rf", "v0.0.1", "dev"),
        cmd("deprecate", "rf", "v0.0.1", "nostage"),
        cmd("deprecate", "rf", "v9.9.9", "prod"),
        cmd("deprecate", "rf", "bad", "prod"),
        cmd("deprecate", "ghost", "v0.0.1", "prod"),
        cmd("deprecate", "rf", "v0.0.1", "prod", "--simple", "true"),
        cmd("deprecate", "rf", "v0.0.1", "prod", "--simple", "true"),
        cmd("show", "--json"),
    ],
    "deregister": [
        commit("c1", 1),
        cmd("register", "rf"),
        commit("c2", 2),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf", "v0.0.1"),
        cmd("deprecate", "rf", "v0.0.1"),
        cmd("deprecate", "rf", "v0.0.1", "--force"),
        cmd("deprecate", "rf", "v0.0.1", "--force", "--simple", "false"),
        cmd("deprecate", "rf", "bad"),
        cmd("deprecate", "rf", "v9.9.9"),
        cmd("register", "rf", "{c1}"),
        cmd("register", "rf", "{c1}", "--force"),
        cmd("deprecate", "rf", "v0.0.2"),
        cmd("show", "--json"),
    ],
    "deprecate": [
        commit("c1", 1),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf"),
        cmd("deprecate", "rf"),
        cmd("show", "--json"),
        cmd("deprecate", "rf", "--force", "--simple", "true"),
        cmd("deprecate", "rf", "--force"),
        cmd("deprecate", "ghost"),
        cmd("deprecate", "Bad!"),
        commit("c2", 2),
        cmd("register", "rf"),
        cmd("show", "--json"),
        cmd("deprecate", "rf", "--ref", "{c1}"),
        cmd("register", "nn"),
        cmd("deprecate", "nn", "--simple", "false"),
        cmd("deprecate", "nn", "--ref", "nosuchref", "--force"),
    ],
    "delete": [
        commit("c1", 1),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "dev"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf", "v0.0.1", "dev"),
        commit("c2", 2),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf", "v0.0.1", "dev", "--delete"),
        cmd("deprecate", "rf", "v0.0.1", "nostage", "--delete"),
        cmd("deprecate", "rf", "v0.0.2", "--delete"),
        cmd("register", "nn"),
        cmd("deprecate", "nn", "v0.0.1"),
        cmd("deprecate", "nn", "v0.0.1", "--delete"),
        cmd("deprecate", "nn", "v0.0.1", "--delete", "--force"),
        cmd("deprecate", "rf", "--delete"),
        cmd("show", "--json"),
    ],
    "dirname": [
        commit("c1", 1),
        cmd("register", "dir:name"),
        cmd("assign", "dir:name", "--stage", "prod"),
        cmd("deprecate", "dir:name", "v0.0.1", "prod"),
        cmd("register", "models/nlp:bert"),
        cmd("deprecate", "models/nlp:bert"),
        cmd("register", "nlp/bert"),
        cmd("assign", "nlp/bert", "--stage", "prod", "--simple", "true"),
        cmd("register", "x.y/z:nn"),
        cmd("register", "a:b:c"),
        cmd("register", "a:"),
        cmd("show", "-d", "--json"),
        cmd("show"),
        cmd("show", "-d"),
    ],
    "gto-stages": [
        {"op": "write", "files": {".gto": "stages: [dev, prod]\n"}},
        commit("c1", 1),
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "qa"),
        cmd("assign", "rf", "--stage", "dev"),
        cmd("deprecate", "rf", "v0.0.1", "qa"),
        cmd("deprecate", "rf", "v0.0.1", "dev"),
        cmd("show", "--json"),
        cmd("show"),
    ],
    "counter": [
        commit("c1", 1),
        cmd("register", "rf"),
        {"op": "ltag", "name": "rf#qa#7", "target": "c1"},
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf", "v0.0.1", "prod"),
        cmd("assign", "other", "--stage", "prod"),
        commit("c2", 2),
        cmd("register", "rf", "--simple", "false"),
    ],
    "annotated": [
        commit("c1", 1, {"artifacts.yaml": "rf:\n  type: model\nnn: {}\n"}),
        cmd("show", "--json"),
        cmd("show"),
        cmd("register", "rf"),
        cmd("deprecate", "rf"),
        cmd("show", "--json"),
        cmd("deprecate", "nn"),
        commit("c2", 2),
        cmd("show", "--json"),
        cmd("deprecate", "rf"),
    ],
}

SCRIPTS["edges"] = [
    commit("c1", 1),
    cmd("register", "rf"),
    cmd("deprecate", "rf", "v0.0.1"),
    cmd("assign", "rf", "--stage", "prod", "--version", "v0.0.1"),
    cmd("assign", "rf", "--stage", "dev"),
    commit("c2", 2),
    {"op": "branch", "name": "side"},
    commit("c3", 3),
    {"op": "checkout", "name": "main"},
    cmd("assign", "rf", "side", "--stage", "qa"),
    cmd("register", "rf", "side"),
    cmd("register", "rf", "{c2}", "--bump-major"),
    cmd("deprecate", "rf", "v0.0.1", "dev", "--force", "--simple", "true"),
    cmd("deprecate", "rf"),
    cmd("deprecate", "rf", "--delete"),
    cmd("deprecate", "rf", "v0.0.2", "qa", "--delete"),
    cmd("deprecate", "rf", "--delete", "--force"),
    cmd("show", "-d", "--json"),
    cmd("register", "rf", "{c1}"),
    {"op": "ltag", "name": "rf#prod#3", "target": "rf@v0.0.1"},
    cmd("assign", "rf", "{c1}", "--stage", "prod"),
]
SCRIPTS["two-versions"] = [
    commit("c1", 1),
    tag("rf@v1.0.0", "c1", "Registering artifact rf version v1.0.0", 100),
    tag("rf@v2.0.0", "c1", "Registering artifact rf version v2.0.0", 110),
    cmd("register", "rf"),
    cmd("assign", "rf", "--stage", "prod"),
    cmd("register", "nn"),
    cmd("deprecate", "rf", "v1.0.0"),
    cmd("show", "--json"),
    tag("rf#prod#1", "c1", "Assigning stage prod to artifact rf version v1.0.0", 120),
    cmd("register", "other"),
    cmd("deprecate", "nn"),
]

SCRIPTS["no-commits"] = [
    cmd("register", "rf"),
    cmd("assign", "rf", "--stage", "prod"),
    cmd("deprecate", "rf", "--force"),
    cmd("show", "--json"),
    commit("c1", 1),
    cmd("promote", "rf", "--stage", "prod"),
]
SCRIPTS["push"] = [
    commit("c1", 1),
    {"op": "remote"},
    cmd("register", "rf", "--push"),
    cmd("assign", "rf", "--stage", "prod", "--push"),
    commit("c2", 2),
    cmd("assign", "rf", "--stage", "dev", "--push"),
    cmd("deprecate", "rf", "v0.0.1", "prod", "--push"),
    cmd("deprecate", "rf", "v0.0.2", "dev", "--delete", "--push"),
    cmd("deprecate", "rf", "--push"),
]

# Scripts where gto-lsp deliberately does something else (README, compatibility notes): {script: {step: why}}.
KNOWN: dict[str, dict[int, str]] = {}

# GTO re-uses the name of a deregistered version and fails; gto-lsp bumps past it.
REUSE = [
    commit("c1", 1),
    cmd("register", "rf"),
    commit("c2", 2),
    cmd("register", "rf"),
    cmd("deprecate", "rf", "v0.0.2"),
    commit("c3", 3),
    cmd("register", "rf"),
    cmd("register", "rf", "--bump-minor"),
]

# A `NAME@created` tag breaks every GTO command; gto-lsp ignores it when writing and says so in `show`.
CREATED = [
    commit("c1", 1),
    tag("rf@created", "c1", "made by hand", 10),
    cmd("register", "rf"),
    cmd("show", "--json"),
]

NO_REMOTE = [commit("c1", 1), cmd("register", "rf", "--push")]

STATE_CASES: dict[str, list[dict[str, Any]]] = {
    "lightweight": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "Registering artifact rf version v1.0.0", 100),
        {"op": "ltag", "name": "rf@v2.0.0", "target": "c1"},
        {"op": "ltag", "name": "rf#prod#2", "target": "c1"},
    ],
    "ref-name-differs": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "Registering artifact rf version v1.0.0", 100),
        {"op": "ltag", "name": "rf#prod#3", "target": "rf@v1.0.0"},
        {"op": "ltag", "name": "nn@v1.0.0", "target": "rf@v1.0.0"},
    ],
    "other-branch": [
        commit("c1", 1),
        {"op": "branch", "name": "side"},
        commit("c2", 2),
        tag("rf@v1.0.0", "c2", "reg", 200),
        tag("rf#prod#1", "c2", "assign", 201),
        {"op": "checkout", "name": "main"},
        tag("rf@v0.1.0", "c1", "reg", 202),
    ],
    "tagger-order": [
        commit("c1", 1),
        commit("c2", 2),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v2.0.0", "c2", "reg", 90),
        tag("rf#prod#1", "c2", "assign", 300),
        tag("rf#prod#2", "c1", "assign", 200),
    ],
    "stage-before-version": [
        commit("c1", 1),
        tag("rf#prod#1", "c1", "assign", 100),
        tag("rf@v1.0.0", "c1", "reg", 200),
    ],
    "skip-then-register": [
        commit("c1", 1),
        tag("rf@v0.0.1", "c1", "reg", 100),
        commit("c2", 2),
        tag("rf#canary#1", "c2", "assign", 200),
        tag("rf@v0.0.2", "c2", "reg", 300),
        tag("rf#prod#2", "c2", "assign", 400),
    ],
    "stage-only-commit": [
        commit("c1", 1),
        tag("rf@v0.0.1", "c1", "reg", 100),
        commit("c2", 2),
        tag("rf#canary#1", "c2", "assign", 200),
        tag("rf#qa#2", "c2", "assign", 210),
        tag("rf#qa!#3", "c2", "unassign", 220),
        tag("model#qa", "c2", "by hand", 230),
    ],
    "reassign-back": [
        commit("c1", 1),
        commit("c2", 2),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v2.0.0", "c2", "reg", 110),
        tag("rf#prod#1", "c1", "a", 120),
        tag("rf#prod#2", "c2", "a", 130),
        tag("rf#prod#3", "c1", "a", 140),
    ],
    "unassign-fallback": [
        commit("c1", 1),
        commit("c2", 2),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v2.0.0", "c2", "reg", 110),
        tag("rf#prod#1", "c1", "a", 120),
        tag("rf#prod#2", "c2", "a", 130),
        tag("rf#prod!#3", "c2", "u", 140),
    ],
    "deregistered": [
        commit("c1", 1),
        commit("c2", 2),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v2.0.0", "c2", "reg", 110),
        tag("rf#prod#1", "c2", "a", 120),
        tag("rf@v2.0.0!", "c2", "dereg", 130),
    ],
    "reregistered": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v1.0.0!", "c1", "dereg", 110),
        tag("rf@v1.0.0#3", "c1", "reg", 120),
        tag("nn@v1.0.0#0", "c1", "reg", 130),
    ],
    "deprecated-then-version": [
        commit("c1", 1),
        commit("c2", 2),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@deprecated", "c1", "dep", 110),
        tag("rf@v2.0.0", "c2", "reg", 120),
        tag("nn@v1.0.0", "c1", "reg", 100),
        tag("nn@deprecated", "c1", "dep", 130),
    ],
    "same-second": [
        commit("c1", 1),
        commit("c2", 2),
        tag("rf2@v1.0.0", "c1", "reg", 100),
        tag("rf2@deprecated#2", "c1", "dep", 100),
        tag("rf3@v1.0.0", "c1", "reg", 100),
        tag("rf3@v2.0.0", "c2", "reg", 100),
        tag("rf3#prod#1", "c1", "a", 110),
        tag("rf3#prod#2", "c2", "a", 110),
        tag("rf4@v1.0.0", "c1", "reg", 100),
        tag("rf4@v2.0.0", "c2", "reg", 100),
        tag("rf4#prod#2", "c1", "a", 110),
        tag("rf4#prod#1", "c2", "a", 110),
        tag("rf5@v1.0.0", "c1", "reg", 100),
        tag("rf5#prod#1", "c1", "a", 110),
        tag("rf5#prod!#2", "c1", "u", 110),
    ],
    "prerelease-build": [
        commit("c1", 1),
        commit("c2", 2),
        commit("c3", 3),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v1.0.0+build.5", "c2", "reg", 110),
        tag("rf@v1.0.0-rc.1", "c3", "reg", 120),
        tag("nn@v1.0.0+build.5", "c1", "reg", 100),
        tag("nn@v1.0.0", "c2", "reg", 110),
    ],
    "commit-date-counts": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@deprecated", "c1", "dep", 110),
        commit("c2", 10),
        tag("rf@v2.0.0", "c2", "reg", 50),
    ],
    "revive": [
        commit("c1", 1, {"artifacts.yaml": "rf:\n  type: model\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@deprecated", "c1", "dep", 110),
        commit("c2", 5),
    ],
    "deprecated-annotated": [
        commit("c1", 1, {"artifacts.yaml": "rf:\n  type: model\nnn: {}\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@deprecated", "c1", "dep", 110),
    ],
    "two-versions-one-commit": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v2.0.0", "c1", "reg", 110),
    ],
    "two-versions-and-stage": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v2.0.0", "c1", "reg", 110),
        tag("rf#prod#1", "c1", "a", 120),
    ],
    "created-tag": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@created", "c1", "c", 110),
    ],
    "foreign-tags": [
        commit("c1", 1),
        tag("v1.0.0", "c1", "x", 100),
        tag("release-1", "c1", "x", 100),
        tag("rf@v1", "c1", "x", 100),
        tag("rf@latest", "c1", "x", 100),
        tag("rf#prod#x", "c1", "x", 100),
        tag("rf@v1.0.0", "c1", "reg", 110),
        tag("rf#Prod_1#1", "c1", "a", 120),
        tag("Rf_Big-1@v0.0.1", "c1", "reg", 130),
    ],
    "dirname": [
        commit("c1", 1),
        tag("dir=name@v0.0.1", "c1", "reg", 100),
        tag("dir=name#prod#1", "c1", "a", 110),
        tag("models/nlp=bert@v0.0.1", "c1", "reg", 120),
        tag("models/nlp=bert@deprecated", "c1", "dep", 130),
        tag("nlp/bert@v1.0.0", "c1", "reg", 140),
    ],
    "broken-index-at-head": [
        commit("c1", 1, {"artifacts.yaml": "rf: [\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
    ],
    "broken-index-at-a-version": [
        commit("c1", 1, {"artifacts.yaml": "rf: [\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
        commit("c2", 2, {"artifacts.yaml": "rf:\n  type: model\n"}),
        tag("rf@v2.0.0", "c2", "reg", 200),
    ],
    "broken-index-untagged": [
        commit("c1", 1, {"artifacts.yaml": "rf: [\n"}),
        commit("c2", 2, {"artifacts.yaml": "rf:\n  type: model\n"}),
        tag("rf@v2.0.0", "c2", "reg", 200),
    ],
    "foreign-index-at-head": [
        commit("c1", 1, {"artifacts.yaml": "- a\n- b\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
    ],
    "index-with-unknown-fields": [
        commit("c1", 1, {"artifacts.yaml": "rf:\n  type: model\n  descripton: typo\nnn:\n  labels: [a, a]\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
    ],
    "index-type-not-allowed": [
        {"op": "write", "files": {".gto": "types: [model]\n"}},
        commit("c1", 1, {"artifacts.yaml": "rf:\n  type: dataset\n"}),
        tag("rf@v1.0.0", "c1", "reg", 100),
    ],
    "many-on-one-commit": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf#dev#1", "c1", "a", 110),
        tag("rf#prod#2", "c1", "a", 120),
        tag("rf#qa#3", "c1", "a", 130),
        tag("rf#dev!#4", "c1", "u", 140),
        tag("nn@v1.0.0", "c1", "reg", 100),
        tag("other@v3.0.0", "c1", "reg", 100),
    ],
}


# --- running ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def our_env() -> Iterator[None]:
    """The environment GTO runs in (gto_runner.gto_env), for gto-lsp run in this process."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(gr.gto_env())
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def ours(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out, err)
    return code, out.getvalue(), err.getvalue()


def our_shows(repo: str) -> dict[str, Any]:
    registry = read_registry(repo)
    from gto_lsp.core.config import read_config

    return {
        "json": show_json(registry, read_config(Path(repo)).stages, deprecated=True),
        "error": registry.error,
        "registry": registry,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    python = gr.venv_python("gto110")
    if python is None:
        pytest.skip(gr.missing_venv_message("gto110"))
    base = tmp_path_factory.mktemp("regdiff")
    scripts = {**SCRIPTS, "reuse": REUSE, "created": CREATED, "push-no-remote": NO_REMOTE}
    mine: dict[str, Any] = {}
    with our_env():
        for name, steps in scripts.items():
            mine[name] = run_script(str(base / "ours" / name), steps, ours)
    jobs: list[dict[str, Any]] = []
    for name, steps in scripts.items():
        jobs.append({"repo": str(base / "gto" / name), "steps": steps, "reads": [str(base / "gto" / name)]})
        jobs.append({"repo": str(base / "ours" / name), "steps": None, "reads": [str(base / "ours" / name)]})
    for name, steps in STATE_CASES.items():
        jobs.append({"repo": str(base / "state" / name), "steps": steps, "reads": [str(base / "state" / name)]})
    jobs_file, out_file = base / "jobs.json", base / "out.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    script = Path(__file__).with_name("registry_script.py")
    proc = subprocess.run(
        [str(python), str(script), str(jobs_file), str(out_file)],
        env=gr.gto_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out_file.read_text(encoding="utf-8"))
    by_repo: dict[str, Any] = {}
    for job, result in zip(jobs, results):
        assert "crash" not in result, result
        by_repo[job["repo"]] = result
    with our_env():
        our_reads = {repo: our_shows(repo) for repo in by_repo}
    return {"base": base, "ours": mine, "gto": by_repo, "our_reads": our_reads}


def gto_run(runs: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    run: dict[str, Any] = runs["gto"][str(runs["base"] / kind / name)]
    return run


def gto_read(runs: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    repo = str(runs["base"] / kind / name)
    read: dict[str, Any] = runs["gto"][repo]["reads"][repo]
    return read


def our_read(runs: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    read: dict[str, Any] = runs["our_reads"][str(runs["base"] / kind / name)]
    return read


def gto_error(err: str) -> str:
    """GTO's error line: not its log lines (`2026-... [WARNING] gto: ...`), not the line asking for a report."""
    lines = [ln for ln in err.strip().splitlines() if ln.strip() != REPORT and " [WARNING] " not in ln]
    return lines[0] if lines else ""


def normalized(result: dict[str, Any]) -> tuple[int, str, str]:
    err = "".join(ln for ln in result["err"].splitlines(keepends=True) if ln.strip() != REPORT)
    if result["code"] == 2:  # usage errors: click's text and argparse's differ
        return 2, "", ""
    return result["code"], result["out"], err


def versions_view(versions: Any) -> Any:
    """`gto show NAME -d --json` as comparable facts: the SemVer versions (is it active) and the sha-named ones."""
    if isinstance(versions, dict):
        return versions  # an error
    semver = sorted({(v["version"], v["is_active"]) for v in versions if v["version"].startswith("v")})
    shas = sorted({v["version"] for v in versions if not v["version"].startswith("v")})
    return {"semver": semver, "sha": shas}


def our_versions_view(art: Any, head: str | None) -> Any:
    semver = sorted({(v.version, v.active) for v in art.versions if v.version.startswith("v")})
    shas = {v.version for v in art.versions if not v.version.startswith("v")}
    if any(e.kind == "commit" and e.commit == head and e.version == head for e in art.events):
        shas.add(head)  # GTO lists HEAD as a version of an artifact annotated there
    return {"semver": semver, "sha": sorted(shas)}


# --- command sequences -------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_same_outputs_and_exit_codes(runs: dict[str, Any], script: str) -> None:
    theirs = gto_run(runs, "gto", script)["results"]
    mine = runs["ours"][script]["results"]
    assert len(theirs) == len(mine)
    for index, (t, m) in enumerate(zip(theirs, mine)):
        if index in KNOWN.get(script, {}):
            continue
        (mc, mo, me), (tc, to, te) = normalized(m), normalized(t)
        assert (mc, mo) == (tc, to), f"step {index}: {t['args']}"
        # GTO's text, or a clearer one of ours where GTO's is the problem (known_differences.py)
        assert me == te or known_differences.same_stderr(me, te), f"step {index}: {t['args']}\n{me!r}\n{te!r}"


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_same_tags(runs: dict[str, Any], script: str) -> None:
    assert runs["ours"][script]["tags"] == gto_run(runs, "gto", script)["tags"]
    assert runs["ours"][script]["labels"] == gto_run(runs, "gto", script)["labels"]


def test_push_sends_the_same_tags(runs: dict[str, Any]) -> None:
    """Only the created tags reach the remote (not the branch), and deleted ones leave it."""
    mine = runs["ours"]["push"]["remote_tags"]
    assert mine == gto_run(runs, "gto", "push")["remote_tags"]
    assert [t[0] for t in mine] == ["rf#prod!#3", "rf#prod#1", "rf@deprecated", "rf@v0.0.1", "rf@v0.0.2"]


def test_push_without_remote(runs: dict[str, Any]) -> None:
    """Known difference: GTO says `git push origin T` failed; gto-lsp says there is no remote. Both exit 1 and
    keep the local tag."""
    theirs, mine = gto_run(runs, "gto", "push-no-remote"), runs["ours"]["push-no-remote"]
    assert [r["code"] for r in theirs["results"]] == [r["code"] for r in mine["results"]] == [1]
    assert theirs["results"][0]["err"].strip() == (
        "The command `git push origin rf@v0.0.1` failed. Make sure your local repository is in sync with the remote."
    )
    assert mine["results"][0]["err"].startswith("The repository has no remote: nothing to push to.")
    assert mine["results"][0]["out"] == theirs["results"][0]["out"]
    assert mine["tags"] == theirs["tags"]


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_gto_reads_our_tags_as_its_own(runs: dict[str, Any], script: str) -> None:
    theirs, mine = gto_read(runs, "gto", script), gto_read(runs, "ours", script)
    assert (mine["code"], mine["err"]) == (theirs["code"], theirs["err"])
    assert mine["json"] == theirs["json"]
    assert {n: versions_view(v) for n, v in mine["versions"].items()} == {
        n: versions_view(v) for n, v in theirs["versions"].items()
    }


@pytest.mark.parametrize("script", list(SCRIPTS))
@pytest.mark.parametrize("kind", ["gto", "ours"])
def test_our_state_equals_gto_show(runs: dict[str, Any], script: str, kind: str) -> None:
    theirs, mine = gto_read(runs, kind, script), our_read(runs, kind, script)
    if theirs["code"] != 0:  # GTO cannot read the registry the script left: gto-lsp says so, with GTO's message
        assert mine["error"] == gto_error(theirs["err"])
        return
    assert mine["error"] is None
    assert mine["json"] == theirs["json"]


def test_reused_version_after_deregistering_is_bumped_past(runs: dict[str, Any]) -> None:
    """Known difference: GTO bumps v0.0.1 to v0.0.2 again, whose tag exists, and fails (a --bump-minor then
    works); gto-lsp registers v0.0.3."""
    theirs = gto_run(runs, "gto", "reuse")["results"]
    mine = runs["ours"]["reuse"]["results"]
    assert [r["code"] for r in theirs] == [0, 0, 0, 1, 0]
    assert theirs[3]["err"].strip() == "tag 'rf@v0.0.2' already exists"
    assert [r["code"] for r in mine] == [0, 0, 0, 0, 1]
    assert mine[3]["out"].startswith("Created git tag 'rf@v0.0.3' that registers version")
    assert mine[4]["err"].strip() == "'rf' is already registered in this commit with version 'v0.0.3'"
    gto_on_ours = gto_read(runs, "ours", "reuse")
    assert gto_on_ours["json"]["rf"]["version"] == "v0.0.3"
    assert our_read(runs, "ours", "reuse")["json"] == gto_on_ours["json"]


def test_created_tag_is_ignored_and_reported(runs: dict[str, Any]) -> None:
    """Known difference: a NAME@created tag makes every GTO command fail; gto-lsp writes, and show says so."""
    theirs = gto_run(runs, "gto", "created")["results"]
    mine = runs["ours"]["created"]["results"]
    assert [(r["code"], r["err"].splitlines()[0]) for r in theirs] == [(1, "Unexpected error: 'action'")] * 2
    assert mine[0]["code"] == 0 and mine[0]["out"].startswith("Created git tag 'rf@v0.0.1'")
    assert mine[1]["code"] == 1
    assert "GTO cannot read this registry" in mine[1]["err"] and "'action'" in mine[1]["err"]
    assert json.loads(mine[1]["out"])["rf"]["version"] == "v0.0.1"


# --- the spec's state cases, tags made with `git tag -a` --------------------------------------------------


@pytest.mark.parametrize("case", list(STATE_CASES))
def test_state_case_equals_gto_show(runs: dict[str, Any], case: str) -> None:
    theirs, mine = gto_read(runs, "state", case), our_read(runs, "state", case)
    if theirs["code"] != 0:
        # GTO cannot read this registry: gto-lsp says so, with GTO's message.
        message = gto_error(theirs["err"])
        assert mine["error"] == message
        assert all(a.error == message for a in mine["registry"].artifacts.values())
        return
    assert mine["error"] is None
    assert mine["json"] == theirs["json"]
    registry = mine["registry"]
    for name, versions in theirs["versions"].items():
        assert our_versions_view(registry.artifacts[name], registry.head) == versions_view(versions), name
