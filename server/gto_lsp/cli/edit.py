"""annotate, remove and describe: GTO 0.2.8's commands and messages on the shared core."""

from __future__ import annotations

import argparse
import json
import re
from typing import Optional, TextIO

from ..core.messages import UPDATED, cannot_find_artifact
from .common import (
    EXIT_OK,
    CliError,
    Repo,
    commit_changes,
    jsonable,
    open_repo,
    read_text,
    refuse_dirty,
    write_atomic,
)


def cmd_annotate(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.annotate import AnnotateRequest, GTOError, annotate
    from ..core.git import RepoFacts, annotate_message

    repo = open_repo(args.repo)
    facts = RepoFacts(repo.root)
    text = read_text(repo.index_path)
    commit = args.commit or args.push
    if commit:
        refuse_dirty(facts, repo, text)
    request = AnnotateRequest(
        name=args.name,
        type=args.type,
        path=args.path,
        must_exist=args.must_exist,
        allow_same_path=args.allow_same_path,
        labels=tuple(args.label or ()),
        description=args.description or "",
        custom=args.custom,
    )
    try:
        result = annotate(text, request, repo.config, in_head=facts.in_head)
    except GTOError as error:
        raise CliError(str(error)) from error
    write_atomic(repo.index_path, result.text)
    print(UPDATED, file=out)
    if commit:
        commit_changes(repo, annotate_message(args.name, args.type, args.path), args.push, out)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.annotate import GTOError, remove
    from ..core.git import RepoFacts, remove_message

    repo = open_repo(args.repo)
    text = read_text(repo.index_path)
    commit = args.commit or args.push
    if commit:
        refuse_dirty(RepoFacts(repo.root), repo, text)
    try:
        result = remove(text, args.name)
    except GTOError as error:
        raise CliError(str(error)) from error
    write_atomic(repo.index_path, result.text)
    print(UPDATED, file=out)
    if commit:
        commit_changes(repo, remove_message(args.name), args.push, out)
    return EXIT_OK


def cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.annotate import GTOError, describe

    repo = open_repo(args.repo)
    name, rev = args.name, args.rev
    shortcut = _SHORTCUT.match(name)
    if shortcut is not None:
        if rev:
            raise CliError("Either specify revision or use naming shortcut.")
        name = shortcut["artifact"]
        rev = _shortcut_commit(repo, name, shortcut["stage"], shortcut["version"])
        if rev is None:
            return EXIT_OK  # GTO prints nothing when the shortcut matches no version
    if rev:
        from ..core.git import GitError, RepoFacts

        try:
            text = RepoFacts(repo.root).file_at_rev(rev, repo.index)
        except GitError as error:
            raise CliError(f"Cannot read {repo.index} at '{rev}': {error}") from error
    else:
        text = read_text(repo.index_path)
    try:
        annotation = describe(text, name)
    except GTOError as error:
        raise CliError(str(error)) from error
    if annotation is None:
        return EXIT_OK
    field = next((f for f in ("type", "path", "description", "custom") if getattr(args, f"show_{f}")), None)
    if field is None:
        print(json.dumps(jsonable(annotation), indent=4), file=out)
    elif field in annotation:
        print(annotation[field], file=out)
    return EXIT_OK


def _shortcut_pattern() -> re.Pattern[str]:
    from ..core.names import NAME

    return re.compile(rf"^(?P<artifact>{NAME})(?:#(?P<stage>{NAME})|@(?P<version>latest|greatest|v\d+\.\d+\.\d+\S*))$")


_SHORTCUT = _shortcut_pattern()


def _shortcut_commit(repo: Repo, name: str, stage: Optional[str], version: Optional[str]) -> Optional[str]:
    """The commit GTO's naming shortcut (`rf@latest`, `rf@v1.0.0`, `rf#prod`) points at, from the git tags."""
    from ..core.git import RepoFacts

    facts = RepoFacts(repo.root)
    registry = facts.registry_state().get(name)
    if registry is None:
        from ..core.annotate import describe

        try:
            known = describe(facts.file_at_head(repo.index), name) is not None
        except Exception:
            known = False
        if not known:  # neither tagged nor annotated at HEAD: GTO's show refuses the name
            raise CliError(cannot_find_artifact(name))
        return None
    wanted = registry.stages.get(stage) if stage else registry.latest if version in ("latest", "greatest") else version
    for info in registry.versions:
        if info.version == wanted:
            return info.commit
    return None
