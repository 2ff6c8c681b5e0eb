"""Parse a dvc.yaml and place the entries of its `artifacts:` section. Never raises.

DVC files are pipelines first: stages, plots, params, metrics and vars are not ours, so the file is read in two
parts. The top level is parsed with the section's lines blanked out (only YAML syntax is checked there), and the
section's lines, de-indented by the entries' indentation, are parsed as if they were an artifacts.yaml. Both
parses are incremental (`parse_blocks(text, previous)`), so an edit in one entry re-parses that entry alone. A section
the cut cannot express (flow style, a value on the key's line, lines indented less than the entries, aliases to
anchors elsewhere) is read from the whole `artifacts` block instead.
"""

from __future__ import annotations

import functools
import itertools
import weakref
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from gto_lsp.core.formats.dvc.section_cut import (
    SECTION_KEY_LINE,
    STAGES_KEY_LINE,
    Cut,
    Splice,
    Spliced,
    blanked,
    changed_run,
    cut_section,
    dedent,
    key_line,
    moved_cut,
    splice_cut,
)
from gto_lsp.core.problems import Pos, Problem, Related, Span
from gto_lsp.core.yaml.blocks import Block, Blocks, Lines, Placed
from gto_lsp.core.yaml.cut import parse_blocks, parse_whole
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode, last_content_mark, tag_of
from gto_lsp.core.yaml.rules import duplicate_keys

SECTION = "artifacts"
STAGES = "stages"


@dataclass(frozen=True)
class Entry(Placed):
    """An artifact of the section: its block's marks are moved down by `line` and right by `indent`."""

    indent: int = 0

    def pos(self, mark: Any) -> Pos:
        line = self.line + mark.line
        return Pos(line, mark.column + self.indent + (self.col_shift if line == 0 else 0))

    def relative(self, problem: Problem) -> Problem:
        return problem.moved(self.line, self.indent) if self.indent else problem.shifted(self.line, self.col_shift)


_SERIALS = itertools.count()


@dataclass(eq=False)
class DvcDocument:
    text: str
    top: Blocks  # the top level (the section's lines blanked when it was cut out)
    section: Optional[Blocks]  # the de-indented section, when it was cut out
    entries: list[Entry]
    problems: list[Problem]  # parse problems, placed
    section_line: Optional[int]  # line of the `artifacts:` key; None when the file has none
    section_value: Optional[Node]  # the section's value when read from the whole block (else None)
    section_kind: str  # "none", "block", "empty" (null), "flow", "not-mapping", "error"
    indent: int  # the entries' indentation (2 when unknown)
    field_indent: int  # the fields' indentation relative to their entry (2 when unknown)
    section_end: int = 0  # first line after the section
    # The `stages:` section cut out as the artifacts are (each stage composed alone), when it could be.
    stage_blocks: Optional[Blocks] = None
    stage_line: int = 0  # line of the `stages:` key when cut
    stage_indent: int = 0
    # Where the section was cut out of the text, and the parse problems outside it (top level, stages): what an
    # edit inside the section's lines carries over.
    section_cut: Optional[Cut] = None
    top_problems: list[Problem] = field(default_factory=list)
    stage_problems: list[Problem] = field(default_factory=list)
    splice: Optional[Splice] = None
    stage_cut: Optional[Cut] = None  # where the stages were cut out of the text
    serial: int = field(default_factory=lambda: next(_SERIALS))  # tells a document from those before it
    # Line and offset arithmetic over the real text (the top-level parse may be of a masked text).
    lines: Lines = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.lines = Lines(self.text, self.top.line_ending)

    @property
    def line_ending(self) -> str:
        return self.top.line_ending

    def line_text(self, line: int) -> str:
        return self.lines.line_text(line)

    @functools.cached_property
    def stages(self) -> list[Entry]:
        """The stages of the `stages:` section, each placed as an entry (name -> definition); empty when the
        section is absent or not a mapping (the top level's `stages` block says what it is then). A stage that is
        not valid YAML is missing here (its problem is the document's)."""
        if self.stage_blocks is not None:
            start, indent = self.stage_line + 1, self.stage_indent
            return [Entry(a.block, a.line + start, a.col_shift, indent) for a in self.stage_blocks.entries]
        block = next((b for b in self.top.entries if isinstance(b.key, ScalarNode) and b.key.value == STAGES), None)
        value = block.block.value if block is not None else None
        if block is None or not isinstance(value, MappingNode):
            return []
        return [
            Entry(Block("", key, item, None, last_content_mark(item).line), block.line, block.col_shift, 0)
            for key, item in value.value
        ]

    def find(self, name: str) -> Optional[Entry]:
        for entry in self.entries:
            if entry.name == name and entry.name_is_string:
                return entry
        return None


def parse_dvc(text: str, previous: Optional[DvcDocument] = None) -> DvcDocument:
    if previous is not None and (previous.text is text or previous.text == text):
        return previous
    try:
        return _parse(text, previous)
    except Exception as error:  # never let a document break the server
        top = parse_blocks("", None)
        problem = Problem("yaml-syntax", "error", f"Could not read dvc.yaml: {error}", Span.at(0, 0))
        return DvcDocument(text, top, None, [], [problem], None, None, "error", 2, 2)


def _parse(text: str, previous: Optional[DvcDocument]) -> DvcDocument:
    if previous is not None:
        spliced = _spliced(text, previous) or _spliced_stages(text, previous)
        if spliced is not None:
            return spliced
    document = _parse_artifacts(text, previous)
    if document.stage_blocks is not None:
        document.stage_problems = _stage_problems(document)
        document.problems.extend(document.stage_problems)
    return document


def _spliced(text: str, previous: DvcDocument) -> Optional[DvcDocument]:
    """The document after an edit inside the section's lines that kept every line break: the section's body spliced
    and parsed incrementally, the rest (top level, stages, problems, untouched entries) kept as it was."""
    cut, section_line = previous.section_cut, previous.section_line
    if cut is None or previous.section is None or section_line is None:
        return None
    spliced = _resplice(text, previous, cut, previous.section)
    if spliced is None:
        return None
    found, section = spliced
    start, old_stop, stop = changed_run(previous.section.entries, section.entries)
    line, indent = section_line + 1, cut.indent
    changed = [Entry(a.block, a.line + line, a.col_shift, indent) for a in section.entries[start:stop]]
    entries = [*previous.entries[:start], *changed, *previous.entries[old_stop:]]
    problems = [*previous.top_problems, *(p.moved(line, indent) for p in section.problems), *previous.stage_problems]
    document = replace(
        previous,
        text=text,
        section=section,
        entries=entries,
        problems=problems,
        field_indent=_field_indent(entries),
        section_cut=found.cut,
        stage_cut=moved_cut(previous.stage_cut, cut, len(text) - len(previous.text)),
        splice=Splice(previous.serial, start, old_stop, stop),
        serial=next(_SERIALS),
    )
    if "stages" in previous.__dict__:  # the same top level and stage blocks: the same stages
        document.__dict__["stages"] = previous.stages
    return document


def _resplice(text: str, previous: DvcDocument, cut: Cut, blocks: Blocks) -> Optional[tuple[Spliced, Blocks]]:
    """A cut section's new body and its incremental parse, when the edit stayed inside it (and it still reads)."""
    found = splice_cut(previous.text, text, cut, blocks.text)
    if found is None:
        return None
    parsed = parse_blocks(found.body, blocks)
    return (found, parsed) if _cut_reads(parsed) else None


def _cut_reads(blocks: Blocks) -> bool:
    """Whether a section cut out parses as itself (not when it aliases an anchor outside it, or is no mapping)."""
    return blocks.kind in ("mapping", "error") and not any("undefined alias" in p.message for p in blocks.problems)


def _spliced_stages(text: str, previous: DvcDocument) -> Optional[DvcDocument]:
    """The same after an edit inside the `stages:` section: the stages spliced, the rest (every entry) kept."""
    cut = previous.stage_cut
    if cut is None or previous.stage_blocks is None:
        return None
    spliced = _resplice(text, previous, cut, previous.stage_blocks)
    if spliced is None:
        return None
    found, blocks = spliced
    count = len(previous.entries)
    document = replace(
        previous,
        text=text,
        stage_blocks=blocks,
        stage_cut=found.cut,
        section_cut=moved_cut(previous.section_cut, cut, len(text) - len(previous.text)),
        splice=Splice(previous.serial, count, count, count),
        serial=next(_SERIALS),
    )
    document.stage_problems = _stage_problems(document)
    outside = previous.problems[: len(previous.problems) - len(previous.stage_problems)]
    document.problems = [*outside, *document.stage_problems]
    return document


@dataclass(frozen=True)
class _StagesCut:
    """The `stages:` section cut out of the text the top level is parsed from (its key reads `stages: {}`)."""

    top_text: str
    blocks: Optional[Blocks]
    line: int = 0
    indent: int = 0
    key_start: int = 0  # where the `stages:` key starts (the top text differs from the text after it)
    cut: Optional[Cut] = None


def _cut_stages(text: str, previous: Optional[DvcDocument]) -> _StagesCut:
    """Each stage composed alone, as the artifacts are: an edit re-reads the stage it touched, and a stage that is
    not valid YAML leaves the others read. Not when the section is in flow style, or aliases an anchor elsewhere."""
    key = key_line(STAGES_KEY_LINE, text)
    if key is None or text.lstrip("\ufeff").startswith("%"):
        return _StagesCut(text, None)
    cut = cut_section(text, key.end)
    if cut is None:
        return _StagesCut(text, None)
    region = text[cut.start : cut.end]
    before = previous.stage_blocks if previous is not None else None
    blocks = parse_blocks(dedent(region, cut), before)
    if not _cut_reads(blocks):
        return _StagesCut(text, None)
    ending = "\r" if text[key.start : key.end].endswith("\r") else ""
    key_text = ("\ufeff" if text[key.start] == "\ufeff" else "") + "stages: {}" + ending
    top_text = text[: key.start] + key_text + text[key.end : cut.start] + blanked(region)
    top_text += text[cut.end :]
    return _StagesCut(top_text, blocks, text.count("\n", 0, key.start), cut.indent, key.start, cut)


_STAGE_SYNTAX = "Expected an artifact entry `name:`"


def _stage_problems(document: DvcDocument) -> list[Problem]:
    """The cut stages' parse problems placed in the document, repeated stage names and repeated keys in a stage."""
    blocks = document.stage_blocks
    assert blocks is not None
    out: list[Problem] = []
    for problem in blocks.problems:
        if problem.code == "entry-syntax" and problem.message.startswith(_STAGE_SYNTAX):
            found = problem.message.split("found", 1)[-1].strip(" .")
            problem = replace(
                problem, message=f"Expected a stage `name:` (indented as the other stages), found {found}."
            )
        out.append(problem.moved(document.stage_line + 1, document.stage_indent))
    seen: dict[Any, Entry] = {}
    for stage in document.stages:
        out.extend(_repeated_keys(stage))
        if not stage.name_is_string:
            continue
        first = seen.setdefault(stage.name, stage)
        if first is not stage:
            out.append(
                Problem(
                    "duplicate-key",
                    "error",
                    f"Stage `{stage.name}` is defined twice: DVC cannot read a dvc.yaml with a repeated key. "
                    "Rename one or merge the two.",
                    stage.name_span,
                    related=(Related(first.name_span, f"`{stage.name}` is first defined here"),),
                    data={"key": stage.name},
                )
            )
    return out


def _parse_artifacts(text: str, previous: Optional[DvcDocument]) -> DvcDocument:
    stages = _cut_stages(text, previous)
    document = _parse_top(stages.top_text, previous)
    document.text = text
    document.lines = Lines(text, document.top.line_ending)
    cut = document.section_cut
    if stages.blocks is not None:
        document.stage_blocks, document.stage_line, document.stage_indent = stages.blocks, stages.line, stages.indent
        document.stage_cut = stages.cut
        if cut is not None and cut.start > stages.key_start:  # the section's offsets in the text, not the top text
            shift = len(text) - len(stages.top_text)
            document.section_cut = replace(cut, start=cut.start + shift, end=cut.end + shift, first=cut.first + shift)
    return document


def _parse_top(text: str, previous: Optional[DvcDocument]) -> DvcDocument:
    key = key_line(SECTION_KEY_LINE, text)
    key_line_number = text.count("\n", 0, key.start) if key is not None else None
    # A `%YAML 1.1` directive changes how every plain scalar reads: the section is not parsed apart from it.
    directive = text.lstrip("\ufeff").startswith("%")
    cut = cut_section(text, key.end) if key is not None and not directive else None
    if cut is None:
        return _from_top(text, _top_parse(text, previous), key_line_number)
    assert key_line_number is not None
    region = text[cut.start : cut.end]
    section = parse_blocks(dedent(region, cut), previous.section if previous is not None else None)
    if not _cut_reads(section):
        return _from_top(text, _top_parse(text, previous), key_line_number)
    top = _top_parse(text[: cut.start] + blanked(region) + text[cut.end :], previous)
    start, indent = key_line_number + 1, cut.indent
    entries = [Entry(a.block, a.line + start, a.col_shift, indent) for a in section.entries]
    top_problems = _top_problems(top)
    problems = [*top_problems, *(p.moved(start, indent) for p in section.problems)]
    end = start + region.count("\n") if cut.end < len(text) else text.count("\n") + 1
    document = DvcDocument(
        text, top, section, entries, problems, key_line_number, None, "block", indent, _field_indent(entries), end
    )
    document.section_cut, document.top_problems = cut, top_problems
    return document


def _top_parse(text: str, previous: Optional[DvcDocument]) -> Blocks:
    """The top level cut into blocks; where the cut misreads a valid file (a multi-line flow collection closed
    at column 0), the whole text composed at once."""
    top = parse_blocks(text, previous.top if previous is not None else None)
    if top.slots and any(p.code in ("yaml-syntax", "entry-syntax") for p in top.problems):
        whole = parse_whole(text)
        if whole.kind in ("mapping", "empty") and not whole.problems:
            return whole
    return top


def _field_indent(entries: list[Entry]) -> int:
    for entry in entries:
        value = entry.block.value
        if isinstance(value, MappingNode) and not value.flow_style and value.value:
            key = value.value[0][0]
            if key.start_mark.line > entry.key.start_mark.line:
                return max(1, int(key.start_mark.column - entry.key.start_mark.column))
    return 2


_ENTRY_SYNTAX = "Expected an artifact entry `name:`"


def _top_problems(top: Blocks) -> list[Problem]:
    """Problems of the top level that DVC has too: YAML syntax and a repeated key. An empty file is valid."""
    out: list[Problem] = []
    odd_top = top.kind in ("not-mapping", "error") or any(p.code == "entry-syntax" for p in top.problems)
    if odd_top and _falsy_document(top.text):
        return out  # DVC reads a top level of null, false, 0, '' or [] as an empty file
    for problem in top.problems:
        if problem.code == "empty-file":
            continue
        if problem.code == "entry-syntax" and problem.message.startswith(_ENTRY_SYNTAX):
            found = problem.message.split("found", 1)[-1].strip(" .")
            problem = Problem(
                "yaml-syntax",
                "error",
                f"YAML syntax error: expected a top-level key such as `stages:` or `artifacts:`, found {found}.",
                problem.span,
            )
        elif problem.code in ("top-not-mapping", "multiple-documents"):
            problem = Problem(
                problem.code,
                "error",
                problem.message.replace("artifacts.yaml", "dvc.yaml").replace(
                    "artifact names to their fields", "sections (stages, artifacts, ...)"
                ),
                problem.span,
            )
        out.append(problem)
    seen: dict[Any, Placed] = {}
    for block in top.entries:
        key = block.key
        if not isinstance(key, ScalarNode):
            continue
        if key.value != SECTION:
            out.extend(_repeated_keys(block))
        if key.value in seen:
            out.append(
                Problem(
                    "duplicate-key",
                    "error",
                    f"Duplicate key `{key.value}`: DVC cannot read a dvc.yaml with a repeated top-level key. "
                    "Merge the two.",
                    block.name_span,
                    data={"key": key.value},
                )
            )
        else:
            seen[key.value] = block
    return out


def _from_top(text: str, top: Blocks, key_line: Optional[int]) -> DvcDocument:
    """The section read from the whole `artifacts` block of the top-level parse (or absent)."""
    problems = _top_problems(top)
    block = next((a for a in top.entries if isinstance(a.key, ScalarNode) and a.key.value == SECTION), None)
    if block is None:
        return DvcDocument(text, top, None, [], problems, None, None, "none", 2, 2)
    value = block.block.value
    line = block.first_line
    entries: list[Entry] = []
    if value is None or (isinstance(value, ScalarNode) and tag_of(value) == "tag:yaml.org,2002:null"):
        kind = "empty"
    elif isinstance(value, MappingNode):
        kind = "flow" if value.flow_style else "block"
        for key, item in value.value:
            entry_block = Block("", key, item, None, last_content_mark(item).line)
            entries.append(Entry(entry_block, block.line, block.col_shift, 0))
    elif isinstance(value, (SequenceNode, ScalarNode)):
        kind = "not-mapping"
    else:
        kind = "error"
    indent = entries[0].key.start_mark.column if entries and kind == "block" else 2
    document = DvcDocument(
        text, top, None, entries, problems, line, value, kind, indent, _field_indent(entries), block.last_line + 1
    )
    return document


def _falsy_document(text: str) -> bool:
    try:
        from gto_lsp.core.yaml.render import load

        return not load(text)
    except Exception:
        return False


# The repeated keys of each top-level block, relative to it: computed once per block text.
_REPEATED_KEYS: weakref.WeakKeyDictionary[Block, list[Problem]] = weakref.WeakKeyDictionary()


def _repeated_keys(block: Placed) -> list[Problem]:
    """Repeated keys inside another section (a stage defined twice): ruamel refuses the whole file."""
    found = _REPEATED_KEYS.get(block.block)
    if found is None:
        found = []
        if block.block.value is not None:
            duplicate_keys(block.block.value, found)
        # Worded for DVC (and given the project note) by check_dvc, as every refusing problem of the document.
        found = [p for p in found if p.code == "duplicate-key" and "Duplicate key" in p.message]
        _REPEATED_KEYS[block.block] = found
    return [block.relative(p) for p in found]
