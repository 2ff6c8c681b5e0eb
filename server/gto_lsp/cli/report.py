"""check's output: the problems found, as text (with a summary line), JSON, GitHub workflow commands (and the job
summary) or SARIF 2.1.0.

`Finding` is what every format reads; the SARIF document's parts that do not depend on the findings (the rules,
the fingerprint) are in `cli/sarif.py`, the Markdown of GitHub's job summary in `cli/github.py`.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping, Optional, TextIO

from gto_lsp.cli.github import ANNOTATIONS_PER_LEVEL, escape_data, escape_property, step_summary
from gto_lsp.cli.sarif import sarif_log


@dataclass(frozen=True)
class Finding:
    """One problem as check reports it: a file relative to the current directory, 1-based positions."""

    file: str
    path: str  # the same file relative to the repository's root, with `/` (SARIF's locations)
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str  # error, warning, information, hint
    code: str
    message: str
    artifact: Optional[str] = None  # the artifact the problem is about, when there is one

    @staticmethod
    def located(
        root: Path,
        file: str,
        place: tuple[int, int, int, int],
        severity: str,
        code: str,
        message: str,
        artifact: Optional[str],
    ) -> Finding:
        """A problem at `place` (1-based line, column, end line, end column) of `file`, relative to `root`."""
        shown = str(Path(os.path.relpath(root / file, Path.cwd())))
        return Finding(shown, Path(file).as_posix(), *place, severity, code, message, artifact)

    def json(self) -> dict[str, object]:
        row = asdict(self)
        del row["path"]
        row["endLine"], row["endColumn"] = row.pop("end_line"), row.pop("end_column")
        if row["artifact"] is None:
            del row["artifact"]
        return row


def write_report(
    findings: list[Finding],
    fmt: str,
    out: TextIO,
    *,
    err: Optional[TextIO] = None,
    env: Optional[Mapping[str, str]] = None,
) -> None:
    """Print `findings` in `fmt`. `err` takes what goes wrong on the side (the job summary that cannot be
    written); `env` is where GitHub's variables are read (default: this process's environment)."""
    if fmt == "json":  # an API: a list, nothing else
        print(json.dumps([f.json() for f in findings], indent=2, ensure_ascii=False), file=out)
    elif fmt == "sarif":
        print(json.dumps(sarif_log(findings), indent=2), file=out)  # ASCII: safe in any console encoding
    elif fmt == "github":
        _write_github(findings, out, sys.stderr if err is None else err, os.environ if env is None else env)
    else:
        for f in findings:
            print(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.code} {f.message}", file=out)
        print(summary_line(findings), file=out)


def summary_line(findings: list[Finding]) -> str:
    """`3 errors, 1 warning, 2 notes in 2 files`, or `No problems found` (information and hints are notes)."""
    if not findings:
        return "No problems found"
    counts = {"error": 0, "warning": 0, "note": 0}
    for f in findings:
        counts[f.severity if f.severity in counts else "note"] += 1
    parts = [_plural(n, kind) for kind, n in counts.items() if n]
    return f"{', '.join(parts)} in {_plural(len({f.path for f in findings}), 'file')}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# GitHub's annotation levels, most severe first.
_LEVELS = {"error": "error", "warning": "warning", "information": "notice", "hint": "notice"}
_ORDER = ("error", "warning", "notice")


def _write_github(findings: list[Finding], out: TextIO, err: TextIO, env: Mapping[str, str]) -> None:
    """At most ANNOTATIONS_PER_LEVEL workflow commands per level (GitHub drops the rest of a step's silently),
    errors first; one notice counts what was left out; every finding goes to the job summary when there is one."""
    by_level: dict[str, list[Finding]] = {level: [] for level in _ORDER}
    for f in findings:
        by_level[_LEVELS.get(f.severity, "notice")].append(f)
    shown = {level: by_level[level][:ANNOTATIONS_PER_LEVEL] for level in _ORDER}
    if any(len(shown[level]) < len(by_level[level]) for level in _ORDER):
        shown["notice"] = shown["notice"][: ANNOTATIONS_PER_LEVEL - 1]  # room for the notice that counts the rest
    left_out = len(findings) - sum(len(kept) for kept in shown.values())
    summary = summary_line(findings)
    written = _write_step_summary(findings, summary, err, env)
    for level in _ORDER:
        for f in shown[level]:
            properties = {
                "file": f.path,
                "line": f.line,
                "col": f.column,
                "endLine": f.end_line,
                "endColumn": f.end_column,
                "title": f"gto {f.code}",
            }
            listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
            print(f"::{level} {listed}::{escape_data(f.message)}", file=out)
    if left_out:
        where = "the job summary lists them all" if written else "`gto-lsp check` lists them all"
        shows = f"GitHub shows {ANNOTATIONS_PER_LEVEL} per level"
        text = f"{_plural(left_out, 'more problem')} not shown as annotations ({shows}): {where}."
        print(f"::notice title=gto-lsp check::{escape_data(text)}", file=out)
    print(summary, file=out)  # a plain line of the log (the commands above are not shown as lines)


def _write_step_summary(findings: list[Finding], summary: str, err: TextIO, env: Mapping[str, str]) -> bool:
    """Append the job summary to $GITHUB_STEP_SUMMARY when it is set (other steps write there too); a failure is
    said on `err` and changes nothing else. True when it was written."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    blob = None
    if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        blob = f"{env['GITHUB_SERVER_URL'].rstrip('/')}/{env['GITHUB_REPOSITORY']}/blob/{env['GITHUB_SHA']}"
    rows = [(f.path, f.line, f.code, f.severity, f.message) for f in findings]
    try:
        with open(target, "a", encoding="utf-8", newline="\n") as stream:
            stream.write(step_summary(rows, summary, blob))
    except OSError as error:
        print(f"gto-lsp: could not write the job summary to {target}: {error}", file=err)
        return False
    return True
