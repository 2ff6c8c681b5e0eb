"""A dvc.yaml parsed and checked from the previous document after each edit (the spliced section, the reused
check) must equal the same text parsed and checked from scratch: hundreds of edits of a large file, at random
and hostile (in the section, at its edges, its indentation, other top-level keys, the section removed and back)."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from gto_lsp.core.formats.dvc.document import DvcDocument, parse_dvc
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.cut import parse_blocks
from helpers.git import git, make_repo

# A lone CR is a line break to YAML. core/yaml's own splice misplaces the blocks after an edit that removes one
# (test_core_yaml_splice_after_a_lone_cr): the full path here inherits that, the spliced section does not.
LONE_CR = re.compile(r"\r(?!\n)")
STAGES = "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - models/out.pkl\n" + "".join(
    f"  s{j}:\n    cmd: python s{j}.py\n    deps:\n    - data/{j}.csv\n    outs:\n    - models/m{2 * j + 1}.pkl\n"
    for j in range(4)
)


def make_text(count: int, newline: str = "\n") -> str:
    parts = ["vars:\n- params.yaml\n", STAGES, "artifacts:\n"]
    for i in range(count):
        parts.append(
            f"  m{i}:\n    path: models/m{i}.pkl\n    desc: model number {i}\n    type: model\n"
            f"    labels:\n    - ml\n    - team-{i % 3}\n"
        )
        if i % 7 == 3:
            parts.append("\n  # a comment between entries\n")
        if i % 11 == 5:
            parts.append(f"  bad.name{i}:\n    path: gone{i}.pkl\n    virtual: true\n")
    parts.append("plots:\n- metrics.csv\n")
    return "".join(parts).replace("\n", newline)


def shape(document: DvcDocument) -> dict[str, Any]:
    """What a document says, positions included (not how it was computed)."""
    return {
        "entries": [(e.line, e.indent, e.col_shift, e.name, e.block.text, e.last_line) for e in document.entries],
        "problems": [(p, p.artifact) for p in document.problems],
        "section": (document.section_line, document.section_end, document.section_kind, document.indent),
        "field_indent": document.field_indent,
        "stages": [(s.line, s.name, s.last_line) for s in document.stages],
        "stage_cut": (document.stage_line, document.stage_indent, document.stage_blocks is None),
        "top": [(b.line, b.name) for b in document.top.entries],
        "lines": [document.line_text(n) for n in (0, 5, len(document.lines.line_starts) // 2)],
    }


def checked(document: DvcDocument, repo: RepoView) -> list[Any]:
    return [(p, p.artifact) for p in check_dvc(document, repo=repo)]


def line_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]


def random_edit(text: str, rng: random.Random) -> str:
    starts = line_starts(text)
    line = rng.randrange(len(starts))
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    at = rng.randint(start, end)
    kind = rng.random()
    if kind < 0.5:  # typing in a line
        return text[:at] + rng.choice("abc xyz.-_:#1") + text[at:]
    if kind < 0.6:  # deleting a character
        return text[:at] + text[at + 1 :] if at < len(text) else text[:-1]
    if kind < 0.68:  # a whole line replaced (line count kept)
        hostile = ["  top:", "artifacts:", "    x", " odd: 1", "\tx: 1", "  ---", "  - item", "  m1:", "", "  # c"]
        return text[:start] + rng.choice(hostile) + text[end - 1 if end > start and text[end - 1] == "\n" else end :]
    if kind < 0.74:  # indentation changed
        return text[:start] + rng.choice(["", " ", "   "]) + text[start:].lstrip(" ") if line else text
    if kind < 0.82:  # a line inserted or removed
        return (
            text[:start] + "  extra:\n    path: e.pkl\n" + text[start:]
            if rng.random() < 0.5
            else text[:start] + text[end:]
        )
    if kind < 0.9:  # a name made repeated, or back
        return text[:at] + rng.choice(["m1", "m2", "<<", "'q'", "1.5"]) + text[at:]
    return text[:at] + rng.choice(["{", "}", "&a ", "*a", "\r", "\ufeff", ": ", "\n  "]) + text[at:]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> RepoView:
    root = tmp_path_factory.mktemp("repo")
    (root / "models").mkdir()
    for i in range(0, 200, 2):
        (root / "models" / f"m{i}.pkl").write_text("x")
    make_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "models")
    return RepoView(root=root)


@pytest.mark.parametrize(("seed", "newline"), [(1, "\n"), (3, "\r\n")])  # 250 edits each: ~10 s
def test_incremental_equals_from_scratch_over_random_edits(repo: RepoView, seed: int, newline: str) -> None:
    rng = random.Random(seed)
    text = make_text(120, newline)
    document = parse_dvc(text)
    checked(document, repo)
    spliced = 0
    for _ in range(250):
        before = text
        text = random_edit(text, rng) if rng.random() < 0.9 else make_text(rng.randint(100, 120), newline)
        document = parse_dvc(text, document)
        fresh = parse_dvc(text)
        if document.splice is None and LONE_CR.search(before):
            document = fresh  # core/yaml's known misplacement (see LONE_CR), not this module's
        assert shape(document) == shape(fresh), text
        assert checked(document, repo) == checked(fresh, repo), text
        spliced += document.splice is not None
    assert spliced > 50  # the incremental paths were taken, not only the full one


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    desc: model number 40\n", "    desc: model number 40 and more\n"),  # inside an entry
        ("  m40:\n", "  m41:\n"),  # a name repeated
        ("  m40:\n", "  m40 :\n"),
        ("    desc: model number 0\n", "    desc: model number 0 x\n"),  # the first entry
        ("  m119:\n", "  mlast:\n"),  # the last entry, before the next top-level key
        ("- metrics.csv\n", "- metrics.json\n"),  # another top-level key
        ("    cmd: python train.py\n", "    cmd: python train2.py\n"),  # a stage
        ("    - models/m3.pkl\n", "    - models/m9.pkl\n"),  # a stage's output: a path now missing, one found
        ("  s2:\n", "  s1:\n"),  # a stage repeated
        ("    - data/1.csv\n", "    - data/1.csv\n  - x\n"),  # the stages' indentation broken
        ("artifacts:\n", "artifacts: # here\n"),  # the section's key
        ("artifacts:\n", "artefacts:\n"),  # the section gone
        ("  m40:\n", "  m40:\n\n"),  # a line more
        ("    path: models/m40.pkl\n", "    path: models/m41.pkl\n"),  # a path that now exists
        ("    path: models/m40.pkl\n", "    path: /abs.pkl\n"),
        ("    type: model\n", "    type: model\n  # short comment\n"[:-1] + "\n"),
        ("    - ml\n", "    -\tml\n"),
        ("    labels:\n", "  labels:\n"),  # less indented: a new entry
        ("    labels:\n", "labels:\n"),  # a top-level key in the middle of the section
        ("    desc: model number 7\n", " # short\n"),  # a comment indented less than the entries
    ],
)
def test_one_edit_equals_from_scratch(repo: RepoView, old: str, new: str) -> None:
    text = make_text(120)
    document = parse_dvc(text)
    checked(document, repo)
    for _ in range(2):  # the edit, then back
        edited = text.replace(old, new, 1)
        assert edited != text
        after = parse_dvc(edited, document)
        assert shape(after) == shape(parse_dvc(edited))
        assert checked(after, repo) == checked(parse_dvc(edited), repo)
        text, document, old, new = edited, after, new, old


def test_typing_in_a_description_reuses_the_rest(repo: RepoView) -> None:
    text = make_text(120)
    document = parse_dvc(text)
    checked(document, repo)
    edited = text.replace("    desc: model number 60\n", "    desc: model number 60!\n")
    after = parse_dvc(edited, document)
    assert after.splice is not None and after.top is document.top
    assert after.splice.stop - after.splice.start <= 2  # the edited entry (and its neighbour at most)
    assert sum(a is b for a, b in zip(after.entries, document.entries)) >= len(document.entries) - 2
    assert checked(after, repo) == checked(parse_dvc(edited), repo)


def test_section_at_the_end_of_a_file_without_a_final_line_break(tmp_path: Path) -> None:
    text = STAGES + "artifacts:\n  a:\n    path: a.pkl\n  b:\n    path: b.pkl\n  "
    view = RepoView(root=tmp_path)
    document = parse_dvc(text)
    for edited in (text + " ", text[:-2], text.replace("b.pkl", "c.pkl") + "x", text.replace("a:", "b:")):
        after = parse_dvc(edited, document)
        assert shape(after) == shape(parse_dvc(edited))
        assert checked(after, view) == checked(parse_dvc(edited), view)


@pytest.mark.xfail(
    reason="core/yaml's parse_blocks splice counts only \\n when the old text had a lone CR", strict=False
)
def test_core_yaml_splice_after_a_lone_cr() -> None:
    old, new = "stages: {}\n    desc: model \rnumber 33\nplots:\n- metrics.csv\n", "artifacts:\nplots:\n- metrics.csv\n"
    spliced = parse_blocks(new, parse_blocks(old))
    assert [(b.line, b.name) for b in spliced.entries] == [(b.line, b.name) for b in parse_blocks(new).entries]
