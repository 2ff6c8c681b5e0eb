"""Parse: artifacts with positions; every broken input becomes a problem with a position, never an exception."""

from __future__ import annotations

import random

import pytest

from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.problems import Pos, Span


def names(text: str) -> list[str]:
    return [a.name for a in parse(text).artifacts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rf: {}\n", ["rf"]),
        ("# c\nrf:\n  type: model\n\n# c2\nnn: {path: x}\n", ["rf", "nn"]),
        ("rf:\r\n  type: model\r\nnn: {}\r\n", ["rf", "nn"]),
        ("\ufeffrf:\n  type: a\n", ["rf"]),
        ("{rf: {}, nn: {type: x}}\n", ["rf", "nn"]),
        ("  rf: {}\n  nn: {}\n", ["rf", "nn"]),  # an indented top level is valid YAML
        ("a: &x {b: 1}\nc: *x\n", ["a", "c"]),  # alias across entries: whole-document parse
        ("rf:\n- a\n", ["rf"]),  # a sequence value at column 0
        ("'quoted name': {}\n", ["quoted name"]),
        ("rf:\n  description: |\n    text\n\nnn: {}\n", ["rf", "nn"]),
        ("rf: {}", ["rf"]),  # no final newline
    ],
)
def test_entries(text: str, expected: list[str]) -> None:
    document = parse(text)
    assert [p.code for p in document.problems] == []
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "empty-file", 0),
        ("# only a comment\n", "empty-file", 0),
        ("- a\n- b\n", "top-not-mapping", 0),
        ("just text\n", "entry-syntax", 0),
        ("a: 1\n---\nb: 2\n", "multiple-documents", 1),
        ("rf:\n\ttype: a\n", "yaml-syntax", 1),
        ('rf:\n  type: "abc\n', "yaml-syntax", 1),
        ("rf:\n  type: [a, b\nnn: {}\n", "yaml-syntax", 1),
        ("rf: *nowhere\n", "yaml-syntax", 0),
        ("rf:\n  type: a\n  bad indent: b\n    worse: c\n", "yaml-syntax", 3),
    ],
)
def test_problems(text: str, code: str, line: int) -> None:
    document = parse(text)
    assert [p.code for p in document.problems] == [code]
    assert document.problems[0].span.start.line == line
    assert document.problems[0].severity == "error"


def test_broken_entry_keeps_the_others() -> None:
    document = parse('aa: {}\nrf:\n  type: "open\nzz:\n  type: model\n')
    assert [p.code for p in document.problems] == ["yaml-syntax"]
    assert names('aa: {}\nrf:\n  type: "open\nzz:\n  type: model\n') == ["aa", "zz"]
    assert document.artifacts[1].first_line == 3


def test_positions_are_code_points_with_emoji_and_crlf() -> None:
    text = 'rf:\r\n  description: "😀 demo"\r\n  path: m.pkl\r\n'
    artifact = parse(text).artifacts[0]
    description = artifact.field("description")
    path = artifact.field("path")
    assert description is not None and path is not None
    assert artifact.span(description[1]) == Span(Pos(1, 15), Pos(1, 23))
    assert artifact.span(path[1]) == Span(Pos(2, 8), Pos(2, 13))


def test_bom_shifts_the_first_line_only() -> None:
    artifact = parse("\ufeffrf:\n  type: a\n").artifacts[0]
    assert artifact.name_span == Span(Pos(0, 1), Pos(0, 3))
    type_pair = artifact.field("type")
    assert type_pair is not None
    assert artifact.span(type_pair[1]).start == Pos(1, 8)


def test_entry_span_ends_at_last_content_not_trailing_comments() -> None:
    text = "rf:\n  type: model\n  labels:\n  - a\n\n# about nn\nnn: {}\n"
    rf = parse(text).artifacts[0]
    assert rf.entry_span == Span(Pos(0, 0), Pos(3, 5))


def test_yaml_12_scalars() -> None:
    from gto_lsp.core.yaml.nodes import BOOL, STR, tag_of

    artifact = parse("rf:\n  virtual: yes\n  description: true\n").artifacts[0]
    virtual = artifact.field("virtual")
    description = artifact.field("description")
    assert virtual is not None and description is not None
    assert tag_of(virtual[1]) == STR  # YAML 1.2, as GTO's ruamel reader
    assert tag_of(description[1]) == BOOL


def test_incremental_parse_reuses_unchanged_blocks() -> None:
    text = "".join(f"m{i}:\n  type: model\n  path: p{i}\n" for i in range(50))
    first = parse(text)
    edited = text.replace("path: p25\n", "path: p25x\n")
    second = parse(edited, first)
    assert [a.name for a in second.artifacts] == [a.name for a in first.artifacts]
    reused = sum(a.block is b.block for a, b in zip(first.artifacts, second.artifacts))
    assert reused == 49
    # Inserting lines above moves the later entries without re-parsing them.
    third = parse("new: {}\n" + edited, second)
    assert third.artifacts[1].block is second.artifacts[0].block
    assert third.artifacts[1].first_line == 1


def test_incremental_equals_fresh_parse_on_random_edits() -> None:
    rng = random.Random(7)
    text = "".join(f"m{i}:\n  type: model\n  labels: [a, b]\n  path: p{i}\n" for i in range(30))
    previous = parse(text)
    pieces = [" ", "\n", ":", "x", "- ", "#", "  ", "'", "{", "}", "\t", "m3:\n"]
    for _ in range(300):
        position = rng.randrange(len(text) + 1)
        if rng.random() < 0.5 and text:
            end = min(len(text), position + rng.randrange(4))
            text = text[:position] + text[end:]
        else:
            text = text[:position] + rng.choice(pieces) + text[position:]
        incremental = parse(text, previous)
        fresh = parse(text)
        assert [(a.name, a.first_line, a.last_line) for a in incremental.artifacts] == [
            (a.name, a.first_line, a.last_line) for a in fresh.artifacts
        ]
        assert [(p.code, p.span) for p in incremental.problems] == [(p.code, p.span) for p in fresh.problems]
        previous = incremental


@pytest.mark.parametrize("seed", range(5))
def test_never_raises_on_garbage(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "ab:- \n\t#{}[]'\"&*!|>?%@`,\r\ufeff😀"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(60)))
        document = parse(text)
        for problem in document.problems:
            assert problem.span.start.line >= 0


def test_pure_python_fallback_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension may run where PyYAML has no libyaml: the pure composer must agree exactly."""

    from gto_lsp.core.formats.gto.check import check
    from gto_lsp.core.yaml import nodes

    corpus = [
        "rf:\n  type: model\n  labels: [a, b, a]\n  virtual: yes\n  descripton: x\n",
        '\ufeffrf:\r\n  description: "😀 demo"\r\n  path: ../x\r\n',
        "a: &x {b: 1}\nc: *x\n",
        'rf:\n  type: "open\nnn: {}\n',
        "rf:\n\ttype: a\n",
        "- a\n",
        "",
        "rf:\n  custom: {a: [1, {b: null}]}\n  description: |\n    text\n",
        "a.b: {}\n123: {}\nrf:\n",
    ]
    fast = [[(p.code, p.span, p.message) for p in check(parse(text))] for text in corpus]
    monkeypatch.setattr(nodes, "_Loader", nodes._PureLoader)
    pure = [[(p.code, p.span, p.message) for p in check(parse(text))] for text in corpus]
    assert pure == fast


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_shift_lines(odd: str) -> None:
    """PyYAML counts them as line breaks; LSP clients do not, and GTO's values only NEL (folded to a space)."""
    from gto_lsp.core.formats.gto.check import check

    text = f'a:\n  description: "x{odd}y"\n  typo: 1\nb: {{description: "x{odd}y", typo: 1}}\n'
    document = parse(text)
    assert [(p.code, p.span.start) for p in check(document)] == [
        ("unknown-field", Pos(2, 2)),
        ("unknown-field", Pos(3, 24)),
    ]
    description = document.artifacts[0].field("description")
    folded = "x y" if odd == "\x85" else f"x{odd}y"  # GTO's reader (ruamel) reads NEL as a break, and folds it
    assert description is not None and description[1].value == folded
