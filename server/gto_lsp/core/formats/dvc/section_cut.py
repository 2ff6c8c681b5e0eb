"""Where a top-level section (`artifacts:`, `stages:`) sits in a dvc.yaml's text, and its lines de-indented so that
they parse as a top level of their own. Regular expressions and string methods, not walks over the lines: this runs
on every edit of a file that may hold thousands of entries. `splice_cut` carries a cut over an edit inside the
section's lines by de-indenting only the lines the edit changed.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Optional

from gto_lsp.core.common_text import common_length

SECTION_KEY_LINE = re.compile(r"(?m)^\ufeff?artifacts[ \t]*:[ \t]*(?:#[^\r\n]*)?\r?$")
STAGES_KEY_LINE = re.compile(r"(?m)^\ufeff?stages[ \t]*:[ \t]*(?:#[^\r\n]*)?\r?$")
# The same lines found after a line break: a pattern that starts with a literal character is searched for it
# first (an artifacts: key at the end of a 350 KB file: 1.1 -> 0.2 ms per edit).
_AFTER_BREAK = {
    pattern: re.compile("\n" + pattern.pattern.removeprefix("(?m)^"), re.MULTILINE)
    for pattern in (SECTION_KEY_LINE, STAGES_KEY_LINE)
}
_NEXT_TOP = re.compile(r"\n(?=[^ \t#\r\n-]|-[^ \t\r\n])")  # a line that starts a top-level key
_FIRST_CONTENT = re.compile(r"(?m)^( *)([^ \r\n#])")  # the first line that is not blank or a comment
_NOT_A_BREAK = re.compile(r"[^\r\n]+")


@dataclass(frozen=True)
class Found:
    start: int
    end: int


def key_line(pattern: re.Pattern[str], text: str) -> Optional[Found]:
    """The first line that is the top-level key of `pattern` (its start, and its end before the line break)."""
    first = pattern.match(text)
    if first is not None:
        return Found(first.start(), first.end())
    later = _AFTER_BREAK[pattern].search(text)
    return Found(later.start() + 1, later.end()) if later is not None else None


def blanked(region: str) -> str:
    """The region's line breaks alone: its lines blanked, their count kept."""
    if "\r" not in region:
        return "\n" * region.count("\n")
    return _NOT_A_BREAK.sub("", region)


@dataclass(frozen=True)
class Cut:
    """A section's body in the text: its lines from `start` to `end` (offsets), indented by `indent`."""

    start: int
    end: int
    indent: int
    first: int  # offset of the body's first line that is not blank or a comment (it sets `indent`)
    # Whether a blank or comment line may be indented less than the entries (then de-indenting is not one
    # replacement of the line starts); True when unsure.
    short: bool


def cut_section(text: str, key_end: int) -> Optional[Cut]:
    """The section's body, the lines after the key (ending at `key_end`) up to the next top-level key, when it
    can be parsed on its own."""
    if key_end >= len(text):
        return None
    body_start = key_end + 1
    following = _NEXT_TOP.search(text, key_end)
    body_end = following.start() + 1 if following is not None else len(text)
    region = text[body_start:body_end]
    first = _FIRST_CONTENT.search(region)
    if first is None:
        return None  # `artifacts:` with no value: read as null from the whole block
    indent = len(first.group(1))
    if indent == 0 or first.group(2) in "-\t{[&*!?|>":
        return None
    if misplaced(indent).search("\n" + region):
        return None  # a line indented less than the entries, a tab in the indentation, or a document marker
    short = indent > 1 and _short_line(indent).search("\n" + region) is not None
    return Cut(body_start, body_end, indent, body_start + first.start(), short)


def dedent(region: str, cut: Cut) -> str:
    """The region's lines without the entries' indentation (the region starts at a line start)."""
    if cut.short:
        return _dedenter(cut.indent).sub("", region)
    # Every line that is not blank is indented by `indent` at least: one replacement, at C speed.
    prefix = " " * cut.indent
    return ("\n" + region).replace("\n" + prefix, "\n")[1:]


@functools.lru_cache(maxsize=64)
def misplaced(indent: int) -> re.Pattern[str]:
    """A line (after a line break) indented less than `indent` that is not blank or a comment, a tab in the
    indentation, or a document marker at the entries' indentation."""
    return re.compile(rf"\n(?: {{0,{indent - 1}}}[^ \r\n#]| {{0,{indent - 1}}}\t| {{{indent}}}(?:---|\.\.\.|%))")


@functools.lru_cache(maxsize=64)
def _short_line(indent: int) -> re.Pattern[str]:
    return re.compile(rf"\n {{1,{indent - 1}}}(?! )")


@functools.lru_cache(maxsize=64)
def _dedenter(indent: int) -> re.Pattern[str]:
    return re.compile(rf"(?m)^ {{1,{indent}}}")


@dataclass(frozen=True)
class Splice:
    """How a document was made from the previous one by an edit inside a cut section that kept every line break:
    entries[:start] are previous.entries[:start], entries[stop:] are previous.entries[old_stop:]."""

    previous: int  # the previous document's serial
    start: int
    old_stop: int
    stop: int


@dataclass(frozen=True)
class Spliced:
    cut: Cut  # the cut in the new text
    body: str  # the de-indented body of the new text


def moved_cut(cut: Optional[Cut], edited: Cut, delta: int) -> Optional[Cut]:
    """A section's cut after an edit of `delta` characters inside the section `edited` (moved when it follows)."""
    if cut is None or cut.start < edited.start or not delta:
        return cut
    return replace(cut, start=cut.start + delta, end=cut.end + delta, first=cut.first + delta)


def changed_run(old: Sequence[object], new: Sequence[object]) -> tuple[int, int, int]:
    """(start, old stop, new stop): the items between are the ones not kept as they were (found in C: the first
    position where the two lists hold different objects, from each end)."""
    shortest = min(len(old), len(new))
    start = next(itertools.compress(itertools.count(), map(operator.is_not, old, new)), shortest)
    from_end = map(operator.is_not, reversed(old), reversed(new))
    kept_after = min(next(itertools.compress(itertools.count(), from_end), shortest), shortest - start)
    return start, len(old) - kept_after, len(new) - kept_after


def splice_cut(old_text: str, text: str, old: Cut, old_body: str) -> Optional[Spliced]:
    """The cut of `text` from the cut of `old_text` (whose de-indented body is `old_body`), when the edit between
    them changes only lines of the body after its first content line, keeps the count of line breaks, and
    leaves every changed line a line of the section. None otherwise (the caller cuts the whole text again)."""
    prefix = common_length(old_text, text, min(len(old_text), len(text)))
    line_start = text.rfind("\n", 0, prefix) + 1
    if line_start <= old.first or line_start < old.start:
        return None
    suffix = common_length(old_text, text, min(len(old_text), len(text)) - prefix, from_end=True)
    changed_end = len(old_text) - suffix
    if changed_end > old.end:
        return None
    following = old_text.find("\n", changed_end)
    old_stop = following + 1 if following >= 0 else len(old_text)  # end of the last changed line
    if old_stop > old.end:
        return None
    delta = len(text) - len(old_text)
    stop = old_stop + delta
    old_lines, lines = old_text[line_start:old_stop], text[line_start:stop]
    if old_lines.count("\n") != lines.count("\n") or old_lines.count("\r") != lines.count("\r"):
        return None  # the line count moves what follows: the caller re-reads the top level
    if _NEXT_TOP.search("\n" + lines.removesuffix("\n")) or misplaced(old.indent).search("\n" + lines):
        return None  # the section would end, or could not be cut, here
    short = old.short or (old.indent > 1 and _short_line(old.indent).search("\n" + lines) is not None)
    if short and not old.short:
        return None  # de-indenting the line starts before the edit would not tell where its body starts
    cut = Cut(old.start, old.end + delta, old.indent, old.first, short)
    if short:
        return Spliced(cut, dedent(text[old.start : cut.end], cut))
    # Where the changed lines start in the old body: every line before them lost `indent` spaces, or none
    # when blank. Counted over the shorter side of the edit.
    marker = "\n" + " " * old.indent
    if line_start - old.start <= old.end - old_stop:
        body_start = line_start - old.start - old.indent * old_text.count(marker, old.start - 1, line_start - 1)
    else:
        after = old.end - old_stop - old.indent * old_text.count(marker, old_stop - 1, old.end)
        body_start = len(old_body) - after - len(dedent(old_lines, old))
    body_stop = body_start + len(dedent(old_lines, old))
    body = "".join((old_body[:body_start], dedent(lines, cut), old_body[body_stop:]))
    return Spliced(cut, body)
