"""check: every problem of artifacts.yaml, .gto and every dvc.yaml of the repository, one line each, for CI."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, index_outside
from gto_lsp.cli.report import Finding, write_report
from gto_lsp.cli.staged import CheckedFiles, Skipped

if TYPE_CHECKING:
    from gto_lsp.core.formats.dvc.document import DvcDocument
    from gto_lsp.core.problems import Problem
    from gto_lsp.core.repo.fs import RepoView


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.repo.reader import RepoFacts
    from gto_lsp.core.repo.run import GitError, find_root

    start = Path(args.repo)
    if not start.exists():
        raise CliError(f"No such folder: '{args.repo}'", EXIT_USAGE)
    try:
        root = find_root(start)
        facts: Optional[RepoFacts] = RepoFacts(root)
    except GitError as error:
        if args.staged:
            raise CliError(
                f"--staged checks git's index: {error.message}. Run check inside a git repository, or without "
                "--staged to check the files as they are.",
                EXIT_USAGE,
            ) from error
        root = start.resolve() if start.is_dir() else start.resolve().parent
        facts = None
    if args.fix and not args.registry:
        raise CliError("--fix applies the registry's fixes: use it with --registry", EXIT_USAGE)
    if args.registry and facts is None:
        raise CliError(
            "--registry checks GTO's git tags: run check inside a git repository, or without --registry.", EXIT_USAGE
        )
    files = CheckedFiles(root, facts, args.staged)
    try:
        return _check(args, out, files)
    finally:
        files.close()


def _check(args: argparse.Namespace, out: TextIO, files: CheckedFiles) -> int:
    from gto_lsp.core.codes import CheckSettings
    from gto_lsp.core.formats.dvc.files import folder_of, inside_outputs
    from gto_lsp.core.formats.dvc.format import document_outputs as stage_outputs
    from gto_lsp.core.formats.gto.check import check
    from gto_lsp.core.formats.gto.document import parse

    root = files.root
    config = files.config()
    refused = None if args.allow_outside_index else index_outside(root, config.index)
    if refused is not None:  # before anything is printed: not one line of the file outside
        raise CliError(refused, EXIT_USAGE)
    text = files.index_text(config.index)
    documents, unreadable = _dvc_documents(files, args.err)
    outputs_of = {rel: stage_outputs(document, files.view(), folder_of(rel)) for rel, document in documents.items()}
    for rel in inside_outputs(documents, outputs_of):  # DVC never reaches them
        del documents[rel], outputs_of[rel]
    view = files.view(frozenset(set().union(*outputs_of.values())))
    problems = list(config.problems)
    if text is not None:
        problems.extend(check(parse(text), config, view, CheckSettings(foreign_files=args.force)))
    dvc_problems = _check_dvc_files(documents, view)
    dvc_problems.files.extend(p.file or "" for p in unreadable)
    dvc_problems.problems.extend((p.file or "", p) for p in unreadable)
    registry = _registry_findings(args, root)
    if text is None and not dvc_problems.files and not files.has_config() and not registry:
        return _nothing_to_check(root, args.format, out, args.err)
    if files.tree is not None:
        problems = [_said_staged(p) for p in problems]
    found = [(p.file or config.index, p) for p in problems]
    found.sort(key=lambda fp: (fp[0], fp[1].span.start.line, fp[1].span.start.col))
    found.extend(dvc_problems.problems)
    findings = []
    for file, problem in found:
        first, last = problem.span.start, problem.span.end
        place = (first.line + 1, first.col + 1, last.line + 1, last.col + 1)
        findings.append(
            Finding.located(root, file, place, problem.severity, problem.code, problem.message, problem.artifact)
        )
    findings.extend(registry)
    write_report(findings, args.format, out, err=args.err)
    failing = [f for f in findings if f.severity in _FAILING[args.fail_on]]
    return EXIT_PROBLEMS if failing else EXIT_OK


def _registry_findings(args: argparse.Namespace, root: Path) -> list[Finding]:
    """`--registry`: what GTO's tags hold that breaks GTO or misleads (their `Ran:` lines on stderr: stdout may be
    JSON or SARIF)."""
    if not args.registry:
        return []
    from gto_lsp.cli.integrity import registry_findings

    return registry_findings(root, fix=args.fix, log=args.err)


def _said_staged(problem: Problem) -> Problem:
    """With --staged the commit to compare with is the one being made: `path-not-committed` says so."""
    import shlex
    from dataclasses import replace

    path = (problem.data or {}).get("path")
    if problem.code != "path-not-committed" or not isinstance(path, str):
        return problem
    message = (
        f"Path `{path}` is not staged, but `virtual: false` says it is committed: the commit would not hold it. "
        f"Stage it (`git add {shlex.quote(path)}`), fix the path, or set `virtual: true`."
    )
    return replace(problem, message=message)


def _nothing_to_check(root: Path, fmt: str, out: TextIO, err: TextIO) -> int:
    """No artifacts.yaml, dvc.yaml or `.gto`: a success, as ruff on an empty folder, so a CI that runs check on
    every repository passes; each format stays valid for the tool that reads it."""
    said = f"No annotations found in {root}: nothing to check."
    if fmt == "text":
        print(said, file=out)
        return EXIT_OK
    write_report([], fmt, out, err=err)  # json: [], sarif: a run without results
    if fmt == "github":  # shown on the run's page: why nothing was annotated
        from gto_lsp.cli.github import escape_data

        print(f"::notice title=gto-lsp check::{escape_data(said)}", file=out)
    return EXIT_OK


# --fail-on: the severities that make check exit 1
_FAILING = {"error": ("error",), "warning": ("error", "warning"), "never": ()}


@dataclass
class _DvcFound:
    files: list[str]  # the dvc.yaml files read, relative to the root
    problems: list[tuple[str, Problem]]  # (file, problem), file by file, each in the order of its lines


def _dvc_documents(files: CheckedFiles, err: TextIO) -> tuple[dict[str, DvcDocument], list[Problem]]:
    """Every dvc.yaml of the repository that DVC reads (not excluded by `.dvcignore`, not in a nested DVC
    repository), parsed, by its path relative to the root; and one problem for each that is not UTF-8."""
    from gto_lsp.core.formats.dvc.document import parse_dvc
    from gto_lsp.core.formats.dvc.files import dvc_files
    from gto_lsp.core.formats.dvc.reads import DvcIgnore, not_utf8

    documents = {}
    unreadable = []
    for rel in dvc_files(files.candidates(), DvcIgnore(files.dvcignore)):
        try:
            data = files.dvc_bytes(rel)
        except Skipped as skipped:  # not read, said on stderr
            print(f"Skipped {rel}: {skipped.message}", file=err)
            continue
        try:
            text = None if data is None else data.decode("utf-8")
        except UnicodeDecodeError as error:
            unreadable.append(not_utf8(rel, data or b"", error))
            continue
        if text is not None:  # tracked but deleted in the working tree: nothing to check
            documents[rel] = parse_dvc(text)
    return documents, unreadable


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
