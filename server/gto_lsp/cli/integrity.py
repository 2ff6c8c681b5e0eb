"""check --registry: the registry's integrity problems (core/registry/integrity.py) as check's Findings, and
`--fix`, which runs only the safe local fixes (`git tag -d`) and prints each git command it runs; never a push.

Locations: a tag is in no file, so a problem is placed on the entry that declares its artifact in the working tree
(artifacts.yaml, or the dvc.yaml of the artifact's folder), else at line 1 of the first of artifacts.yaml (the
index `.gto` names), dvc.yaml or `.gto` that exists, else of the index's path: real files of the repository, as
SARIF and GitHub's annotations want them.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Optional, TextIO

from gto_lsp.cli.common import CliError, read_text
from gto_lsp.cli.report import Finding

Place = tuple[str, int, int, int, int]  # file from the root, line, column, end line, end column (1-based)


def registry_findings(root: Path, fix: bool = False, log: Optional[TextIO] = None) -> list[Finding]:
    """The registry's problems in the repository at `root` as Findings; with `fix`, apply the safe local fixes
    first (each git command printed to `log`) and report what is left."""
    from gto_lsp.core.config import read_config
    from gto_lsp.core.registry.integrity_read import apply_fixes, read_integrity

    index = read_config(root).index
    found = read_integrity(root)
    if fix:
        for args, ok, said in apply_fixes(root, found.problems):
            command = " ".join(("git", *map(shlex.quote, args)))
            if log is not None:
                print(f"Ran: {command}" + ("" if ok else f" (failed: {said})"), file=log)
        found = read_integrity(root)
    places: dict[Optional[str], Place] = {}
    findings = []
    for problem in found.problems:
        if problem.artifact not in places:
            places[problem.artifact] = _place(root, index, problem.artifact)
        file, line, column, end_line, end_column = places[problem.artifact]
        place = (line, column, end_line, end_column)
        findings.append(
            Finding.located(root, file, place, problem.severity, problem.code, problem.message, problem.artifact)
        )
    return findings


def _place(root: Path, index: str, artifact: Optional[str]) -> Place:
    from gto_lsp.core.registry.integrity_read import declared_names, declaring_files

    if artifact is not None:
        for file, folder in declaring_files(artifact, index):
            text = _text(root, file)
            span = None if text is None else declared_names(text, file, folder).get(artifact)
            if span is not None:
                return (file, span.start.line + 1, span.start.col + 1, span.end.line + 1, span.end.col + 1)
    for file in (index, "dvc.yaml", ".gto"):
        if _inside(root, file) is not None and (root / file).is_file():
            return (file, 1, 1, 1, 1)
    return (index, 1, 1, 1, 1)


def _inside(root: Path, file: str) -> Optional[Path]:
    """The file inside the repository; None when its name leads out: a tag object's stored name can hold any
    folder (`../x=rf@v1.0.0`), and a tag never makes gto-lsp read outside the repository."""
    from gto_lsp.core.formats.dvc.files import PathRefused, annotations_file

    try:
        return annotations_file(root, file, folder_must_exist=False)
    except PathRefused:
        return None


def _text(root: Path, file: str) -> Optional[str]:
    path = _inside(root, file)
    try:
        return None if path is None else read_text(path)
    except CliError:  # unreadable here: check's own pass reports it
        return None
