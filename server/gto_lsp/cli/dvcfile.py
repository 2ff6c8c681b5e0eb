"""Which dvc.yaml a command means: `--dvcfile` (relative to the current directory, like every path on a command
line, and like DVC's own `dvcfile=`), or the folder of a full name `sub/dir:name`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from gto_lsp.cli.common import EXIT_USAGE, CliError, Repo
from gto_lsp.core.formats.dvc.files import DVC_FILE, PathRefused, annotations_file, dvc_file_of, split_full_name
from gto_lsp.core.formats.dvc.reads import DvcIgnore
from gto_lsp.core.repo.safe_read import read_text


@dataclass(frozen=True)
class DvcTarget:
    path: Path  # on disk
    rel: str  # relative to the repository root, POSIX: `dvc.yaml`, `sub/dir/dvc.yaml`
    folder: str  # its folder relative to the root, "" for the root one


def from_option(repo: Repo, dvcfile: str) -> DvcTarget:
    """`--dvcfile [DIR/]dvc.yaml` (or a folder, meaning its dvc.yaml), relative to the current directory."""
    path = Path(dvcfile)
    if not path.is_absolute():
        path = Path.cwd() / path
    if path.is_dir():
        path = path / DVC_FILE
    if path.name != DVC_FILE:
        raise CliError(
            f"'{dvcfile}' is not a dvc.yaml: DVC reads artifacts only from files named {DVC_FILE}.", EXIT_USAGE
        )
    if not path.parent.is_dir():
        raise CliError(f"No folder '{os.path.dirname(dvcfile) or '.'}' for '{dvcfile}'.", EXIT_USAGE)
    rel = os.path.relpath(path.parent.resolve(), repo.root.resolve())
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        raise CliError(f"'{dvcfile}' is outside the repository {repo.root} (or a link out of it).", EXIT_USAGE)
    return from_folder(repo, "" if rel == "." else Path(rel).as_posix())


def from_folder(repo: Repo, folder: str) -> DvcTarget:
    """FOLDER/dvc.yaml, refused unless it is (or will be) a regular file inside the repository that DVC reads
    (not excluded by a `.dvcignore`, not inside `.dvc/`)."""
    rel = dvc_file_of(folder)
    try:
        path = annotations_file(repo.root, rel)
    except PathRefused as error:
        raise CliError(error.message, EXIT_USAGE) from error
    ignored = DvcIgnore(lambda name: read_text(repo.root / name)).reason(rel)
    if ignored is not None:
        raise CliError(
            f"DVC never reads {rel}: {ignored}. Its artifacts exist for neither DVC nor GTO: name a dvc.yaml DVC "
            "reads, or change that rule.",
            EXIT_USAGE,
        )
    return DvcTarget(path, rel, folder)


def root_file(repo: Repo) -> Optional[DvcTarget]:
    """The root dvc.yaml when it is a regular file inside the repository, else None (bare names fall back to it:
    one that links out is not looked at)."""
    try:
        target = from_folder(repo, "")
    except CliError:
        return None
    return target if target.path.is_file() else None


def resolve(repo: Repo, name: str, dvcfile: Optional[str]) -> tuple[Optional[DvcTarget], str]:
    """(the dvc.yaml meant, the bare name): None when the command is about artifacts.yaml (no `--dvcfile`, no
    `folder:` in the name). `sub/dir:name` and `sub/dir/dvc.yaml:name` name sub/dir/dvc.yaml; with `--dvcfile`
    too, both must mean the same file."""
    if ":" not in name:
        return (from_option(repo, dvcfile) if dvcfile else None), name
    folder, bare = split_full_name(name)
    folder = folder.rstrip("/")
    if dvcfile:
        target = from_option(repo, dvcfile)
        if target.folder != folder:
            raise CliError(
                f"'{name}' is an artifact of {dvc_file_of(folder)}, but --dvcfile is {target.rel}.", EXIT_USAGE
            )
        return target, bare
    return from_folder(repo, folder), bare
