"""`gto-lsp history`, `stages` and `check-ref` on real repositories: GTO 1.10.1's outputs (the expected texts are
what real GTO printed for the same repository: commits and tags at fixed dates, so the same shas), its refusals,
and the pieces underneath (the tag reader, tabulate's alignment rules)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gto_lsp.cli.history import table
from gto_lsp.core.registry.history import history_rows
from gto_lsp.core.registry.read import read_registry
from gto_lsp.core.registry.tag_info import TagInfo, parse_tag_info, read_tag_info
from helpers.cli import run
from helpers.git import T0, git

ANN, BOB = ("Ann", "ann@example.com"), ("Bob Smith", "bob@example.com")
C1, C2 = "406432c322b9adc3f4784b9ec8894a088c5f4395", "e152fd2303f3ba057904010796ec28f04988fc09"


def _git(root: Path, *args: str, who: tuple[str, str] = ("Test User", "test@example.com"), date: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GTO_"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    env.update(GIT_AUTHOR_NAME=who[0], GIT_AUTHOR_EMAIL=who[1], GIT_COMMITTER_NAME=who[0], GIT_COMMITTER_EMAIL=who[1])
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return git(root, *args, env=env).strip()


@pytest.fixture
def reg(tmp_path: Path, git_env: None) -> Path:
    """Two commits; rf: v1.0.0 and prod on c1, v2.0.0 and prod on c2 in the same second (ties); nn: dev on c2
    (a sha-named version, tagger in -05:30), then deprecated; a lightweight rf@v9.9.9 and a foreign tag."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    shas = []
    for i in (1, 2):
        (root / "m.txt").write_text(f"{i}\n")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"c{i}", date=f"{T0 + 60 * i} +0000")
        shas.append(_git(root, "rev-parse", "HEAD"))
    assert shas == [C1, C2]
    for name, target, message, when, who, zone in [
        ("rf@v1.0.0", 0, "Registering rf\n\nwith notes", 100, ANN, "+0100"),
        ("rf#prod#1", 0, "to prod", 100, BOB, "+0000"),
        ("nn#dev#1", 1, "sha-named", 150, ANN, "-0530"),
        ("rf@v2.0.0", 1, "second", 200, BOB, "+0000"),
        ("rf#prod#2", 1, "prod again", 200, BOB, "+0000"),
        ("nn@deprecated", 1, "gone", 300, ANN, "+0000"),
    ]:
        _git(root, "tag", "-a", name, "-m", message, shas[target], who=who, date=f"{T0 + when} {zone}")
    _git(root, "tag", "rf@v9.9.9", C1)
    _git(root, "tag", "-a", "release-1", "-m", "x", C1, date=f"{T0} +0000")
    return root


# --- history ------------------------------------------------------------------------------------------------

TABLE = """\
╒═══════════════════════════╤════════════╤══════════════╤═══════════╤═════════╤══════════╤═══════════════╕
│ timestamp                 │ artifact   │ event        │ version   │ stage   │ commit   │ ref           │
╞═══════════════════════════╪════════════╪══════════════╪═══════════╪═════════╪══════════╪═══════════════╡
│ 2023-11-14 22:18:20+00:00 │ nn         │ deprecation  │ -         │ -       │ e152fd2  │ nn@deprecated │
│ 2023-11-14 22:16:40+00:00 │ rf         │ assignment   │ v2.0.0    │ prod    │ e152fd2  │ rf#prod#2     │
│ 2023-11-14 22:16:40+00:00 │ rf         │ registration │ v2.0.0    │ -       │ e152fd2  │ rf@v2.0.0     │
│ 2023-11-14 16:45:50-05:30 │ nn         │ assignment   │ e152fd2   │ dev     │ e152fd2  │ nn#dev#1      │
│ 2023-11-14 22:15:00+00:00 │ rf         │ assignment   │ v1.0.0    │ prod    │ 406432c  │ rf#prod#1     │
│ 2023-11-14 23:15:00+01:00 │ rf         │ registration │ v1.0.0    │ -       │ 406432c  │ rf@v1.0.0     │
╘═══════════════════════════╧════════════╧══════════════╧═══════════╧═════════╧══════════╧═══════════════╛
"""

PLAIN_ASCENDING = """\
timestamp                  artifact    event         version    stage    commit    ref
2023-11-14 23:15:00+01:00  rf          registration  v1.0.0     -        406432c   rf@v1.0.0
2023-11-14 22:15:00+00:00  rf          assignment    v1.0.0     prod     406432c   rf#prod#1
2023-11-14 16:45:50-05:30  nn          assignment    e152fd2    dev      e152fd2   nn#dev#1
2023-11-14 22:16:40+00:00  rf          registration  v2.0.0     -        e152fd2   rf@v2.0.0
2023-11-14 22:16:40+00:00  rf          assignment    v2.0.0     prod     e152fd2   rf#prod#2
2023-11-14 22:18:20+00:00  nn          deprecation   -          -        e152fd2   nn@deprecated
"""


def test_history_table_newest_first_as_gto_prints_it(reg: Path) -> None:
    # Same second: the assignment (priority 5) before the registration (3), newest first.
    assert run("history", cwd=reg) == (0, TABLE, "")


def test_history_plain_ascending(reg: Path) -> None:
    assert run("history", "--plain", "--asc", cwd=reg) == (0, PLAIN_ASCENDING, "")
    assert run("history", "--ascending", "--plain", cwd=reg) == (0, PLAIN_ASCENDING, "")


def test_history_json_of_one_artifact(reg: Path) -> None:
    code, out, err = run("history", "nn", "--json", "-r", str(reg), cwd=reg.parent)
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "timestamp": "2023-11-14T22:18:20+00:00",
            "artifact": "nn",
            "event": "deprecation",
            "priority": 2,
            "version": None,
            "stage": None,
            "commit": C2,
            "author": "Ann",
            "author_email": "ann@example.com",
            "message": "gone",
            "ref": "nn@deprecated",
        },
        {
            "timestamp": "2023-11-14T16:45:50-05:30",
            "artifact": "nn",
            "event": "assignment",
            "priority": 5,
            "version": C2,
            "stage": "dev",
            "commit": C2,
            "author": "Ann",
            "author_email": "ann@example.com",
            "message": "sha-named",
            "ref": "nn#dev#1",
        },
    ]
    assert out.startswith('[\n    {\n        "timestamp"')  # GTO's indent=4, its key order


def test_history_rows_core(reg: Path) -> None:
    registry = read_registry(reg)
    rows = history_rows(registry, tag_info=read_tag_info(reg))
    assert [r["ref"] for r in rows] == ["nn@deprecated", "rf#prod#2", "rf@v2.0.0", "nn#dev#1", "rf#prod#1", "rf@v1.0.0"]
    ascending = history_rows(registry, ascending=True, tag_info=read_tag_info(reg))
    assert ascending == rows[::-1]  # no two rows tie on (time, priority) here
    assert rows[-1]["message"] == "Registering rf\n\nwith notes"
    assert history_rows(registry, "rf", truncate_hexsha=True)[0]["commit"] == C2[:7]
    assert history_rows(registry, "no-such") == []


def test_history_of_nothing(reg: Path, tmp_path: Path) -> None:
    assert run("history", "ghost", cwd=reg) == (0, "Nothing found in the current workspace\n", "")
    empty = tmp_path / "empty"
    empty.mkdir()
    _git(empty, "init", "-q")
    assert run("history", cwd=empty) == (0, "Nothing found in the current workspace\n", "")
    assert run("history", "--json", cwd=empty) == (0, "[]\n", "")


def test_history_refuses_what_gto_refuses(reg: Path) -> None:
    code, out, err = run("history", "--json", "--plain", cwd=reg)
    assert (code, out) == (1, "") and "--json and --plain" in err
    _git(reg, "tag", "-a", "rf@v3.0.0", "-m", "r", C2, date=f"{T0 + 400} +0000")  # 2 versions on c2
    code, out, err = run("history", cwd=reg)
    assert (code, out) == (1, "")
    assert "Multiple versions are not allowed on the same Git commit" in err


def test_a_config_gto_refuses_fails_every_command(reg: Path) -> None:
    (reg / ".gto").write_text("stages: [dev, Bad.Name]\n")
    wrong = f"Wrong config file '{reg / '.gto'}'\n"
    for args in (["history"], ["stages", "--allowed"], ["check-ref", "no-such"], ["check-ref", "rf@v1.0.0"]):
        assert run(*args, cwd=reg) == (1, "", wrong), args


# --- stages ---------------------------------------------------------------------------------------------------


def test_stages(reg: Path) -> None:
    assert run("stages", cwd=reg) == (0, "dev\nprod\n", "")  # no .gto: the stages in use
    assert run("stages", "--used", "--json", cwd=reg) == (0, '[\n    "dev",\n    "prod"\n]\n', "")
    assert run("stages", "--allowed", cwd=reg) == (0, "", "")
    assert run("stages", "--allowed", "--json", cwd=reg) == (0, "null\n", "")
    (reg / ".gto").write_text("stages: [qa, staging]\n")
    assert run("stages", cwd=reg) == (0, "qa\nstaging\n", "")
    assert run("stages", "--used", cwd=reg) == (0, "dev\nprod\n", "")
    code, out, err = run("stages", "--allowed", "--used", cwd=reg)
    assert (code, out) == (1, "") and "--allowed and --used" in err


def test_used_stages_leave_out_unassigned_and_deregistered_ones(reg: Path) -> None:
    _git(reg, "tag", "-a", "rf#prod!#3", "-m", "u", C2, date=f"{T0 + 500} +0000")
    _git(reg, "tag", "-a", "rf@v1.0.0!", "-m", "d", C1, date=f"{T0 + 500} +0000")
    assert run("stages", "--used", cwd=reg) == (0, "dev\n", "")


# --- check-ref ------------------------------------------------------------------------------------------------


def test_check_ref_sentences(reg: Path) -> None:
    assert run("check-ref", "nn#dev#1", cwd=reg) == (
        0,
        f' Stage "dev" was assigned to version "{C2}" of artifact "nn"\n',
        "",
    )
    assert run("check-ref", "nn@deprecated", cwd=reg) == (0, ' Artifact "nn" was deprecated\n', "")
    assert run("check-ref", "refs/tags/rf@v2.0.0", cwd=reg) == (
        0,
        ' Version "v2.0.0" of artifact "rf" was registered\n',
        "",
    )


def test_check_ref_emoji(reg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTO_EMOJIS", "true")
    assert (
        run("check-ref", "rf#prod#1", cwd=reg)[1]
        == '✅  Stage "prod" was assigned to version "v1.0.0" of artifact "rf"\n'
    )


def test_check_ref_json_and_fields(reg: Path) -> None:
    code, out, err = run("check-ref", "rf@v1.0.0", "--json", cwd=reg)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "artifact": "rf",
        "created_at": "2023-11-14T23:15:00+01:00",
        "author": "Ann",
        "author_email": "ann@example.com",
        "message": "Registering rf\n\nwith notes",
        "commit_hexsha": C1,
        "tag": "rf@v1.0.0",
        "version": "v1.0.0",
        "event": "registration",
    }
    assert list(json.loads(run("check-ref", "rf#prod#2", "--json", cwd=reg)[1]))[-3:] == ["version", "stage", "event"]
    assert run("check-ref", "rf#prod#2", "--name", cwd=reg) == (0, "rf\n", "")
    assert run("check-ref", "rf#prod#2", "--version", cwd=reg) == (0, "v2.0.0\n", "")
    assert run("check-ref", "rf#prod#2", "--stage", cwd=reg) == (0, "prod\n", "")
    assert run("check-ref", "rf#prod#2", "--event", cwd=reg) == (0, "assignment\n", "")
    assert run("check-ref", "nn@deprecated", "--version", cwd=reg) == (0, "", "")  # a deprecation has none
    assert run("check-ref", "rf@v1.0.0", "--stage", cwd=reg) == (0, "", "")


@pytest.mark.parametrize("ref", ["rf@v9.9.9", "release-1", "no-such", "HEAD", "main", C1])
def test_check_ref_of_no_gto_event_prints_nothing(reg: Path, ref: str) -> None:
    assert run("check-ref", ref, cwd=reg) == (0, "", "")


def test_check_ref_refuses_two_outputs(reg: Path) -> None:
    code, out, err = run("check-ref", "rf@v1.0.0", "--json", "--stage", cwd=reg)
    assert (code, out) == (1, "")
    assert "--json and --stage are different outputs: use at most one of them" in err


# --- underneath -----------------------------------------------------------------------------------------------


def test_tag_info_reader() -> None:
    sig = "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"
    records = [
        ["rf@v1.0.0", "tag", "rf@v1.0.0", "Ann Lee <ann@x.org> 1700000000 +0130", "1700000000 +0130", "", "  hi\n\n"],
        ["rf#p#1", "tag", "rf#p#1", "B <b@x> 1 -0800", "1 -0800", sig, "signed\n" + sig],
        ["light", "commit", "", "", "", "", ""],
        ["odd", "tag", "odd", "no email here 1 +0000", "1 +0000", "", "m"],
    ]
    out = "".join("\0".join(r) + "\0\x1e\0\n" for r in records).encode()
    assert parse_tag_info(out) == {
        "rf@v1.0.0": TagInfo("Ann Lee", "ann@x.org", "hi", 5400),
        "rf#p#1": TagInfo("B", "b@x", "signed", -8 * 3600),
        "odd": TagInfo("no email here", "", "m", 0),
    }
    assert parse_tag_info(b"") == {}


def test_table_follows_tabulates_number_rules() -> None:
    """What tabulate 0.10 (GTO's) printed for the same rows: int-like and float-like columns right-aligned on the
    point, floats reformatted ("1e5" -> 100000), "True"/"False" text, None as "-"."""
    rows = [["1e5", "7", None, "True", "0123"], ["nan", None, None, "False", "12"], ["2", "10", None, "x", "5"]]
    assert table(rows, ["a", "b", "c", "d", "e"], plain=True) == (
        "     a    b  c    d         e\n100000    7  -    True   0123\n   nan    -  -    False    12\n"
        "     2   10  -    x         5"
    )
    assert table([["1e20", "True", "inf"], ["3", "False", "1_000"], [None, None, "-5"]], ["a", "b", "c"], True) == (
        "    a  b         c\n1e+20  True    inf\n3      False  1000\n-      -        -5"
    )
    assert table(rows[:1], ["a", "b", "c", "d", "e"]).splitlines()[1] == "│      a │   b │ c   │ d    │    e │"
