"""Cut a YAML document into top-level blocks and compose each alone, so an edit re-composes only the blocks whose
text it changed (`parse_blocks(text, previous)` splices them in and reuses the rest). Anything the cut cannot
express (flow or indented top level, document markers, directives, aliases across entries) falls back to composing
the whole text (`parse_whole`). Never raises.

A line starting at column 0 begins a block. Problems are worded for artifacts.yaml; dvc.yaml's reader re-words
them (formats/dvc/document.py).
"""

from __future__ import annotations

import bisect
import re
from array import array
from itertools import compress, repeat
from operator import add, attrgetter, itemgetter
from typing import Optional

import yaml

from gto_lsp.core.common_text import common_length
from gto_lsp.core.pause import EVERY, PAUSE
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.blocks import Block, Blocks, Lines, Placed, Slot, detect_line_ending, line_starts_of
from gto_lsp.core.yaml.lexical import NON_PRINTABLE, error_problem, stray_characters
from gto_lsp.core.yaml.nodes import ODD_BREAKS, MappingNode, SequenceNode, compose, is_standard_tag, last_content_mark

# A line that starts a top-level entry: not indented, not a comment, not a sequence dash, not blank.
# Both start with a literal line break so the regex engine can skip ahead with a fast search (10x faster on
# large files than `^` with re.M); the text is searched with a "\n" put in front.
_BLOCK_START = re.compile(r"[\n\r](?=[^ \t#\r\n-]|-[^ \t\r\n])")
_NEEDS_FULL_PARSE = re.compile(r"[\n\r](?:---|\.\.\.|%)")
# The same where the text has no "\r": a pattern led by a literal is searched for it in C (2 MB: 16 -> 4 ms).
_NL_BLOCK_START = re.compile(r"\n(?=[^ \t#\r\n-]|-[^ \t\r\n])")
_NL_NEEDS_FULL_PARSE = re.compile(r"\n(?:---|\.\.\.|%)")
_WHOLE_STARTS = "?&*!{[|>"  # a block starting with one of these sends the whole text to `_parse_whole`


def _parse_block(text: str, plain: bool = False) -> Block:
    """`plain`: the caller found no NON_PRINTABLE and no ODD_BREAKS in a text holding this one (searched once
    over the whole text, not once per block)."""
    if not plain and NON_PRINTABLE.search(text):
        return Block(text, None, None, stray_characters(text, None)[0], 0)
    try:
        node = compose(text, no_odd_breaks=plain)
    except yaml.YAMLError as error:
        problem = error_problem(error, text)
        mark = getattr(error, "problem_mark", None)
        lines = text.split("\n")
        at_tab = mark is not None and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t"
        if "cannot start any token" in str(getattr(error, "problem", "")) and at_tab:
            problem = Problem(
                "yaml-syntax",
                "error",
                "YAML syntax error: a tab character where YAML expects spaces. Indent with spaces.",
                problem.span,
            )
        return Block(text, None, None, problem, 0)
    except Exception as error:
        return Block(text, None, None, Problem("yaml-syntax", "error", f"YAML error: {error}", Span.at(0, 0)), 0)
    if isinstance(node, MappingNode) and not node.flow_style and len(node.value) == 1:
        key, value = node.value[0]
        if key.start_mark.line == 0 and key.start_mark.column == 0:
            end_line = last_content_mark(value).line
            extra = tuple(stray_characters(text, node, printable=plain))
            return Block(text, key, value, None, max(end_line, key.start_mark.line), extra)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    span = Span(Pos(0, 0), Pos(0, len(first_line)))
    return Block(
        text,
        None,
        None,
        Problem(
            "entry-syntax",
            "error",
            f"Expected an artifact entry `name:` at the start of this line, found `{first_line.strip()[:40]}`.",
            span,
        ),
        0,
    )


def parse_blocks(text: str, previous: Optional[Blocks] = None) -> Blocks:
    """Read a document's text; `previous` (the last read of the same file) lets unchanged blocks be reused: only
    the entries an edit touched are composed again."""
    if previous is not None and (previous.text is text or previous.text == text):
        return previous  # a read is not changed afterwards: the same text gives the same value
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    line_ending = detect_line_ending(body)
    try:
        found = None
        if previous is not None and previous.slots and previous.bom == bom:
            found = _parse_splice(text, body, bom, line_ending, previous)
        if found is None:
            cache = {slot[1].text: slot[1] for slot in previous.slots} if previous is not None else {}
            found = _cut_all(text, body, bom, line_ending, cache)
        if found is None:
            found = _parse_whole(text, body, bom, line_ending, line_starts_of(text))
        return found
    except Exception as error:
        problem = Problem("yaml-syntax", "error", f"Could not read the file: {error}", Span.at(0, 0))
        return Blocks(Lines(text, line_ending), [], [problem], None, "error", False, bom, [])


_NL = (_NL_NEEDS_FULL_PARSE, _NL_BLOCK_START)


def _split(body: str, start: int, end: int) -> Optional[list[int]]:
    """Offsets of the block starts in body[start:end], where `start` is a line start."""
    region = body[start:end]
    needs_full, block_start = (_NEEDS_FULL_PARSE, _BLOCK_START) if "\r" in region else _NL
    if needs_full.search(region) or region.startswith(("---", "...", "%")):
        return None
    offsets = [start + m.start() + 1 for m in block_start.finditer(region)]
    if region and (region[0] not in " \t#\r\n-" or (region[0] == "-" and region[1:2] not in " \t\r\n")):
        offsets.insert(0, start)
    return offsets


def _place(
    body: str, offsets: list[int], end: int, first_line: int, shift: int, cache: dict[str, Block], plain: bool = False
) -> Optional[list[Slot]]:
    slots: list[Slot] = []
    lone_cr = "\r" in body and body.count("\r") != body.count("\r\n")
    body_starts = line_starts_of(body) if lone_cr else None
    line, counted_to = first_line, offsets[0] if offsets else 0
    bounds = [*offsets, end]
    pause, composed = PAUSE.get(), 0
    for index in range(len(offsets)):
        chunk = body[bounds[index] : bounds[index + 1]]
        if chunk[0] in _WHOLE_STARTS:
            return None
        block = cache.get(chunk)
        if block is None:
            block = _parse_block(chunk, plain)
            cache[chunk] = block
            composed += 1
            if pause is not None and not composed % EVERY:
                pause()
        if body_starts is not None:
            line = bisect.bisect_right(body_starts, bounds[index]) - 1
        else:
            line += body.count("\n", counted_to, bounds[index])
            counted_to = bounds[index]
        if block.error is not None:
            if "undefined alias" in block.error.message:
                return None
            slots.append((line, block, None))
        else:
            slots.append((line, block, Placed(block, line, shift)))
    return slots


_BLOCK, _PLACED = itemgetter(1), itemgetter(2)
_ERROR, _EXTRA = attrgetter("error"), attrgetter("extra")


def _assemble(text: str, bom: bool, line_ending: str, slots: list[Slot], offsets: array[int]) -> Blocks:
    # Python runs only for the blocks with problems (compress); the passes over every slot are O(entries): an
    # edit takes _assemble_splice instead.
    entries: list[Placed] = list(filter(None, map(_PLACED, slots)))  # a Placed is always true
    blocks = list(map(_BLOCK, slots))
    flagged = sorted(
        {*compress(range(len(slots)), map(_ERROR, blocks)), *compress(range(len(slots)), map(_EXTRA, blocks))}
    )
    problems = _problems_of(slots, flagged, 1 if bom else 0)
    return Blocks(
        Lines(text, line_ending), entries, problems, None, "mapping", False, bom, slots, flagged, offsets=offsets
    )


def _problems_of(slots: list[Slot], flagged: list[int], shift: int) -> list[Problem]:
    """The flagged slots' problems, absolute: every error in slot order, then every extra problem."""
    problems = []
    for index in flagged:
        line, block, _ = slots[index]
        if block.error is not None:
            problems.append(block.error.shifted(line, shift))
    for index in flagged:
        line, block, _ = slots[index]
        problems.extend(problem.shifted(line, shift) for problem in block.extra)
    return problems


_SPLICES_KEPT = 8  # reads parsed between two checks (a check waits while the user types)


def _assemble_splice(
    text: str,
    bom: bool,
    line_ending: str,
    previous: Blocks,
    span: tuple[int, int],
    middle_part: tuple[list[Slot], list[int]],
    tail_part: tuple[list[Slot], array[int]],
    lines_moved: bool,
) -> Blocks:
    """`_assemble` of previous.slots[:first] + middle + tail, where tail replaces previous.slots[last:] (the same
    blocks; when `lines_moved`, newly placed): work for the blocks with problems and the changed ones, not a pass
    over every entry."""
    first, last = span
    (middle, middle_offsets), (tail, tail_offsets) = middle_part, tail_part
    offsets = previous.offsets[:first] + array("q", middle_offsets) + tail_offsets
    old_flagged = previous.flagged
    if old_flagged is None:
        return _assemble(text, bom, line_ending, [*previous.slots[:first], *middle, *tail], offsets)
    old_slots = previous.slots
    low, high = bisect.bisect_left(old_flagged, first), bisect.bisect_left(old_flagged, last)
    moved = len(middle) - (last - first)
    flagged = [
        *old_flagged[:low],
        *(first + k for k, slot in enumerate(middle) if slot[1].error is not None or slot[1].extra),
        *(index + moved for index in old_flagged[high:]),
    ]
    # an entry's index is its slot's less the failed slots before it (a failed block is not an entry)
    failed_before_first = sum(1 for index in old_flagged[:low] if old_slots[index][2] is None)
    failed_before_last = failed_before_first + sum(1 for index in old_flagged[low:high] if old_slots[index][2] is None)
    middle_entries = [slot[2] for slot in middle if slot[2] is not None]
    old_entries = previous.entries
    if lines_moved:
        tail_entries = [slot[2] for slot in tail if slot[2] is not None]
    else:
        tail_entries = old_entries[last - failed_before_last :]  # the same Placed objects
    entries = [*old_entries[: first - failed_before_first], *middle_entries, *tail_entries]
    slots = [*old_slots[:first], *middle, *tail]
    problems = _problems_of(slots, flagged, 1 if bom else 0)
    start, end = first - failed_before_first, len(tail_entries)
    spliced_from = (
        (previous.serial, start, end),
        *(
            (serial, min(start, kept_start), min(end, kept_end))
            for serial, kept_start, kept_end in previous.spliced_from
        ),
    )[:_SPLICES_KEPT]
    return Blocks(
        Lines(text, line_ending),
        entries,
        problems,
        None,
        "mapping",
        False,
        bom,
        slots,
        flagged,
        spliced_from=spliced_from,
        offsets=offsets,
    )


def _cut_all(text: str, body: str, bom: bool, line_ending: str, cache: dict[str, Block]) -> Optional[Blocks]:
    offsets = _split(body, 0, len(body))
    if not offsets:
        return None
    # Content before the first block must be blank lines or comments only (an indented top level is not).
    preamble_text = body[: offsets[0]]
    if "\t" in preamble_text or NON_PRINTABLE.search(preamble_text):
        return None  # the whole-document parse reports them
    for preamble in preamble_text.splitlines():
        if preamble.strip() and not preamble.lstrip().startswith("#"):
            return None
    first_line = body.count("\n", 0, offsets[0]) if "\r" not in body[: offsets[0]] else None
    if first_line is None:
        first_line = bisect.bisect_right(line_starts_of(body), offsets[0]) - 1
    plain = NON_PRINTABLE.search(body) is None and ODD_BREAKS.search(body) is None
    slots = _place(body, offsets, len(body), first_line, 1 if bom else 0, cache, plain)
    if slots is None:
        return None
    return _assemble(text, bom, line_ending, slots, array("q", offsets))


# What sends a whole text to `_parse_whole` though its head alone would be cut: a block starting with one of
# `_WHOLE_STARTS`, and (conservatively) anything that may be an alias, which may name an anchor of another block.
_ODD_BLOCK_START = re.compile(f"[\\n\\r][{re.escape(_WHOLE_STARTS)}]")
_NL_ODD_BLOCK_START = re.compile(f"\\n[{re.escape(_WHOLE_STARTS)}]")
_MAYBE_ALIAS = re.compile(r"\*(?<=[\s\[{,]\*)")  # led by the literal: searched for it in C


HEAD_MAX = 100_000  # characters of a head, at most: it is read while the editor waits (the whole is not)
_NL_HEAD = (_NL_NEEDS_FULL_PARSE, _NL_ODD_BLOCK_START)


def parse_head(text: str, lines: int) -> Optional[Blocks]:
    """The read of the text's first blocks, up to the first block starting at line `lines` or later: its entries
    and problems are exactly the first ones of `parse_blocks(text)`. None when that cannot be promised (the whole
    text would be composed whole) or the text has no block start past `lines`."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    needs_full, odd_start = (_NEEDS_FULL_PARSE, _ODD_BLOCK_START) if "\r" in body else _NL_HEAD
    if needs_full.search(body) or body.startswith(("---", "...", "%", *_WHOLE_STARTS)):
        return None
    if odd_start.search(body) or _MAYBE_ALIAS.search(body):
        return None
    line_start = 0
    for _ in range(lines):
        line_start = body.find("\n", line_start) + 1
        if line_start == 0:
            return None
    found = _BLOCK_START.search(body, max(0, line_start - 1), HEAD_MAX)
    if found is None:
        return None  # no block start past `lines` within HEAD_MAX: long lines would cost what the whole does
    end = found.start() + 1
    try:
        return _cut_all(text[: end + (1 if bom else 0)], body[:end], bom, detect_line_ending(body), {})
    except Exception:
        return None  # (parse_blocks reads such a text as one error)


def _parse_splice(text: str, body: str, bom: bool, line_ending: str, previous: Blocks) -> Optional[Blocks]:
    """Re-parse only the blocks around the changed span; blocks after it move by the change in line count."""
    old_body = previous.text[1:] if previous.bom else previous.text
    if "\r" in body and body.count("\r") != body.count("\r\n"):
        return None
    prefix = common_length(old_body, body, min(len(old_body), len(body)))
    if prefix == len(old_body) == len(body):
        return _assemble(text, bom, line_ending, previous.slots, previous.offsets)
    suffix = common_length(old_body, body, min(len(old_body), len(body)) - prefix, from_end=True)
    old_slots = previous.slots
    # The region: from the block before the one holding the first changed character (an edit at a block's
    # first character can merge it into the previous one) to the block after the last changed character.
    offsets = previous.offsets  # bisected in place: no list of every offset per edit
    first = max(0, bisect.bisect_left(offsets, prefix) - 1)
    changed_end = len(old_body) - suffix
    last = bisect.bisect_right(offsets, changed_end)  # first block wholly after the change
    if first == 0 and offsets[0] > 0 and prefix <= offsets[0]:
        return None  # the preamble changed: check it with a full split
    delta = len(body) - len(old_body)
    region_start = offsets[first]
    old_region_end = offsets[last] if last < len(old_slots) else len(old_body)
    region_end = old_region_end + delta
    new_offsets = _split(body, region_start, region_end)
    if new_offsets is None or (new_offsets and new_offsets[0] != region_start) or (not new_offsets and first == 0):
        return None
    cache = {slot[1].text: slot[1] for slot in old_slots[first:last]}
    shift = 1 if bom else 0
    middle = _place(body, new_offsets, region_end, old_slots[first][0], shift, cache) if new_offsets else []
    if middle is None:
        return None
    line_delta = body.count("\n", region_start, region_end) - old_body.count("\n", region_start, old_region_end)
    # The blocks after the region keep their slots when only offsets move (the offsets are a flat array, shifted
    # in C: no object per block, so an edit leaves the collector nothing to walk); moved lines place them anew.
    tail: list[Slot] = old_slots[last:]
    tail_offsets = offsets[last:]
    if delta != 0:
        tail_offsets = array("q", map(add, tail_offsets, repeat(delta)))
    if line_delta != 0:
        tail = [
            (line + line_delta, block, Placed(block, line + line_delta, shift) if entry is not None else None)
            for line, block, entry in tail
        ]
    spans = (first, last)
    return _assemble_splice(
        text, bom, line_ending, previous, spans, (middle, new_offsets), (tail, tail_offsets), line_delta != 0
    )


def parse_whole(text: str) -> Blocks:
    """Compose the whole text at once (no cut into top-level blocks): for a top level the cut misreads, such as
    a flow mapping whose closing bracket sits at column 0."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    try:
        return _parse_whole(text, body, bom, detect_line_ending(body), line_starts_of(text))
    except Exception as error:
        problem = Problem("yaml-syntax", "error", f"Could not read the file: {error}", Span.at(0, 0))
        return Blocks(Lines(text, detect_line_ending(body)), [], [problem], None, "error", False, bom, [])


def _parse_whole(text: str, body: str, bom: bool, line_ending: str, starts: list[int]) -> Blocks:
    shift = 1 if bom else 0
    if NON_PRINTABLE.search(body):
        problem = stray_characters(body, None)[0].shifted(0, shift)
        return Blocks(Lines(text, line_ending, starts), [], [problem], None, "error", False, bom, [])
    try:
        node = compose(body)
    except yaml.YAMLError as error:
        problem = error_problem(error, body)
        if "expected a single document" in str(error):
            mark = getattr(error, "problem_mark", None)
            pos = Pos(mark.line, mark.column) if mark is not None else Pos(0, 0)
            problem = Problem(
                "multiple-documents",
                "error",
                "artifacts.yaml holds several YAML documents (`---`); GTO reads exactly one. "
                "Merge them into one mapping.",
                Span(pos, Pos(pos.line, pos.col + 3)),
            )
        return Blocks(Lines(text, line_ending, starts), [], [problem.shifted(0, shift)], None, "error", False, bom, [])
    if node is None:
        end = Pos(len(starts) - 1, 0)
        problem = Problem(
            "empty-file",
            "error",
            "artifacts.yaml is empty, and GTO cannot read an empty file. Write `{}` for no artifacts, or add one.",
            Span(Pos(0, 0), end),
            data={"fix": "{}"},
        )
        return Blocks(Lines(text, line_ending, starts), [], [problem], None, "empty", False, bom, [])
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        problem = Problem(
            "top-not-mapping",
            "error",
            f"The top level of artifacts.yaml must be a mapping of artifact names to their fields, not {kind}.",
            Span(Pos(node.start_mark.line, node.start_mark.column), Pos(node.end_mark.line, node.end_mark.column)),
        )
        return Blocks(
            Lines(text, line_ending, starts), [], [problem.shifted(0, shift)], node, "not-mapping", False, bom, []
        )
    entries = []
    for key, value in node.value:
        last = last_content_mark(value).line
        block = Block("", key, value, None, last)
        entries.append(Placed(block, 0, shift))
    problems = [problem.shifted(0, shift) for problem in stray_characters(body, node)]
    if not is_standard_tag(str(node.tag)) or not str(node.tag).endswith((":map", ":omap", ":set", ":pairs")):
        span = Span(
            Pos(node.start_mark.line, node.start_mark.column), Pos(node.start_mark.line, node.start_mark.column)
        )
        problems.append(
            Problem(
                "unsupported-tag",
                "error",
                f"GTO's safe YAML reader cannot read the tag `{node.tag}` on the whole file. Remove it.",
                span.shifted(0, shift),
            )
        )
    return Blocks(Lines(text, line_ending, starts), entries, problems, node, "mapping", bool(node.flow_style), bom, [])
