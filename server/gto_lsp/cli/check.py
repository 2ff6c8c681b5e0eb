"""check: every problem of artifacts.yaml and .gto, one line each, for CI."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TextIO

from .common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, read_text

if TYPE_CHECKING:
    from ..core.git import RepoFacts


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.check import CheckSettings, RepoView, check
    from ..core.config import read_config
    from ..core.git import GitError, RepoFacts, find_root
    from ..core.parse import parse

    start = Path(args.repo)
    if not start.exists():
        raise CliError(f"No such folder: '{args.repo}'", EXIT_USAGE)
    in_head = None
    try:
        root = find_root(start)
        facts: Optional[RepoFacts] = RepoFacts(root)
    except GitError:
        root = start.resolve() if start.is_dir() else start.resolve().parent
        facts = None
    config = read_config(root)
    index_path = root / config.index
    text = read_text(index_path)
    problems = list(config.problems)
    if text is not None:
        if facts is not None and facts.head_sha() is not None:
            in_head = facts.in_head
        view = RepoView(root=root, in_head=in_head)
        problems.extend(check(parse(text), config, view, CheckSettings()))
    elif not (root / ".gto").exists():
        raise CliError(f"No {config.index} in {root}: nothing to check.", EXIT_USAGE)
    rows = []
    for problem in sorted(problems, key=lambda p: (p.file or config.index, p.span.start.line, p.span.start.col)):
        shown = Path(os.path.relpath(root / (problem.file or config.index), Path.cwd()))
        rows.append(
            {
                "file": str(shown),
                "line": problem.span.start.line + 1,
                "column": problem.span.start.col + 1,
                "endLine": problem.span.end.line + 1,
                "endColumn": problem.span.end.col + 1,
                "severity": problem.severity,
                "code": problem.code,
                "message": problem.message,
            }
        )
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
    for row in rows if args.format != "json" else ():
        if args.format == "github":
            level = {"error": "error", "warning": "warning"}.get(str(row["severity"]), "notice")
            message = str(row["message"]).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(
                f"::{level} file={row['file']},line={row['line']},col={row['column']},endLine={row['endLine']},"
                f"endColumn={row['endColumn']},title=gto {row['code']}::{message}",
                file=out,
            )
        else:
            print(
                f"{row['file']}:{row['line']}:{row['column']}: {row['severity']} {row['code']} {row['message']}",
                file=out,
            )
    failing = [r for r in rows if r["severity"] in ("error", "warning")]
    return EXIT_PROBLEMS if failing else EXIT_OK
