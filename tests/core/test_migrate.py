"""core.migrate: artifacts.yaml entries moved into a dvc.yaml's `artifacts:` section (spec §10)."""

from __future__ import annotations

import pytest

from gto_lsp.core.edits import GTOError
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import read_values
from gto_lsp.core.migrate import migrate

GTO = """\
# registry
rf:  # the forest
  type: model
  path: models/rf.pkl
  description: Random forest
  labels: [zz, aa]
  custom: {a: 1, b: [x]}
  virtual: false
  descripton: typo
nopath:
  type: model
ds:
  path: data/ds.csv
  type: dataset
  virtual: true
"""

DVC = """\
stages:
  train:
    cmd: python train.py   # keep me
    outs:
      - models/rf.pkl
"""


def apply(text: str, result: object) -> str:
    """Apply the result's edits to `text` as an editor would (positions are line, code point)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: object) -> int:
        line, col = pos.line, pos.col  # type: ignore[attr-defined]
        return starts[line] + col if line < len(starts) else len(text)

    for edit in sorted(result.edits, key=lambda e: (e.start.line, e.start.col), reverse=True):  # type: ignore[attr-defined]
        text = text[: offset(edit.start)] + edit.new_text + text[offset(edit.end) :]
    return text


def test_moves_entries_with_dvc_fields_and_keeps_every_other_byte() -> None:
    result = migrate(GTO, DVC)
    assert result.moved == ["rf", "ds"]
    assert result.skipped == [("nopath", "DVC requires a path")]
    assert result.dropped == [("rf", "descripton"), ("rf", "virtual")]
    assert result.gto.text == "# registry\nnopath:\n  type: model\n"
    assert result.dvc.text == DVC + (
        "artifacts:\n"
        "  rf:\n    path: models/rf.pkl\n    desc: Random forest\n    type: model\n    labels: [zz, aa]\n"
        "    meta:\n      a: 1\n      b:\n      - x\n"
        "  ds:\n    path: data/ds.csv\n    type: dataset\n"
    )
    document = parse_dvc(result.dvc.text)
    assert check_dvc(document) == []
    assert read_values(document) == {
        "rf": {
            "path": "models/rf.pkl",
            "desc": "Random forest",
            "type": "model",
            "labels": ["zz", "aa"],
            "meta": {"a": 1, "b": ["x"]},
        },
        "ds": {"path": "data/ds.csv", "type": "dataset"},
    }
    # the edits say the same as the texts
    assert apply(GTO, result.gto) == result.gto.text
    assert apply(DVC, result.dvc) == result.dvc.text
    assert len(result.gto.edits) == 2  # each removed entry is its own edit


def test_names_select_entries_and_unknown_names_are_reported() -> None:
    result = migrate(GTO, None, names=["ds", "ghost"])
    assert result.moved == ["ds"]
    assert result.skipped == [("ghost", "not in artifacts.yaml")]
    assert result.dvc.text == "artifacts:\n  ds:\n    path: data/ds.csv\n    type: dataset\n"
    assert "rf:" in result.gto.text and "ds:" not in result.gto.text


def test_existing_section_and_names_already_in_the_target() -> None:
    dvc = "artifacts:\n  ds:\n    path: other.csv  # mine\n# end\n"
    result = migrate(GTO, dvc, names=["rf", "ds"])
    assert result.moved == ["rf"]
    assert result.skipped == [("ds", "already in dvc.yaml")]
    assert result.dvc.text.startswith(
        "artifacts:\n  ds:\n    path: other.csv  # mine\n  rf:\n    path: models/rf.pkl\n"
    )
    assert result.dvc.text.endswith("# end\n")
    assert "ds:" in result.gto.text


def test_nested_target_rebases_paths_and_names_its_file() -> None:
    gto = "rf:\n  path: models/rf.pkl\nlocal:\n  path: sub/dir/./m.pkl\nabs:\n  path: /etc/x\nurl:\n  path: s3://b/m\n"
    result = migrate(gto, "artifacts:\n  rf:\n    path: x\n", folder="sub/dir")
    assert result.skipped == [("rf", "already in sub/dir/dvc.yaml")]
    values = read_values(parse_dvc(result.dvc.text))
    assert {name: v["path"] for name, v in values.items()} == {
        "rf": "x",
        "local": "m.pkl",
        "abs": "/etc/x",
        "url": "s3://b/m",
    }
    assert result.dvc.message == "Updated `sub/dir/dvc.yaml`"


def test_last_entry_leaves_empty_mapping_as_gto_remove_does() -> None:
    result = migrate("rf:\n  path: a.pkl\n", "")
    assert result.gto.text == "{}\n"
    assert result.dvc.text == "artifacts:\n  rf:\n    path: a.pkl\n"


def test_labels_values_and_interpolation_read_back_by_dvc_as_written() -> None:
    gto = "rf:\n  path: m.pkl\n  labels: [b, a, b]\n  description: 'cost ${x}'\n  custom: '2024-01-01'\n"
    result = migrate(gto, "vars:\n  - x: 1\n")
    values = read_values(parse_dvc(result.dvc.text))["rf"]
    assert values == {"path": "m.pkl", "labels": ["b", "a", "b"], "desc": "cost ${x}", "meta": "2024-01-01"}
    assert check_dvc(parse_dvc(result.dvc.text)) == []


def test_crlf_files_keep_their_line_endings() -> None:
    gto = "rf:\r\n  path: a.pkl\r\nnn:\r\n  type: model\r\n"
    dvc = "stages: {}\r\n"
    result = migrate(gto, dvc)
    assert result.gto.text == "nn:\r\n  type: model\r\n"
    assert result.dvc.text == "stages: {}\r\nartifacts:\r\n  rf:\r\n    path: a.pkl\r\n"


def test_nothing_to_move_changes_nothing() -> None:
    result = migrate("{}\n", DVC)
    assert (result.moved, result.skipped, result.gto.edits, result.dvc.edits) == ([], [], (), ())


def test_unreadable_files_are_refused() -> None:
    with pytest.raises(GTOError):
        migrate("rf: [\n", DVC)
    with pytest.raises(GTOError):
        migrate(GTO, "artifacts:\n  x: 1\n")


def test_a_byte_order_mark_stays_outside_the_edits() -> None:
    gto = "\ufeffrf:\n  path: a.pkl\nnn: {}\n"
    result = migrate(gto, None)
    assert result.gto.text == "\ufeffnn: {}\n"
    assert [(e.start.line, e.start.col, e.new_text) for e in result.gto.edits] == [(0, 1, "")]
    assert apply(gto, result.gto) == result.gto.text


def test_the_summary_says_what_moves_what_is_dropped_and_what_stays() -> None:
    result = migrate(GTO, DVC)
    assert result.comments == 1  # `# the forest`, inside rf's lines; `# registry` stays in artifacts.yaml
    assert not result.emptied
    assert result.summary() == (
        "Moves 2 artifacts to dvc.yaml; drops 1 comment, `virtual` of 1 and `descripton` of `rf`;"
        " 1 stays (nopath: DVC requires a path)"
    )


def test_an_emptied_artifacts_yaml_is_removed_with_its_comments() -> None:
    """GTO refuses an empty artifacts.yaml and reads a missing one as no artifacts: the callers delete it."""
    gto = "# registry\nrf:  # the forest\n  path: a.pkl\n  description: 'not # a comment'\n# end\n"
    result = migrate(gto, None)
    assert result.emptied and result.gto.text == "# registry\n{}\n# end\n"
    assert result.comments == 3
    assert (
        result.summary()
        == "Moves 1 artifact to dvc.yaml; drops 3 comments; removes artifacts.yaml (nothing is left in it)"
    )
    assert (
        migrate(gto, None, names=["zz"]).summary() == "Nothing moves to dvc.yaml; 1 stays (zz: not in artifacts.yaml)"
    )


def test_migrate_of_n_and_4n_entries_both_finish() -> None:
    """It re-parsed the file once per entry: 400 entries took 6 s, 13,000 hung the server (speed: bench/)."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(1)
    for n in (250, 1000):
        gto = "".join(f"m{i}:  # c\n  type: model\n  path: models/m{i}.pkl\n" for i in range(n))
        result = pool.submit(migrate, gto, DVC).result(timeout=60)  # a hang bound, not a speed
        assert len(result.moved) == n and result.emptied and result.comments == n
        assert len(read_values(parse_dvc(result.dvc.text))) == n
    pool.shutdown(wait=False)
