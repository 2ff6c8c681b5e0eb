"""GitHub Actions: the escaping of workflow commands and the Markdown of the job summary ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from typing import Optional
from urllib.parse import quote

ANNOTATIONS_PER_LEVEL = 10  # GitHub keeps 10 error, 10 warning and 10 notice annotations of a step
SUMMARY_ROWS = 1000  # a step's summary holds at most 1 MiB: past this many rows, a line counts the rest
_MESSAGE_CHARS = 500  # per table cell: 1,000 rows of at most ~600 bytes stay far below the 1 MiB


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF encoded (GitHub's rule for data)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end the value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _cell(text: str) -> str:
    """Text in a Markdown table cell: one line, no `|` that ends the cell, no raw HTML outside `code` spans
    (inside them `\\` and `<` are literal already, and `\\|` is still the table's escape)."""
    if len(text) > _MESSAGE_CHARS:
        text = text[: _MESSAGE_CHARS - 1] + "…"
    pieces = text.split("`")
    outside = set(range(0, len(pieces), 2)) | {len(pieces) - 1}  # the text after an unpaired ` is no code span
    for i in outside:
        pieces[i] = pieces[i].replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join("`".join(pieces).replace("|", "\\|").splitlines())


def _place(path: str, line: int, blob: Optional[str]) -> str:
    shown = _cell(f"{path}:{line}").replace("[", "\\[").replace("]", "\\]")
    if blob is None:
        return shown
    return f"[{shown}]({blob}/{quote(path)}#L{line})"


def step_summary(rows: list[tuple[str, int, str, str, str]], summary: str, blob: Optional[str]) -> str:
    """The job summary's Markdown: a heading, the summary line and a table of (path, line, code, severity,
    message), each place a link when `blob` (the commit's URL on GitHub, `.../blob/SHA`) is known."""
    parts = ["## gto-lsp check\n\n", f"{summary}\n\n"]
    if rows:
        parts.append("| file | code | severity | message |\n|---|---|---|---|\n")
        for path, line, code, severity, message in rows[:SUMMARY_ROWS]:
            parts.append(f"| {_place(path, line, blob)} | `{_cell(code)}` | {severity} | {_cell(message)} |\n")
        if len(rows) > SUMMARY_ROWS:
            more = len(rows) - SUMMARY_ROWS
            parts.append(f"\n… and {more:,} more, not listed here: `gto-lsp check` lists them all.\n")
        parts.append("\n")
    return "".join(parts)
