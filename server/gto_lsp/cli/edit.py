"""annotate, remove and describe: GTO 0.2.8's commands and messages on the shared core."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING, Optional, TextIO

from gto_lsp.cli import dvcfile
from gto_lsp.cli.common import (
    EXIT_OK,
    CliError,
    Repo,
    commit_changes,
    exit_code,
    jsonable,
    open_repo,
    read_text,
    refuse_dirty,
    write_atomic,
    writing,
)
from gto_lsp.core.formats.dvc.files import DVC_FILE, full_name
from gto_lsp.core.messages import cannot_find_artifact, wrong_config

if TYPE_CHECKING:
    from pathlib import Path

    from gto_lsp.core.edits import EditResult
    from gto_lsp.core.repo.reader import RepoFacts


def cmd_annotate(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.repo.reader import RepoFacts

    repo = open_repo(args.repo, args.allow_outside_index)
    target, name, _ = _file_of(repo, args.name, args.dvcfile)
    _refuse_wrong_config(repo, target)
    facts = RepoFacts(repo.root)
    path = target.path if target else repo.index_path
    with writing(path):
        return _annotate_locked(args, out, repo, facts, target, name, read_text(path))


def _annotate_locked(
    args: argparse.Namespace,
    out: TextIO,
    repo: Repo,
    facts: RepoFacts,
    target: Optional[dvcfile.DvcTarget],
    name: str,
    text: Optional[str],
) -> int:
    """annotate with the file's lock held and its text read under the lock (no concurrent update is lost)."""
    from gto_lsp.core.edits import AnnotateRequest, GTOError
    from gto_lsp.core.formats.gto.edit import annotate
    from gto_lsp.core.repo.commit import annotate_message

    path = target.path if target else repo.index_path
    rel = target.rel if target else repo.index
    commit = args.commit or args.push
    if commit:
        refuse_dirty(facts, rel, text)
    request = AnnotateRequest(
        name=name,
        type=args.type,
        path=args.path,
        must_exist=args.must_exist,
        allow_same_path=args.allow_same_path,
        labels=tuple(args.label or ()),
        description=args.description or "",
        custom=args.custom,
    )
    try:
        if target is None:
            result = annotate(text, request, repo.config, in_head=facts.in_head)
        else:
            from gto_lsp.core.formats.dvc.edit import annotate as annotate_dvc

            result = annotate_dvc(text, request, target.folder, in_head=facts.in_head, file=target.rel)
    except GTOError as error:
        raise CliError(str(error), exit_code(error)) from error
    shown = full_name(target.folder, name) if target else name
    message = annotate_message(shown, args.type, args.path) if commit else None
    _write_and_commit(repo, path, rel, result, message, args.push, out)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.edits import GTOError
    from gto_lsp.core.formats.gto.edit import remove
    from gto_lsp.core.repo.commit import remove_message
    from gto_lsp.core.repo.reader import RepoFacts

    repo = open_repo(args.repo, args.allow_outside_index)
    target, name, _ = _file_of(repo, args.name, args.dvcfile)
    _refuse_wrong_config(repo, target)
    path = target.path if target else repo.index_path
    rel = target.rel if target else repo.index
    commit = args.commit or args.push
    with writing(path):
        text = read_text(path)  # read under the lock: a concurrent writer's update is kept
        if commit:
            refuse_dirty(RepoFacts(repo.root), rel, text)
        try:
            if target is None:
                result = remove(text, name)
            else:
                from gto_lsp.core.formats.dvc.edit import remove as remove_dvc

                result = remove_dvc(text, name, file=target.rel)
        except GTOError as error:
            raise CliError(str(error), exit_code(error)) from error
        shown = full_name(target.folder, name) if target else name
        _write_and_commit(repo, path, rel, result, remove_message(shown) if commit else None, args.push, out)
    return EXIT_OK


def _write_and_commit(
    repo: Repo, path: Path, rel: str, result: EditResult, message: Optional[str], push: bool, out: TextIO
) -> None:
    """Write the file (still under its lock), print GTO's line, and commit it alone when `message` is given."""
    write_atomic(path, result.text)
    print(result.message, file=out)
    if message is not None:
        commit_changes(repo, message, push, out, [rel])


def _refuse_wrong_config(repo: Repo, target: Optional[dvcfile.DvcTarget]) -> None:
    """GTO refuses every annotate and remove of artifacts.yaml when `.gto` has a problem (DVC never reads it)."""
    if target is None and repo.config.problems:
        raise CliError(wrong_config(str(repo.root)))


def _file_of(
    repo: Repo, name: str, dvc_option: Optional[str]
) -> tuple[Optional[dvcfile.DvcTarget], str, Optional[str]]:
    """(the dvc.yaml meant or None for artifacts.yaml, the bare name, the file's text). A bare NAME that
    artifacts.yaml does not have but the root dvc.yaml does means the root dvc.yaml's entry (after a migration,
    `annotate rf` updates the entry DVC reads instead of starting a second one in artifacts.yaml)."""
    target, bare = dvcfile.resolve(repo, name, dvc_option)
    if target is not None:
        return target, bare, read_text(target.path)
    text = read_text(repo.index_path)
    root = dvcfile.root_file(repo)
    if root is not None and not _has(text, bare, dvc=False):
        dvc_text = read_text(root.path)
        if _has(dvc_text, bare, dvc=True):
            return root, bare, dvc_text
    return None, bare, text


def _has(text: Optional[str], name: str, dvc: bool) -> bool:
    """Whether the file has an entry `name`; an unreadable file answers no (the command then reports it)."""
    from gto_lsp.core.edits import GTOError
    from gto_lsp.core.formats.dvc.edit import describe as describe_dvc
    from gto_lsp.core.formats.gto.edit import describe

    try:
        return (describe_dvc(text, name) if dvc else describe(text, name)) is not None
    except GTOError:
        return not dvc  # artifacts.yaml unreadable: stay with it, and let the command say why


# describe's field options and the key each format stores them under
_SHOWN = {"type": ("type", "type"), "path": ("path", "path"), "description": ("description", "desc")}
_SHOWN["custom"] = ("custom", "meta")


def cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.edits import GTOError
    from gto_lsp.core.formats.dvc.edit import describe as describe_dvc
    from gto_lsp.core.formats.gto.edit import describe

    repo = open_repo(args.repo, args.allow_outside_index)
    name, rev = args.name, args.rev
    exact = _named_exactly(repo, name, args.dvcfile, rev)
    shortcut = _SHORTCUT.match(name) if exact is None else None
    if shortcut is not None:
        if rev:
            raise CliError("Either specify revision or use naming shortcut.")
        name = shortcut["artifact"]
        rev = _shortcut_commit(repo, name, shortcut["stage"], shortcut["version"], args.dvcfile)
        if rev is None:  # gto 0.2.8 prints nothing and exits 0
            raise CliError(_no_commit_for(args.name, name, shortcut["stage"], shortcut["version"]))
    target, bare = (exact, name) if exact is not None else dvcfile.resolve(repo, name, args.dvcfile)
    try:
        if target is None:
            annotation = describe(_text(repo, None, rev), bare)
            if annotation is None:  # not in artifacts.yaml: the root dvc.yaml's entry of that name
                root = dvcfile.root_file(repo) if not rev else dvcfile.DvcTarget(repo.root / DVC_FILE, DVC_FILE, "")
                annotation = describe_dvc(_text(repo, root, rev), bare) if root is not None else None
                target = root if annotation is not None else None
        else:
            annotation = describe_dvc(_text(repo, target, rev), bare)
    except GTOError as error:
        raise CliError(str(error)) from error
    if annotation is None:  # gto 0.2.8 prints nothing and exits 0: a typo looked like an empty answer
        if shortcut is not None:
            raise CliError(f"'{args.name}': the commit it points at has no annotation of '{name}'")
        raise CliError(cannot_find_artifact(name) + (f" at '{rev}'" if rev else ""))
    field = next((f for f in _SHOWN if getattr(args, f"show_{f}")), None)
    if field is None:
        print(json.dumps(jsonable(annotation), indent=4), file=out)
    else:
        key = _SHOWN[field][0 if target is None else 1]
        if key in annotation:
            print(annotation[key], file=out)
    return EXIT_OK


def _named_exactly(repo: Repo, name: str, dvc_option: Optional[str], rev: Optional[str]) -> Optional[dvcfile.DvcTarget]:
    """The dvc.yaml (`--dvcfile`, else the root one) whose `artifacts:` has an entry named exactly `name`, when
    `name` holds `:`, `#` or `@`, which a full name or a shortcut would split (`"a:b"`, `c#d`: DVC loads such
    names, with a warning). None otherwise."""
    from gto_lsp.core.edits import GTOError
    from gto_lsp.core.formats.dvc.edit import describe as describe_dvc

    if not any(mark in name for mark in ":#@"):
        return None
    try:
        target = dvcfile.from_option(repo, dvc_option) if dvc_option else dvcfile.root_file(repo)
    except CliError:
        return None
    if target is None:
        return None
    try:
        return target if describe_dvc(_text(repo, target, rev), name) is not None else None
    except (GTOError, CliError):
        return None


def _no_commit_for(shown: str, name: str, stage: Optional[str], version: Optional[str]) -> str:
    """A naming shortcut that matches no version of a known artifact."""
    if stage:
        return f"'{shown}': no version of '{name}' is in stage '{stage}'"
    if version in ("latest", "greatest"):
        return f"'{shown}': '{name}' has no active version"
    return f"'{shown}': version '{version}' of '{name}' is not registered"


def _text(repo: Repo, target: Optional[dvcfile.DvcTarget], rev: Optional[str]) -> Optional[str]:
    """The text of the dvc.yaml `target` (artifacts.yaml when None) in the working tree, or at `rev` (from git:
    never outside the repository); None when it is absent."""
    rel = target.rel if target is not None else repo.index
    if not rev:
        return read_text(target.path if target is not None else repo.index_path)
    from gto_lsp.core.repo.reader import RepoFacts
    from gto_lsp.core.repo.run import GitError

    try:
        return RepoFacts(repo.root).file_at_rev(rev, rel)
    except GitError as error:
        raise CliError(f"Cannot read {rel} at '{rev}': {error}") from error


def _shortcut_pattern() -> re.Pattern[str]:
    from gto_lsp.core.names import NAME

    return re.compile(
        rf"^(?P<artifact>(?:[^:@#]+:)?{NAME})(?:#(?P<stage>{NAME})|@(?P<version>latest|greatest|v\d+\.\d+\.\d+\S*))$"
    )


_SHORTCUT = _shortcut_pattern()


def _shortcut_commit(
    repo: Repo, name: str, stage: Optional[str], version: Optional[str], dvc_option: Optional[str] = None
) -> Optional[str]:
    """The commit GTO's naming shortcut (`rf@latest`, `rf@v1.0.0`, `rf#prod`, `sub/dir:clf@v1.0.0`) points at,
    from the git tags (`sub/dir=clf@v1.0.0`)."""
    from gto_lsp.core.formats.dvc.files import full_name
    from gto_lsp.core.registry.read import TagReader
    from gto_lsp.core.repo.reader import RepoFacts

    facts = RepoFacts(repo.root)
    target, bare = dvcfile.resolve(repo, name, dvc_option)
    registry = TagReader(facts).state().get(full_name(target.folder, bare) if target else bare)
    if registry is None:
        if not _known_at_head(repo, facts, target, bare):  # neither tagged nor annotated at HEAD
            raise CliError(cannot_find_artifact(name))  # GTO's show refuses the name
        return None
    wanted = registry.stages.get(stage) if stage else registry.latest if version in ("latest", "greatest") else version
    for info in registry.versions:
        if info.version == wanted:
            return info.commit
    return None


def _known_at_head(repo: Repo, facts: RepoFacts, target: Optional[dvcfile.DvcTarget], name: str) -> bool:
    from gto_lsp.core.formats.dvc.edit import describe as describe_dvc
    from gto_lsp.core.formats.gto.edit import describe

    try:
        if target is None and describe(facts.file_at_head(repo.index), name) is not None:
            return True
        rel = target.rel if target else "dvc.yaml"
        return describe_dvc(facts.file_at_head(rel), name) is not None
    except Exception:
        return False
