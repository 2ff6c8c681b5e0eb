"""Quick fixes for the problems of dvc.yaml's pipeline sections (validate.py), chosen by code, as text edits of the
document. Safe fixes (applied by fix-all) keep every value: a typo'd key renamed to DVC's, `yes` written `true`,
a date or number quoted. Adding a missing key or renaming a stage is offered, never applied by fix-all."""

from __future__ import annotations

from collections.abc import Sequence

from gto_lsp.core.fixes import Fix, quote
from gto_lsp.core.problems import Pos, Problem, Span

PIPELINE_CODES = (
    "dvc-unknown-key",
    "dvc-missing-key",
    "dvc-wrong-type",
    "dvc-invalid-value",
    "dvc-invalid-stage-name",
    "dvc-stage-name",
)


def pipeline_fixes(lines: Sequence[str], problem: Problem, line_ending: str = "\n") -> list[Fix]:
    """The fixes of one pipeline problem. `lines`: the document's lines without their breaks."""
    data = problem.data or {}
    suggestion = data.get("suggestion")
    if problem.code == "dvc-missing-key":
        return _add_key(lines, problem, line_ending)
    if problem.code == "dvc-unknown-key":
        fixes = []
        if isinstance(suggestion, str) and suggestion and not _sibling_named(lines, problem.span.start, suggestion):
            fixes.append(Fix(f"Rename to `{suggestion}`", ((problem.span, suggestion),), True, True))
        return fixes + _remove_key(lines, problem)
    if isinstance(suggestion, str) and suggestion:
        rename = problem.code in ("dvc-invalid-stage-name", "dvc-stage-name")
        # Renaming a stage changes its name in dvc.lock and for `dvc repro NAME`: offered, not applied by fix-all.
        return [Fix(f"Replace with `{suggestion}`", ((problem.span, suggestion),), not rename, True)]
    return quote(problem)


def _add_key(lines: Sequence[str], problem: Problem, line_ending: str) -> list[Fix]:
    """`name: ` on a new line under the mapping's key (the stage's name, `do`...), at its keys' indentation."""
    name = (problem.data or {}).get("add")
    line = problem.span.end.line
    if not isinstance(name, str) or line >= len(lines):
        return []
    text = lines[line]
    after = text[problem.span.end.col :].split("#", 1)[0].strip()
    if after not in (":", ""):
        return []  # a value on the key's line (`a: {}`, `a: null`): nothing sure to add to
    key_col = problem.span.start.col
    pad = key_col + 2
    for following in lines[line + 1 :]:
        stripped = following.strip()
        if stripped and not stripped.startswith("#"):
            indent = len(following) - len(following.lstrip(" "))
            if indent > key_col:
                pad = indent
            break
    at = Span.at(line, len(text))
    return [Fix(f"Add `{name}:`", ((at, line_ending + " " * pad + f"{name}: "),), False)]


def _remove_key(lines: Sequence[str], problem: Problem) -> list[Fix]:
    """The key and its value's lines, when the key starts its line (block style)."""
    start = problem.span.start
    if start.line >= len(lines) or lines[start.line][: start.col].strip():
        return []
    end = start.line
    for number in range(start.line + 1, len(lines)):
        text = lines[number]
        if text.strip() and len(text) - len(text.lstrip(" ")) <= start.col:
            break
        if text.strip():
            end = number
    span = (
        Span(Pos(start.line, 0), Pos(end + 1, 0))
        if end + 1 < len(lines)
        else Span(Pos(start.line, 0), Pos(end, len(lines[end])))
    )
    field = (problem.data or {}).get("field") or "this key"
    return [Fix(f"Remove `{field}`", ((span, ""),), False)]


def _sibling_named(lines: Sequence[str], at: Pos, name: str) -> bool:
    """Whether the mapping holding the key at `at` (block style) already has a key `name` (another block of the
    top level, for a top-level key): renaming to it would repeat it."""
    if at.line >= len(lines) or lines[at.line][: at.col].strip():
        return False
    for step in (-1, 1):
        number = at.line + step
        while 0 <= number < len(lines):
            text = lines[number]
            number += step
            indent = len(text) - len(text.lstrip(" "))
            if not text.strip() or text.lstrip().startswith("#") or indent > at.col:
                continue
            if indent < at.col:
                break
            if text[indent:].split(":", 1)[0].strip().strip("'\"") == name:
                return True
    return False
