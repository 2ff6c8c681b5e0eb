"""core.completion: the completion context from the lines, at column 0 (artifacts.yaml) and at a section's
indentation (dvc.yaml), and path queries relative to a folder."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from gto_lsp.core.completion import (
    Context,
    Layout,
    context_at,
    path_label,
    path_matches,
    path_query,
    present_fields,
    section_layout,
)
from gto_lsp.core.problems import Pos

GTO = (
    "rf:\n"
    "  type: model\n"
    "  pa\n"
    "  labels:\n"
    "  - nlp\n"
    "  - vi\n"
    "  path: 'models/\n"
    "nn: {type: model, }\n"
    "gb: {labels: [a, ]}\n"
    "ne\n"
    "# comment\n"
)


def _contexts(lines: list[str], layout: Layout, shift: int = 0) -> list[tuple[Pos, Optional[Context]]]:
    out = []
    for number, text in enumerate(lines):
        for col in range(len(text) + 1):
            out.append((Pos(number, col), context_at(lines, Pos(number, col), layout)))
    return out


def test_a_section_is_artifacts_yaml_moved_right_and_down() -> None:
    """Every position of an artifacts.yaml text, and of the same text as dvc.yaml's section (indented by 2 or 4
    under `artifacts:`), has the same context, moved."""
    gto_lines = GTO.split("\n")
    expected = _contexts(gto_lines, Layout())
    for indent in (2, 4):
        lines = ["stages:", "  s:", "    cmd: x", "artifacts:"]
        lines += [" " * indent + text for text in gto_lines]
        lines += ["plots:", "- m.csv"]
        layout = section_layout(lines)
        assert layout == Layout(indent, 4, 4 + len(gto_lines))
        for pos, ctx in expected:
            moved = context_at(lines, Pos(pos.line + 4, pos.col + indent), layout)
            if ctx is None:
                assert moved is None, (pos, moved)
                continue
            assert moved is not None, pos
            assert moved == replace(
                ctx,
                start=ctx.start + indent,
                entry_line=None if ctx.entry_line is None else ctx.entry_line + 4,
                indent=None if ctx.indent is None else ctx.indent + indent,
            ), pos
        # Left of the entries, and the other sections: nothing.
        assert context_at(lines, Pos(4, 1), layout) is None
        assert context_at(lines, Pos(1, 2), layout) is None
        assert context_at(lines, Pos(len(lines) - 1, 3), layout) is None


def test_contexts_of_artifacts_yaml() -> None:
    lines = GTO.split("\n")
    assert context_at(lines, Pos(2, 4)) == Context("key", 2, 0, typed="pa", indent=2)
    assert context_at(lines, Pos(1, 13)) == Context("value", 8, 0, "type", "model", indent=2)
    assert context_at(lines, Pos(5, 6)) == Context("label", 4, 0, "labels", "vi", lead="")
    assert context_at(lines, Pos(6, 17)) == Context("value", 10, 0, "path", "models/", indent=2)
    assert context_at(lines, Pos(7, 18)) == Context("key", 18, 7, typed="", flow=True)
    assert context_at(lines, Pos(8, 17)) == Context("label", 17, 8, "labels", "", flow=True)
    assert context_at(lines, Pos(9, 2)) == Context("top", 0, typed="ne")
    assert context_at(lines, Pos(10, 5)) is None
    assert present_fields(lines, 0) == {"type", "labels", "path"}


def test_section_layout() -> None:
    assert section_layout(["stages:", "  s: {}"]) is None
    assert section_layout(["artifacts:", "  "]) == Layout(2, 1, 2)
    assert section_layout(["artifacts:  # ours", "", "      rf:", "# c", "vars:"]) == Layout(6, 1, 4)
    assert section_layout(["artifacts:", "    rf: {}"], indent=4) == Layout(4, 1, 2)


def test_path_queries_from_a_folder() -> None:
    assert path_query("/etc") is None and path_query("s3://b/x") is None and path_query("~/x") is None
    assert path_query("../x") is None  # artifacts.yaml: from the root, never up
    query = path_query("../../da", "sub/dir", allow_up=True)
    assert query is not None and query.listed == "" and query.folder == "../.."
    assert path_label(query, "data", True) == "../../data/" and path_matches(query, "data")
    assert not path_matches(query, "models")
    assert path_query("../../../x", "sub/dir", allow_up=True) is None  # leaves the repository
    query = path_query("./out/", "sub", allow_up=True)
    assert query is not None and query.listed == "sub/out" and query.dot == "./"
    assert path_label(query, "sub/out/clf.pkl", False) == "./out/clf.pkl"
