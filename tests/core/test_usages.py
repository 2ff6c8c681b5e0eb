"""The finder of an artifact's uses outside the annotations files (core/usages.py): text in, spans out."""

from __future__ import annotations

import pytest

from gto_lsp.core.problems import Pos
from gto_lsp.core.usages import PYTHON, SCRIPT, is_binary, kind_of, split_use, use_at, uses, uses_of


def spelled(text: str, kind: str, folder: str, name: str) -> list[tuple[int, str]]:
    """(line, the line with the use bracketed) of each use of folder:name."""
    lines = text.split("\n")
    out = []
    for use in uses_of(text, kind, folder, name):
        assert use.span.start.line == use.span.end.line
        line = lines[use.span.start.line]
        start, end = use.span.start.col, use.span.end.col
        assert line[start:end] == name
        out.append((use.span.start.line, line[:start] + "[" + line[start:end] + "]" + line[end:]))
    return out


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("train.py", PYTHON),
        ("src/pkg/api.py", PYTHON),
        ("deploy.sh", SCRIPT),
        ("Makefile", SCRIPT),
        ("ci/rules.mk", SCRIPT),
        ("README.md", SCRIPT),
        (".github/workflows/deploy.yml", SCRIPT),
        (".github/workflows/deploy.yaml", SCRIPT),
        (".gitlab-ci.yml", SCRIPT),
        (".circleci/config.yml", SCRIPT),
        ("params.yaml", None),
        ("dvc.yaml", None),
        ("model.pkl", None),
        ("notes.txt", None),
    ],
)
def test_kind_of(path: str, kind: str | None) -> None:
    assert kind_of(path) == kind


def test_binary() -> None:
    assert is_binary(b"abc\0def") and not is_binary(b"gto show rf\n")


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("rf", ("", "rf", 0)),
        ("dir:rf", ("dir", "rf", 4)),
        ("a/b/dvc.yaml:rf", ("a/b", "rf", 13)),
        ("dvc.yaml:rf", ("", "rf", 9)),
        ("a/b=rf", ("a/b", "rf", 4)),
        ("rf@v1.0.0", ("", "rf", 0)),
        ("dir:rf#prod", ("dir", "rf", 4)),
        ("models/rf", ("", "models/rf", 0)),
        ("-rf", None),
        ("rf-", None),
        ("r f", None),
        ("", None),
        ("../x:rf", None),
    ],
)
def test_split_use(value: str, found: tuple[str, str, int] | None) -> None:
    assert split_use(value) == found


PY = """\
import dvc.api
from dvc.api import artifacts_show
from gto.api import register as reg
import gto.api
from gto import api

dvc.api.artifacts_show("rf")
artifacts_show(name='rf', stage="prod")
artifacts_show(name="rf2")
artifacts_show("rf-big")
artifacts_show("dir:rf")
live.log_artifact("model.pkl", type="model", name="rf")
Live().log_artifact("rf", name="other")
gto.api.register(".", "rf", "HEAD")
api.assign(repo=".", name="rf", stage="prod")
api.history(".", artifact="rf")
reg(".", "rf@v1.0.0", "HEAD")
register(".", "rf")  # not GTO's: a local function
# artifacts_show("rf") in a comment
'''artifacts_show("rf")'''
x = f"rf"
artifacts_show(f"rf")
artifacts_show("r" "f")
artifacts_show("rf\\n")
print("rf")
artifacts_show(r"rf")
"""


def test_python_calls() -> None:
    assert spelled(PY, PYTHON, "", "rf") == [
        (6, 'dvc.api.artifacts_show("[rf]")'),
        (7, "artifacts_show(name='[rf]', stage=\"prod\")"),
        (11, 'live.log_artifact("model.pkl", type="model", name="[rf]")'),
        (13, 'gto.api.register(".", "[rf]", "HEAD")'),
        (14, 'api.assign(repo=".", name="[rf]", stage="prod")'),
        (15, 'api.history(".", artifact="[rf]")'),
        (16, 'reg(".", "[rf]@v1.0.0", "HEAD")'),
        (25, 'artifacts_show(r"[rf]")'),
    ]
    assert spelled(PY, PYTHON, "dir", "rf") == [(10, 'artifacts_show("dir:[rf]")')]
    assert [u.span.start.line for u in uses_of(PY, PYTHON, "", "rf-big")] == [9]
    assert uses_of(PY, PYTHON, "", "other") and not uses_of(PY, PYTHON, "", "model.pkl")


def test_python_positions_count_code_points() -> None:
    text = 'x = "é😀"; artifacts_show("rf")\n'
    (use,) = uses_of(text, PYTHON, "", "rf")
    assert use.span.start == Pos(0, text.index("rf")) and use.span.end.col == text.index("rf") + 2


def test_python_that_does_not_parse_has_no_use() -> None:
    assert uses('artifacts_show("rf"\n', PYTHON) == []
    assert uses("(" * 500 + ")" * 500, PYTHON) == []


SH = """\
#!/bin/sh
gto register rf --version v1.0.0
gto assign --stage prod rf HEAD
gto show rf2; gto show rf-big && gto show models/rf
gto show "rf#prod" | grep v1
.venv/bin/gto deprecate 'rf'
gto-lsp annotate dir:rf --type model
gto-lsp migrate rf dir=rf other \\
   rf
echo rf; mygto show rf; gto stages rf
# gto show rf
git push origin rf@v1.0.0 dir=rf#prod#2 rf2@v1.0.0 rf@latest
echo issue#12 rf@v1 rf@v1.2 rf.pkl@v1.0.0
gto show -r . rf@greatest --json
"""


def test_script_commands_and_tags() -> None:
    assert spelled(SH, SCRIPT, "", "rf") == [
        (1, "gto register [rf] --version v1.0.0"),
        (2, "gto assign --stage prod [rf] HEAD"),
        (4, 'gto show "[rf]#prod" | grep v1'),
        (5, ".venv/bin/gto deprecate '[rf]'"),
        (7, "gto-lsp migrate [rf] dir=rf other \\"),
        (8, "   [rf]"),
        (10, "# gto show [rf]"),
        (11, "git push origin [rf]@v1.0.0 dir=rf#prod#2 rf2@v1.0.0 rf@latest"),
        (11, "git push origin rf@v1.0.0 dir=rf#prod#2 rf2@v1.0.0 [rf]@latest"),
        (13, "gto show -r . [rf]@greatest --json"),
    ]
    assert spelled(SH, SCRIPT, "dir", "rf") == [
        (6, "gto-lsp annotate dir:[rf] --type model"),
        (7, "gto-lsp migrate rf dir=[rf] other \\"),
        (11, "git push origin rf@v1.0.0 dir=[rf]#prod#2 rf2@v1.0.0 rf@latest"),
    ]
    assert [u.span.start.line for u in uses_of(SH, SCRIPT, "", "rf-big")] == [3]
    assert [u.span.start.line for u in uses_of(SH, SCRIPT, "", "models/rf")] == [3]
    assert not uses_of(SH, SCRIPT, "", "issue")


def test_workflow_and_markdown() -> None:
    workflow = """\
on: push
jobs:
  deploy:
    steps:
      - run: gto register rf
      - run: |
          gto assign rf --stage prod
          echo "deployed rf#prod"
      - uses: iterative/gto-action@v2
"""
    assert [line for line, _ in spelled(workflow, SCRIPT, "", "rf")] == [4, 6, 7]
    markdown = "Run `gto show rf` and deploy `rf@v1.0.0`; the rf model is not a use.\r\nSee `gto show rf2`."
    found = uses_of(markdown, SCRIPT, "", "rf")
    assert [(u.span.start.line, u.span.start.col) for u in found] == [(0, 14), (0, 30)]
    assert [u.span.start.line for u in uses_of(markdown, SCRIPT, "", "rf2")] == [1]


def test_use_at() -> None:
    text = "gto show rf\nartifacts rf\n"
    use = use_at(text, SCRIPT, Pos(0, 10))
    assert use is not None and use.full == "rf" and use.how == "command"
    assert use_at(text, SCRIPT, Pos(0, 11)) is not None  # right after the name
    assert use_at(text, SCRIPT, Pos(0, 3)) is None
    assert use_at(text, SCRIPT, Pos(1, 11)) is None
    nested = use_at('artifacts_show("sub/dir:rf")', PYTHON, Pos(0, 25))
    assert nested is not None and nested.full == "sub/dir:rf"


def test_bounded() -> None:
    many = "gto show rf\n" * 20_000
    assert len(uses(many, SCRIPT)) == 5_000
    long_command = "gto show \\\n" + "  \\\n" * 100 + "rf\n"
    assert uses_of(long_command, SCRIPT, "", "rf") == []  # continued over more lines than a command may be
    # One 1 MB line of commands: each command reads at most 1,000 characters, and 5,000 commands at most.
    assert len(uses("gto show -x " * 80_000, SCRIPT)) == 5_000
    assert uses_of("gto-lsp migrate " + "a " * 400 + "rf", SCRIPT, "", "rf")
    assert not uses_of("gto-lsp migrate " + "a " * 600 + "rf", SCRIPT, "", "rf")
