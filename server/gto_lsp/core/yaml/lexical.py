"""The characters GTO's reader refuses that libyaml lets through (stray tabs, control characters), and PyYAML's
errors as problems.
"""

from __future__ import annotations

import re
from typing import Optional

from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.nodes import Node, ScalarNode, walk


def error_problem(error: Exception, text: str = "") -> Problem:
    """A PyYAML error as a problem of `text`."""
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = str(getattr(error, "problem", None) or str(error).splitlines()[0])
    context = getattr(error, "context", None)
    if "undefined alias" in problem:
        message = "YAML error: found undefined alias: an alias (*name) needs an anchor (&name) before it."
    else:
        message = f"YAML syntax error: {problem}" + (f" {context}" if context else "")
    at_end = mark is not None and text and mark.line >= text.rstrip().count("\n") + 1
    if context_mark is not None and (mark is None or "end of stream" in problem or at_end):
        mark = context_mark  # point at what was left open, not at the end of the file
    line, col = (mark.line, mark.column) if mark is not None else (0, 0)
    lines = text.split("\n")
    line_length = len(lines[line].rstrip("\r")) if line < len(lines) else col
    end = Pos(line, max(line_length, col)) if line_length > col else Pos(line, col)
    return Problem("yaml-syntax", "error", message.rstrip(), Span(Pos(line, col), end))


NON_PRINTABLE = re.compile("[^\t\n\r -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def stray_characters(text: str, node: Optional[Node], printable: bool = False) -> list[Problem]:
    """Tabs and control characters that libyaml lets through but GTO's reader (ruamel.yaml) refuses: a tab is
    fine only inside a quoted or block scalar or a comment. `printable`: the caller searched a text holding this
    one for NON_PRINTABLE and found none."""
    out: list[Problem] = []
    bad = None if printable else NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start())
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1)
        out.append(
            Problem(
                "yaml-syntax",
                "error",
                f"YAML error: the control character U+{ord(bad.group()):04X} is "
                "not allowed in YAML, and GTO cannot read the file. Remove it.",
                Span.at(line, col),
            )
        )
    if "\t" not in text:
        return out
    allowed: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for current in walk(node, into_flow=False):
        start, end = current.start_mark, current.end_mark
        quoted = isinstance(current, ScalarNode) and current.style in ("'", '"', "|", ">")
        if quoted or getattr(current, "flow_style", False):  # tabs separate flow items
            allowed.append(((start.line, start.column), (end.line, end.column)))
    for number, line_text in enumerate(text.split("\n")):
        col = line_text.find("\t")
        while col >= 0:
            here = (number, col)
            inside = any(start <= here < end for start, end in allowed)
            comment = _comment_start(line_text, number, allowed)
            if not inside and (comment is None or comment > col):
                out.append(
                    Problem(
                        "yaml-syntax",
                        "error",
                        "YAML error: a tab character here is not allowed by GTO's YAML reader. Use spaces.",
                        Span(Pos(number, col), Pos(number, col + 1)),
                    )
                )
                return out
            col = line_text.find("\t", col + 1)
    return out


def _comment_start(
    line_text: str, number: int, allowed: list[tuple[tuple[int, int], tuple[int, int]]]
) -> Optional[int]:
    col = line_text.find("#")
    while col >= 0:
        if (col == 0 or line_text[col - 1] in " \t") and not any(
            start <= (number, col) < end for start, end in allowed
        ):
            return col
        col = line_text.find("#", col + 1)
    return None
