"""annotate/remove/describe over text: GTO's merge rules and messages; only the annotated entry changes."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from gto_lsp.core.config import parse_config
from gto_lsp.core.edits import AnnotateRequest, EditResult, GTOError
from gto_lsp.core.formats.gto.edit import annotate, describe, remove
from gto_lsp.core.names import invalid_name_message


def run(text: Optional[str], name: str, gto: Optional[str] = None, committed: tuple[str, ...] = (), **kw: Any) -> str:
    request = AnnotateRequest(name=name, **kw)
    return annotate(text, request, parse_config(gto, env={}), in_head=lambda p: p in committed).text


def apply_edits(text: str, result: EditResult) -> str:
    """Apply the minimal edits the editor would get, to prove they equal the new text."""
    lines = text.splitlines(keepends=True) or [""]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: Any) -> int:
        return starts[pos.line] + pos.col if pos.line < len(lines) else len(text)

    out = text
    for edit in sorted(result.edits, key=lambda e: (e.start.line, e.start.col), reverse=True):
        out = out[: offset(edit.start)] + edit.new_text + out[offset(edit.end) :]
    return out


CASE_2 = (
    "rf:\n  custom: '{\"a\": 1}'\n  description: Random forest\n  labels:\n  - bb\n  - aa\n  - bb\n"
    "  path: models/rf.pkl\n  type: model\n"
)


def test_spec_cases_byte_for_byte() -> None:
    assert run(None, "rf") == "rf: {}\n"
    case2 = run(
        None,
        "rf",
        type="model",
        path="models/rf.pkl",
        labels=("bb", "aa", "bb"),
        description="Random forest",
        custom='{"a": 1}',
    )
    assert case2 == CASE_2
    case3 = run(case2.replace("'{\"a\": 1}'", "c1"), "rf", labels=("cc",), description="")
    assert case3 == (
        "rf:\n  custom: c1\n  description: Random forest\n  labels:\n  - aa\n  - bb\n  - cc\n"
        "  path: models/rf.pkl\n  type: model\n"
    )
    text = ""
    for name, path in [("zz", None), ("aa-model", "x/y"), ("m10", None), ("m2", None), ("mm/sub", None)]:
        text = run(text, name, path=path)
    assert text == "aa-model:\n  path: x/y\nm10: {}\nm2: {}\nmm/sub: {}\nzz: {}\n"


def test_must_exist_and_virtual_case_5() -> None:
    committed = ("m.pkl",)
    text = run(None, "rf", must_exist=True, path="m.pkl", committed=committed)
    assert text == "rf:\n  path: m.pkl\n  virtual: false\n"
    text = run(text, "rf", labels=("l1",), committed=committed)
    assert text == "rf:\n  labels:\n  - l1\n  path: m.pkl\n  virtual: false\n"
    text = run(text, "rf", path="m.pkl", committed=committed)
    assert text == "rf:\n  labels:\n  - l1\n  path: m.pkl\n"
    text = run(text, "rf", path="m.pkl", must_exist=True, committed=committed)
    assert text == "rf:\n  labels:\n  - l1\n  path: m.pkl\n  virtual: false\n"


def test_folding_like_gto() -> None:
    long = "This is a very long description that goes beyond the eighty character limit of the line for sure"
    assert run(None, "rf", description=long) == (
        "rf:\n  description: This is a very long description that goes beyond the eighty \n"
        "    character limit of the line for sure\n"
    )


@pytest.mark.parametrize(
    ("description", "written"),
    [
        ("yes", "yes"),
        ("123", "'123'"),
        ("#hash", "'#hash'"),
        ("a: b", "'a: b'"),
        (" lead", "' lead'"),
        ("line1\nline2", '"line1\\nline2"'),
        ("Ünïcödé 🚀", "Ünïcödé 🚀"),
        ("it's", "it's"),
    ],
)
def test_scalar_styles_like_gto(description: str, written: str) -> None:
    assert run(None, "rf", description=description) == f"rf:\n  description: {written}\n"


HAND = """# top comment
rf:   # inline comment
  type: model   # the type
  path: "models/rf.pkl"
  labels: [zz, aa]
  unknown_key: 42
  description: >
    folded text
    here
nn: {type: model, path: models/nn.pkl}
"""


def test_hand_written_entry_keeps_comments_order_and_quotes() -> None:
    result = annotate(HAND, AnnotateRequest(name="rf", labels=("bb",)))
    assert result.text == HAND.replace("[zz, aa]", "[aa, bb, zz]")
    assert apply_edits(HAND, result) == result.text
    assert len(result.edits) == 1


def test_hand_written_entry_field_updates() -> None:
    text = run(HAND, "rf", description="new", custom="x", must_exist=True, path="m.pkl", committed=("m.pkl",))
    assert text == (
        "# top comment\nrf:   # inline comment\n  type: model   # the type\n  path: m.pkl\n  labels: [aa, zz]\n"
        "  unknown_key: 42\n  description: new\n  custom: x\n  virtual: false\n"
        "nn: {type: model, path: models/nn.pkl}\n"
    )


def test_flow_entry_is_rewritten_in_gto_style_alone() -> None:
    text = run(HAND, "nn", labels=("bb",))
    assert text == HAND.replace(
        "nn: {type: model, path: models/nn.pkl}\n", "nn:\n  labels:\n  - bb\n  path: models/nn.pkl\n  type: model\n"
    )


def test_new_entry_appended_when_names_are_not_sorted() -> None:
    assert run(HAND, "new", type="model") == HAND + "new:\n  type: model\n"


def test_new_entry_in_sorted_position_with_its_comment_block() -> None:
    text = "aa: {}\n# about zz\nzz: {}\n"
    assert run(text, "mm") == "aa: {}\nmm: {}\n# about zz\nzz: {}\n"


def test_crlf_bom_emoji_and_no_final_newline() -> None:
    text = '\ufeffrf:\r\n  description: "😀 demo"  # c\r\n  labels: [a]'
    result = annotate(text, AnnotateRequest(name="rf", labels=("b",), type="model"))
    assert result.text == '\ufeffrf:\r\n  description: "😀 demo"  # c\r\n  labels: [a, b]\r\n  type: model\r\n'
    assert apply_edits(text, result) == result.text
    new = run("rf: {}\r\n", "nn")
    assert new == "nn: {}\r\nrf: {}\r\n"


def test_four_space_indent_and_existing_keys() -> None:
    text = "rf:\n    path: a\n    type: model\n"
    assert run(text, "rf", description="d" * 90) == (
        "rf:\n    description: \n      " + "d" * 90 + "\n    path: a\n    type: model\n"
    )


def test_empty_and_missing_file() -> None:
    assert run(None, "rf") == "rf: {}\n"
    assert run("", "rf") == "rf: {}\n"
    assert run("# registry\n", "rf") == "# registry\nrf: {}\n"
    assert run("{}\n", "rf", type="model") == "rf:\n  type: model\n"


def test_unchanged_request_gives_no_edits() -> None:
    result = annotate(CASE_2, AnnotateRequest(name="rf", type="model"))
    assert result.text == CASE_2.replace("  - bb\n  - aa\n  - bb\n", "  - aa\n  - bb\n")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "a.b"}, invalid_name_message("a.b", "artifact name")),
        ({"name": "rf", "labels": ("ok", "Bad.L")}, invalid_name_message("Bad.L", "label")),
        ({"name": "rf", "type": "a b"}, invalid_name_message("a b", "type")),
        (
            {"name": "rf", "type": "data", "gto": "types: [model, dataset]\n"},
            "Type 'data' is not allowed by .gto: use one of 'model', 'dataset'",
        ),
        ({"name": "rf", "must_exist": True}, "`path` is required when `must_exist` is set to True"),
        ({"name": "rf", "must_exist": True, "path": "x.pkl"}, "Nothing found in 'x.pkl' for checked out commit"),
        (
            {"name": "bb", "path": "models"},
            "Provided path 'models' conflicts with artifact 'rf', whose path is 'models/rf.pkl'",
        ),
        (
            {"name": "bb", "path": "./models/rf.pkl", "type": "m"},
            "Provided path './models/rf.pkl' conflicts with artifact 'rf', whose path is 'models/rf.pkl'",
        ),
    ],
)
def test_gto_errors(kwargs: dict[str, Any], message: str) -> None:
    gto = kwargs.pop("gto", None)
    with pytest.raises(GTOError) as caught:
        run("rf:\n  path: models/rf.pkl\n", gto=gto, **kwargs)
    assert caught.value.message == message


def test_same_path_is_allowed_when_asked_and_for_itself() -> None:
    base = "rf:\n  path: models/rf.pkl\n"
    assert "bb:\n  path: models\n" in run(base, "bb", path="models", allow_same_path=True)
    assert run(base, "rf", path="models/rf.pkl") == base


@pytest.mark.parametrize(
    "broken",
    [
        "rf:\n",
        "rf: {}\nrf: {}\n",
        "rf:\n  labels: aa\n",
        "- a\n",
        "rf:\n  description: null\n",
        "rf: [\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_unreadable_file_is_refused_and_named(broken: str) -> None:
    with pytest.raises(GTOError) as caught:
        run(broken, "nn")
    assert caught.value.message == "artifacts.yaml file doesn't conform to GTO format"
    assert caught.value.detail and caught.value.detail.startswith("line ")


def test_invalid_label_elsewhere_fails_like_gto_state_check() -> None:
    with pytest.raises(GTOError) as caught:
        run("rf: {}\naa:\n  labels: [Bad.L]\n", "nn")
    assert caught.value.message == invalid_name_message("Bad.L", "label")
    assert caught.value.detail == (
        "The label `Bad.L` of `aa` (line 2) is invalid; GTO checks every artifact when it writes the file: "
        "fix it first (for example `Bad-L`)."
    )


def test_remove_keeps_every_other_byte() -> None:
    assert remove(HAND, "rf").text == "# top comment\nnn: {type: model, path: models/nn.pkl}\n"
    assert remove("rf: {}\n", "rf").text == "{}\n"
    assert remove("aa: {}\nbb:\n  type: model\n", "aa").text == "bb:\n  type: model\n"
    text = "aa: {}\r\n\r\n# c\r\nbb: {}\r\n"
    assert remove(text, "bb").text == "aa: {}\r\n\r\n# c\r\n"
    with pytest.raises(GTOError, match="Cannot find artifact 'x'"):
        remove(HAND, "x")
    with pytest.raises(GTOError, match="Cannot find artifact 'x'"):
        remove(None, "x")


def test_describe_in_model_order() -> None:
    assert describe(CASE_2, "rf") == {
        "type": "model",
        "path": "models/rf.pkl",
        "labels": ["bb", "aa", "bb"],
        "description": "Random forest",
        "custom": '{"a": 1}',
    }
    assert describe(HAND, "nn") == {"type": "model", "path": "models/nn.pkl"}
    assert describe(HAND, "zz") is None
    assert describe("rf:\n  virtual: false\n  custom: {a: [1, 2]}\n", "rf") == {
        "virtual": False,
        "custom": {"a": [1, 2]},
    }


def test_new_entry_follows_blank_line_separation() -> None:
    spaced = "# registry\n\nzz:\n  type: model\n\n# about aa\naa: {}\n"
    assert run(spaced, "new") == spaced + "\nnew: {}\n"
    ordered = "aa: {}\n\nzz: {}\n"
    assert run(ordered, "mm") == "aa: {}\n\nmm: {}\n\nzz: {}\n"
    assert run("aa: {}\nzz: {}\n", "mm") == "aa: {}\nmm: {}\nzz: {}\n"


# --- every write is read back before it is returned (issue 12 item 12) -----------------------------------------


def test_an_edit_that_would_not_read_back_as_intended_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is in the shared mechanism, whatever writer goes wrong: here the entry renderer."""
    import gto_lsp.core.formats.gto.edit as core

    text = "aa: {}\nrf: {path: m.pkl}\n"
    monkeypatch.setattr(core, "render_entry", lambda name, values: f"{name}: [\n")  # not YAML
    with pytest.raises(GTOError, match=r"cannot edit artifacts\.yaml without changing what it reads: GTO could not"):
        annotate(text, AnnotateRequest("rf", type="model"))
    monkeypatch.setattr(core, "render_entry", lambda name, values: f"{name}:\n  type: other\n")  # YAML, wrong
    with pytest.raises(GTOError, match="`rf` would read back with type 'other', not 'model'") as error:
        annotate(text, AnnotateRequest("rf", type="model"))
    assert error.value.kind == "unsafe-edit" and "by hand" in str(error.value.detail)


def test_a_value_gtos_writer_would_change_is_refused_with_what_it_would_read() -> None:
    """GTO writes a NEL (U+0085) in single quotes, and its reader folds it into a space."""
    with pytest.raises(GTOError, match=r"`d39` would read back with description 'nel char', not 'nel\\x85char'"):
        annotate("rf: {}\n", AnnotateRequest("d39", description="nel\x85char"))


def test_flow_style_artifacts_yaml_is_edited_as_gto_reads_it() -> None:
    from gto_lsp.core.yaml.render import load

    for text in (
        "{rf: {path: m.pkl}, aa: {}}\n",
        "rf: {path: m.pkl}  # c\naa: {}\n",
        "rf: {path: m.pkl,\n  type: x}\naa: {}\n",
    ):
        result = annotate(text, AnnotateRequest("rf", type="model", labels=("b",)))
        assert load(result.text)["rf"] == {"path": "m.pkl", "type": "model", "labels": ["b"]}, text
        assert load(remove(text, "rf").text) == {"aa": {}}, text


def test_flow_style_dvc_yaml_stays_flow_style_and_reads_as_dvc_reads_it() -> None:
    """A flow-style dvc.yaml got block lines after `{...}`: not YAML, and DVC refused the whole project."""
    from gto_lsp.core.formats.dvc.document import parse_dvc
    from gto_lsp.core.formats.dvc.edit import annotate as annotate_dvc
    from gto_lsp.core.formats.dvc.edit import remove as remove_dvc
    from gto_lsp.core.formats.dvc.rules import check_dvc
    from gto_lsp.core.formats.dvc.values import read_values
    from gto_lsp.core.yaml.render import load

    stages = {"train": {"cmd": "python train.py"}}
    for text in (
        "{stages: {train: {cmd: python train.py}}, artifacts: {rf: {path: m.pkl}}}\n",
        "{artifacts: {rf: {path: m.pkl}},\n stages: {train: {cmd: python train.py}}}\n",
        "{stages: {train: {cmd: python train.py}}}\n",
    ):
        result = annotate_dvc(text, AnnotateRequest("nn", path="n.pkl", labels=("a b", "c")))
        document = parse_dvc(result.text)
        assert check_dvc(document) == [] and load(result.text)["stages"] == stages, result.text
        assert read_values(document)["nn"] == {"path": "n.pkl", "labels": ["a b", "c"]}
        result = annotate_dvc(result.text, AnnotateRequest("nn", type="model", description="cost ${x}"))
        assert read_values(parse_dvc(result.text))["nn"]["desc"] == "cost ${x}"
        after = remove_dvc(result.text, "nn").text
        assert "nn" not in read_values(parse_dvc(after)) and load(after)["stages"] == stages
    with pytest.raises(GTOError, match=r"dvc\.yaml is written in flow style \(\{\.\.\.\}\); gto-lsp cannot edit it"):
        annotate_dvc("{stages: {}, artifacts: null}\n", AnnotateRequest("nn", path="n.pkl"))


def test_values_written_without_the_dumper_are_what_the_dumper_writes() -> None:
    """render writes short plain words itself (the dumper costs a millisecond a value): the same text."""
    from gto_lsp.core.yaml.render import dump, is_plain, render_field, render_scalar

    words = ["a", "models/rf.pkl", "model number 12", "v1.0.0", "a-b_c", "x" * 59, "word " * 11 + "w", "A B"]
    tricky = ["yes", "true", "null", "~", "1", "1.0", "1e3", "0x1f", ".inf", "2024-01-01", "a  b", "-a", "a:", "x" * 61]
    assert all(is_plain(w) for w in words) and not any(is_plain(w) for w in tricky if w not in ("yes",))
    for value in words + tricky:
        assert render_field("x", "desc", value, 4) == dump({"x": {"desc": value}}).split("\n", 1)[1].strip(), value
        assert render_scalar(value) == dump([value])[2:].rstrip("\n"), value
