"""migrate: move annotations from artifacts.yaml to a dvc.yaml, both files written or neither, one commit."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Optional, TextIO

from gto_lsp.cli import dvcfile
from gto_lsp.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CliError,
    Repo,
    commit_changes,
    exit_code,
    open_repo,
    read_text,
    refuse_dirty,
    write_atomic,
    writing,
)
from gto_lsp.core.formats.dvc.files import full_name


def migrate_message(count: int, names: list[str], source: str, target: str) -> str:
    if count == 1:
        return f"Move annotation of artifact `{names[0]}` from {source} to {target}"
    return f"Move annotations of {count} artifacts from {source} to {target}"


def cmd_migrate(args: argparse.Namespace, out: TextIO) -> int:
    repo = open_repo(args.repo, args.allow_outside_index)
    target = dvcfile.from_option(repo, args.to) if args.to else dvcfile.from_folder(repo, "")
    # Both files' locks (artifacts.yaml's first, always in that order), so no annotate writes them meanwhile.
    same = target.path.resolve() == repo.index_path.resolve()
    with writing(repo.index_path), contextlib.nullcontext() if same else writing(target.path):
        return _migrate_locked(args, out, repo, target)


def _migrate_locked(args: argparse.Namespace, out: TextIO, repo: Repo, target: dvcfile.DvcTarget) -> int:
    from gto_lsp.core.edits import GTOError
    from gto_lsp.core.migrate import migrate
    from gto_lsp.core.repo.reader import RepoFacts

    gto_text = read_text(repo.index_path)
    if gto_text is None:
        raise CliError(f"No {repo.index} in {repo.root}: nothing to migrate.")
    dvc_text = read_text(target.path)
    commit = args.commit or args.push
    if commit:
        facts = RepoFacts(repo.root)
        refuse_dirty(facts, repo.index, gto_text)
        refuse_dirty(facts, target.rel, dvc_text)
    try:
        result = migrate(gto_text, dvc_text, target.folder, args.names or None)
    except GTOError as error:
        raise CliError(str(error), exit_code(error)) from error

    for name in result.moved:
        shown = full_name(target.folder, name)
        print(f"Moved `{name}` to {target.rel}" + (f" as `{shown}`" if shown != name else ""), file=out)
    for name, field in result.dropped:
        why = (
            "DVC has no `virtual` (it never checks that a path is committed)"
            if field == "virtual"
            else "DVC refuses fields it does not know"
        )
        shown_field = "virtual: false" if field == "virtual" else field
        print(f"Dropped `{shown_field}` of `{name}`: {why}", file=out)
    for name, reason in result.skipped:
        print(f"Skipped `{name}`: {reason}", file=out)
    if target.folder and result.moved:
        print(
            f"Artifacts of {target.rel} are named `{target.folder}:NAME`: their versions are git tags "
            f"`{target.folder}=NAME@vX.Y.Z`, and tags `NAME@vX.Y.Z` no longer match them.",
            file=out,
        )
    if not result.moved:
        if not result.skipped:
            print(f"No artifacts in {repo.index}: nothing to migrate.", file=out)
        return EXIT_PROBLEMS if result.skipped else EXIT_OK

    # An emptied artifacts.yaml goes: GTO refuses an empty one and reads a missing one as no artifacts.
    _write_both(target.path, dvc_text, result.dvc.text, repo.index_path, None if result.emptied else result.gto.text)
    print(result.dvc.message, file=out)
    if result.emptied:
        print(f"Removed `{repo.index}`: nothing is left in it", file=out)
    else:
        print(result.gto.message.replace("artifacts.yaml", repo.index), file=out)
    print(result.summary(repo.index) + ".", file=out)
    if commit:
        message = migrate_message(len(result.moved), result.moved, repo.index, target.rel)
        commit_changes(repo, message, args.push, out, [repo.index, target.rel])
    return EXIT_PROBLEMS if result.skipped else EXIT_OK


def _write_both(first: Path, first_old: Optional[str], first_new: str, second: Path, second_new: Optional[str]) -> None:
    """Write `first`, then `second` (`second_new` None: delete it); when the second write fails, `first` gets
    its old text back (or goes away when it did not exist), so both files change or neither."""
    try:
        write_atomic(first, first_new)
    except OSError as error:
        raise CliError(f"Cannot write {first}: {error}") from error
    try:
        if second_new is None:
            second.unlink()
        else:
            write_atomic(second, second_new)
    except OSError as error:
        if first_old is None:
            first.unlink()
        else:
            write_atomic(first, first_old)
        raise CliError(f"Cannot write {second}: {error}; {first.name} was restored") from error
