"""check: every problem of artifacts.yaml, .gto and every dvc.yaml of the repository, one line each, for CI."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, index_outside, read_text
from gto_lsp.cli.report import Finding, write_report

if TYPE_CHECKING:
    from gto_lsp.core.formats.dvc.document import DvcDocument
    from gto_lsp.core.problems import Problem
    from gto_lsp.core.repo.fs import RepoView
    from gto_lsp.core.repo.reader import RepoFacts


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.codes import CheckSettings
    from gto_lsp.core.config import read_config
    from gto_lsp.core.formats.dvc.files import folder_of, inside_outputs
    from gto_lsp.core.formats.dvc.format import document_outputs as stage_outputs
    from gto_lsp.core.formats.gto.check import check
    from gto_lsp.core.formats.gto.document import parse
    from gto_lsp.core.repo.fs import RepoView
    from gto_lsp.core.repo.reader import RepoFacts
    from gto_lsp.core.repo.run import GitError, find_root

    start = Path(args.repo)
    if not start.exists():
        raise CliError(f"No such folder: '{args.repo}'", EXIT_USAGE)
    in_head: Optional[Callable[[str], bool]] = None
    try:
        root = find_root(start)
        facts: Optional[RepoFacts] = RepoFacts(root)
    except GitError:
        root = start.resolve() if start.is_dir() else start.resolve().parent
        facts = None
    config = read_config(root)
    refused = None if args.allow_outside_index else index_outside(root, config.index)
    if refused is not None:  # before anything is printed: not one line of the file outside
        raise CliError(refused, EXIT_USAGE)
    text = read_text(root / config.index)
    if facts is not None and facts.head_sha() is not None:
        in_head = facts.in_head
    documents, unreadable = _dvc_documents(root, facts, args.err)
    on_disk = RepoView(root)
    outputs_of = {rel: stage_outputs(document, on_disk, folder_of(rel)) for rel, document in documents.items()}
    for rel in inside_outputs(documents, outputs_of):  # DVC never reaches them
        del documents[rel], outputs_of[rel]
    outputs = set().union(*outputs_of.values())
    view = RepoView(root=root, in_head=in_head, outputs=frozenset(outputs))
    problems = list(config.problems)
    if text is not None:
        problems.extend(check(parse(text), config, view, CheckSettings(foreign_files=args.force)))
    dvc_problems = _check_dvc_files(documents, view)
    dvc_problems.files.extend(p.file or "" for p in unreadable)
    dvc_problems.problems.extend((p.file or "", p) for p in unreadable)
    if text is None and not dvc_problems.files and not (root / ".gto").exists():
        raise CliError(f"No {config.index} or dvc.yaml in {root}: nothing to check.", EXIT_USAGE)
    found = [(p.file or config.index, p) for p in problems]
    found.sort(key=lambda fp: (fp[0], fp[1].span.start.line, fp[1].span.start.col))
    found.extend(dvc_problems.problems)
    findings = []
    for file, problem in found:
        first, last = problem.span.start, problem.span.end
        shown = str(Path(os.path.relpath(root / file, Path.cwd())))
        findings.append(
            Finding(
                shown,
                Path(file).as_posix(),
                first.line + 1,
                first.col + 1,
                last.line + 1,
                last.col + 1,
                problem.severity,
                problem.code,
                problem.message,
                problem.artifact,
            )
        )
    write_report(findings, args.format, out)
    failing = [f for f in findings if f.severity in _FAILING[args.fail_on]]
    return EXIT_PROBLEMS if failing else EXIT_OK


# --fail-on: the severities that make check exit 1
_FAILING = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


@dataclass
class _DvcFound:
    files: list[str]  # the dvc.yaml files read, relative to the root
    problems: list[tuple[str, Problem]]  # (file, problem), file by file, each in the order of its lines


def _dvc_documents(root: Path, facts: Optional[RepoFacts], err: TextIO) -> tuple[dict[str, DvcDocument], list[Problem]]:
    """Every dvc.yaml of the repository that DVC reads (tracked, or untracked and not ignored, and not excluded by
    `.dvcignore`; only the root one outside git), parsed, by its path relative to the root; and one problem for
    each that is not UTF-8."""
    from gto_lsp.core.formats.dvc.document import parse_dvc
    from gto_lsp.core.formats.dvc.files import DVC_FILE, PathRefused, annotations_file, dvc_files
    from gto_lsp.core.formats.dvc.reads import DvcIgnore, not_utf8

    if facts is not None:
        listed = dvc_files(facts.tracked_files() + facts.untracked_files(), DvcIgnore(lambda rel: _read(root, rel)))
    else:
        listed = [DVC_FILE] if (root / DVC_FILE).is_file() else []
    documents = {}
    unreadable = []
    for rel in listed:
        try:
            path = annotations_file(root, rel, folder_must_exist=False)
        except PathRefused as error:  # a tracked dvc.yaml that links out: not read, said on stderr
            print(f"Skipped {rel}: {error.message}", file=err)
            continue
        data = _bytes(path)
        try:
            text = None if data is None else data.decode("utf-8")
        except UnicodeDecodeError as error:
            unreadable.append(not_utf8(rel, data or b"", error))
            continue
        if text is not None:  # tracked but deleted in the working tree: nothing to check
            documents[rel] = parse_dvc(text)
    return documents, unreadable


def _bytes(path: Path) -> Optional[bytes]:
    """The file's bytes; None when absent. A FIFO, a device or a file over 16 MB is refused, never read."""
    from gto_lsp.core.repo.safe_read import read_bytes

    try:
        return read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CliError(f"Cannot read {path}: {error}", EXIT_USAGE) from error


def _read(root: Path, rel: str) -> Optional[str]:
    """A `.dvcignore`'s text as DVC reads it, None when there is none (or it cannot be read)."""
    try:
        data = _bytes(root / rel)
    except CliError:
        return None
    return None if data is None else data.decode("utf-8", "replace")


def _check_dvc_files(documents: dict[str, DvcDocument], view: RepoView) -> _DvcFound:
    """Each dvc.yaml checked as the server checks it (every section, `${}`, the pipeline), paths from its folder;
    outputs of every dvc.yaml's stages (`view.outputs`) count as present."""
    from gto_lsp.core.codes import CheckSettings
    from gto_lsp.core.config import Config
    from gto_lsp.core.formats.dvc.files import folder_of
    from gto_lsp.core.formats.dvc.format import DVC
    from gto_lsp.core.formats.dvc.pipeline.graph import build_pipeline, repository_problems
    from gto_lsp.core.navigation import Place

    pipelines = {rel: build_pipeline(d.top, d.stages, Place(view, folder_of(rel), rel)) for rel, d in documents.items()}
    across = repository_problems(pipelines)  # what DVC refuses between the files (an output written by two)
    found: list[tuple[str, Problem]] = []
    for rel, document in documents.items():
        problems = DVC.check(document, view, Config(), folder_of(rel), CheckSettings())
        problems.extend(p for file, p in across if file == rel)
        problems.sort(key=lambda p: (p.span.start.line, p.span.start.col))
        found.extend((rel, p) for p in problems)
    return _DvcFound(list(documents), found)
