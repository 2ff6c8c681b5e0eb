"""check's output: the problems found, as text, JSON or GitHub workflow commands."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Optional, TextIO


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

    def json(self) -> dict[str, object]:
        row = asdict(self)
        del row["path"]
        row["endLine"], row["endColumn"] = row.pop("end_line"), row.pop("end_column")
        if row["artifact"] is None:
            del row["artifact"]
        return row


def write_report(findings: list[Finding], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        print(json.dumps([f.json() for f in findings], indent=2, ensure_ascii=False), file=out)
        return
    for f in findings:
        if fmt == "github":
            level = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
            message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(
                f"::{level} file={f.file},line={f.line},col={f.column},endLine={f.end_line},"
                f"endColumn={f.end_column},title=gto {f.code}::{message}",
                file=out,
            )
        else:
            print(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.code} {f.message}", file=out)
