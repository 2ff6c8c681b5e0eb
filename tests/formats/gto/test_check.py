"""Check: each rule with its stable code, severity, position and the data its quick fix needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.config import parse_config
from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.formats.gto.fields import FIELDS, closest_field, json_schema
from gto_lsp.core.names import invalid_name_message, suggest_name
from gto_lsp.core.problems import Pos, Problem
from gto_lsp.core.repo.fs import RepoView


def problems(text: str, gto: Optional[str] = None, repo: Optional[RepoView] = None, **settings: Any) -> list[Problem]:
    return check(parse(text), parse_config(gto, env={}), repo, CheckSettings(**settings))


def codes(text: str, **kwargs: Any) -> list[tuple[str, str, int, int]]:
    return [(p.code, p.severity, p.span.start.line, p.span.start.col) for p in problems(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rf: {}\n", []),
        ("rf:\n  type: model\n  path: s3://bucket/m.pkl\n  labels: [a, b]\n  description: x\n  custom: {a: 1}\n", []),
        ("rf:\n", [("entry-not-mapping", "error", 0, 0)]),
        ("rf: 5\n", [("entry-not-mapping", "error", 0, 4)]),
        ("rf: [a]\n", [("entry-not-mapping", "error", 0, 4)]),
        ("rf:\n  descripton: x\n", [("unknown-field", "warning", 1, 2)]),
        ("rf:\n  type: 5\n", [("wrong-type", "error", 1, 8)]),
        ("rf:\n  path: 5\n", [("wrong-type", "error", 1, 8)]),
        ("rf:\n  type: null\n  path: ~\n", []),
        ("rf:\n  description: null\n", [("wrong-type", "error", 1, 15)]),
        ("rf:\n  description: 2024-01-01\n", [("wrong-type", "error", 1, 15)]),
        ("rf:\n  description: yes\n", []),  # YAML 1.2: a string
        ("rf:\n  virtual: false\n", []),
        ("rf:\n  virtual: yes\n", [("lax-boolean", "warning", 1, 11)]),
        ("rf:\n  virtual: 1\n", [("lax-boolean", "warning", 1, 11)]),
        ("rf:\n  virtual: maybe\n", [("wrong-type", "error", 1, 11)]),
        ("rf:\n  virtual: null\n", [("wrong-type", "error", 1, 11)]),
        ("rf:\n  labels: aa\n", [("wrong-type", "error", 1, 10)]),
        ("rf:\n  labels: [5]\n", [("wrong-type", "error", 1, 11)]),
        ("rf:\n  labels: [a, b, a]\n", [("duplicate-label", "warning", 1, 17)]),
        ("rf:\n  labels: [Bad.Label]\n", [("invalid-label", "warning", 1, 11)]),
        ("rf:\n  type: Bad.Type\n", [("invalid-type", "warning", 1, 8)]),
        ("a.b: {}\n", [("invalid-name", "error", 0, 0)]),
        ("123: {}\n", [("name-not-string", "error", 0, 0)]),
        ("'123': {}\n", []),
        ("rf: {}\nrf: {}\n", [("duplicate-name", "error", 1, 0)]),
        ("rf:\n  type: a\n  type: b\n", [("duplicate-key", "error", 2, 2)]),
        ("rf:\n  custom: {a: 1, a: 2}\n", [("duplicate-key", "error", 1, 17)]),
        ("rf:\n  custom: !foo bar\n", [("unsupported-tag", "error", 1, 10)]),
    ],
)
def test_rules(text: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert codes(text) == expected


def test_messages_name_the_problem_and_the_fix() -> None:
    [unknown] = problems("rf:\n  descripton: x\n")
    assert "Did you mean `description`?" in unknown.message
    assert unknown.data == {"field": "descripton", "suggestion": "description"}
    [invalid] = problems("a.b: {}\n")
    assert invalid.message == invalid_name_message("a.b", "artifact name")
    assert invalid.data == {"value": "a.b", "suggestion": "a-b"}
    [lax] = problems("rf:\n  virtual: no\n")
    assert lax.data == {"field": "virtual", "value": False}
    [quoted] = problems("rf:\n  type: 5\n")
    assert quoted.data == {"field": "type", "quoted": "'5'"}
    [empty] = problems("rf:\n")
    assert "rf: {}" in empty.message


def test_related_information_points_at_the_first_definition() -> None:
    [duplicate] = problems("rf: {}\nnn: {}\nrf: {}\n")
    assert duplicate.related[0].span.start == Pos(0, 0)
    [label] = problems("rf:\n  labels:\n  - a\n  - a\n")
    assert label.related[0].span.start == Pos(2, 4)


def test_types_allowed_by_gto_config() -> None:
    text = "rf:\n  type: model\nds:\n  type: data\n"
    [problem] = problems(text, gto="types: [model, dataset]\n")
    assert problem.code == "type-not-allowed"
    assert problem.data == {"value": "data", "allowed": ["model", "dataset"]}
    assert "use one of `model`, `dataset`" in problem.message
    assert problem.related[0].file == ".gto"
    assert problems(text) == []


def test_env_overrides_gto_config() -> None:
    config = parse_config("types: [model]\n", env={"GTO_TYPES": '["data"]'})
    assert config.types == ("data",)
    [problem] = check(parse("rf:\n  type: model\n"), config)
    assert "GTO_TYPES" in problem.message
    assert parse_config(None, env={"GTO_INDEX": "registry.yaml"}).index == "registry.yaml"


@pytest.mark.parametrize(
    ("gto", "code"),
    [
        ("typs: [model]\n", "config-unknown-key"),
        ("types: model\n", "config-wrong-type"),
        ("types: [Bad.Type]\n", "config-invalid-name"),
        ("- a\n", "config-not-mapping"),
        ("types: [a\n", "config-syntax"),
        ("emojis: maybe\n", "config-wrong-type"),
        ("stages: [dev, 7]\n", "config-wrong-type"),  # a number: GTO's pydantic refuses it, as real GTO showed
        ("stages: [dev, true]\n", "config-wrong-type"),
        ("types: [model, null]\n", "config-wrong-type"),
    ],
)
def test_gto_config_problems(gto: str, code: str) -> None:
    config = parse_config(gto, env={})
    assert [p.code for p in config.problems] == [code]
    assert config.problems[0].file == ".gto"


def test_a_quoted_number_is_a_name_in_gto_config() -> None:
    config = parse_config("stages: [dev, '7']\n", env={})
    assert config.problems == ()
    assert config.stages == ("dev", "7")


def test_gto_config_keys_are_case_insensitive() -> None:
    config = parse_config("TYPES: [model]\nIndex: reg.yaml\n", env={})
    assert config.problems == ()
    assert config.types == ("model",)
    assert config.index == "reg.yaml"


def test_path_rules(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "rf.pkl").write_text("x")
    (tmp_path / "uncommitted.pkl").write_text("x")
    committed = {"models", "models/rf.pkl"}
    repo = RepoView(root=tmp_path, in_head=lambda p: p.rstrip("/").removeprefix("./") in committed)
    text = (
        "ok:\n  path: models/rf.pkl\n  virtual: false\n"
        "gone:\n  path: gone.pkl\n"
        "gone-hard:\n  path: gone2.pkl\n  virtual: false\n"
        "new:\n  path: uncommitted.pkl\n  virtual: false\n"
        "abs:\n  path: /etc/passwd\n"
        "up:\n  path: ../outside.pkl\n"
        "inside:\n  path: models\n"
        "remote:\n  path: s3://bucket/model.pkl\n"
    )
    found = [(p.code, p.severity, p.artifact) for p in problems(text, repo=repo)]
    assert found == [
        ("path-missing", "warning", "gone"),
        ("path-missing", "error", "gone-hard"),
        ("path-not-committed", "error", "new"),
        ("path-absolute", "error", "abs"),
        ("path-escapes", "error", "up"),
        ("path-conflict", "warning", "inside"),
    ]
    conflict = problems(text, repo=repo)[-1]
    assert conflict.related[0].span.start == Pos(1, 8)
    quiet = [p.code for p in problems(text, repo=repo, virtual_missing="off")]
    assert quiet.count("path-missing") == 1
    assert [p.code for p in problems(text, repo=repo, paths=False)] == []


def test_symlink_out_of_the_repository_counts_as_missing(tmp_path: Path) -> None:
    outside = tmp_path / "outside.pkl"
    outside.write_text("secret")
    repo_root = tmp_path / "repo"
    repo_root.mkdir()
    (repo_root / "link.pkl").symlink_to(outside)
    [problem] = problems("rf:\n  path: link.pkl\n", repo=RepoView(root=repo_root))
    assert problem.code == "path-missing"


def test_path_conflict_rule_matches_gto() -> None:
    def conflict(a: str, b: str) -> bool:
        text = f"aa:\n  path: {a}\nbb:\n  path: {b}\n"
        return any(p.code == "path-conflict" for p in problems(text, paths=True))

    assert conflict("models/rf.pkl", "models")
    assert conflict("models", "models/rf.pkl")
    assert conflict("models/rf.pkl", "./models/rf.pkl")
    assert not conflict("models/rf.pkl", "models/rf.pk")
    assert not conflict("Models/rf.pkl", "models/rf.pkl")


def test_settings_turn_rules_off() -> None:
    assert problems("rf:\n  descripton: x\n", unknown_fields=False) == []
    assert problems("rf:\n", enable=False) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("descripton", "description"),
        ("desc", "description"),
        ("lables", "labels"),
        ("tpye", "type"),
        ("Path", "path"),
        ("meta", "custom"),
        ("zzz", None),
    ],
)
def test_closest_field(typed: str, expected: Optional[str]) -> None:
    assert closest_field(typed) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("a.b", "a-b"), ("über", "ber"), ("-ab-", "ab"), ("m/", "m"), ("...", None)]
)
def test_suggest_name(value: str, expected: Optional[str]) -> None:
    assert suggest_name(value) == expected


def test_schema_comes_from_the_field_table() -> None:
    schema = json_schema()
    properties = schema["definitions"]["artifact"]["properties"]
    assert sorted(properties) == ["custom", "description", "labels", "path", "type", "virtual"]
    assert properties["virtual"]["type"] == "boolean"


def test_results_across_entries_follow_edits_and_file_events(tmp_path: Path) -> None:
    repo = RepoView(root=tmp_path)
    text = "aa:\n  path: a.pkl\n  description: x\nbb:\n  path: b.pkl\n"
    first = parse(text)
    assert [p.artifact for p in check(first, repo=repo)] == ["aa", "bb"]
    # An edit that leaves names and paths alone reuses the results, placed on the new lines.
    second = parse("# new line\n" + text.replace("x\n", "longer text\n"), first)
    assert [(p.artifact, p.span.start.line) for p in check(second, repo=repo)] == [("aa", 2), ("bb", 5)]
    # A file appears: clearing the file-system answers retires the cached results.
    (tmp_path / "a.pkl").write_text("x")
    repo.invalidate()
    third = parse(second.text + " ", second)
    assert [p.artifact for p in check(third, repo=repo)] == ["bb"]
    # A new view (another repository, another HEAD) never reuses the old results.
    (tmp_path / "b.pkl").write_text("x")
    assert check(parse(third.text, third), repo=RepoView(root=tmp_path)) == []
    # An edit to a path is seen at once.
    fourth = parse(third.text.replace("b.pkl", "c.pkl"), third)
    assert [p.artifact for p in check(fourth, repo=repo)] == ["bb"]


def test_field_table_drives_the_value_rules() -> None:
    for spec in FIELDS:
        found = codes(f"rf:\n  {spec.name}: null\n")
        assert bool(found) is not spec.nullable, (spec.name, found)
        if spec.value_rule is not None:
            value = "[Bad.Name]" if spec.kind == "labels" else "Bad.Name"
            assert [c[0] for c in codes(f"rf:\n  {spec.name}: {value}\n")] == [spec.value_rule.code]


def test_facts_are_kept_while_their_blocks_live_and_shared_by_equal_blocks() -> None:
    """The per-entry facts survive an edit elsewhere (the block is reused), are computed once for two entries of
    one text, and leave with the last parse that holds their block."""
    import gc

    from gto_lsp.core.formats.gto import rules_entry

    gc.collect()
    before = len(rules_entry._FACTS)
    text = "".join(f"m{i}:\n  type: model\n  path: m{i}.pkl\n" for i in range(50))
    document = parse(text)
    check(document)
    kept = rules_entry.facts(document.artifacts[7])
    edited = parse(text.replace("path: m3.pkl", "path: m3b.pkl"), document)
    check(edited)
    assert rules_entry.facts(edited.artifacts[7]) is kept  # block 7 was reused, its facts too
    assert len(rules_entry._FACTS) == before + 51  # 50 entries, and the edited one's new text
    del document, edited, kept
    gc.collect()
    assert len(rules_entry._FACTS) == before
