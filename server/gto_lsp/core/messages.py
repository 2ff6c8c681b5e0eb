"""GTO's user-visible strings that several modules print, each with the GTO source it mirrors."""

from __future__ import annotations

import os
from typing import Iterable, Sequence

# gto/index.py, BaseIndexManager.add/remove with stdout (what `gto annotate` and `gto remove` print).
UPDATED = "Updated `artifacts.yaml`"
# gto/exceptions.py, WrongArtifactsYaml.
WRONG_ARTIFACTS_YAML = "artifacts.yaml file doesn't conform to GTO format"


def no_git_repo(path: str) -> str:
    """gto/exceptions.py, NoRepo."""
    return f"No Git repo found in '{path}'"


def cannot_find_artifact(name: str) -> str:
    """gto/exceptions.py, ArtifactNotFound."""
    return f"Cannot find artifact '{name}'"


def wrong_config(root: str) -> str:
    """gto/exceptions.py, WrongConfig: any problem of `.gto` (unknown key, wrong type, bad name) makes every
    annotate and remove refuse; `root` is the repository's absolute path."""
    return f"Wrong config file '{os.path.join(root, '.gto')}'"


# Where GTO's own text is the bug, ours says it plainly; tests/compat/known_differences.py pairs each with GTO's.


def quoted(values: Iterable[str]) -> str:
    """'a', 'b', 'c': a list as people write it (GTO prints Python's repr, `'['a', 'b']'`)."""
    return ", ".join(f"'{v}'" for v in values)


def not_allowed(what: str, value: str, allowed: Sequence[str], where: str = ".gto") -> str:
    """A type or stage that `.gto` (or GTO_TYPES/GTO_STAGES) does not list; GTO: `Allowed types are: '[...]'`."""
    if not allowed:
        return f"{what.capitalize()} '{value}' is not allowed: {where} allows no {what} (`{what}s: []`)"
    return f"{what.capitalize()} '{value}' is not allowed by {where}: use one of {quoted(allowed)}"


def path_conflict(path: str, other_name: str, other_path: str) -> str:
    """The new path equals or contains (or is inside) another artifact's; GTO names the new artifact as
    `('None' 'rf2')` instead of the one it conflicts with."""
    return f"Provided path '{path}' conflicts with artifact '{other_name}', whose path is '{other_path}'"


PATH_CONFLICT_FIX = (
    "Give each artifact its own path (one must not be inside the other), or allow it with --allow-same-path."
)


# Plain mistakes, not GTO's "Unexpected error: ...".
NO_IDENTITY = (
    "Git user name and email must be configured: GTO's tags carry them. "
    'Run `git config user.name "Your Name"` and `git config user.email you@example.com`.'
)
NO_COMMITS = "The repository has no commits yet: GTO's tags point at commits. Commit first, then try again."


def unknown_revision(ref: str) -> str:
    """REF names no commit (GTO: `Unexpected error: unknown Git revision 'REF'`). HEAD names none only before
    the first commit."""
    if ref == "HEAD":
        return NO_COMMITS
    return f"Unknown Git revision '{ref}': no commit, branch or tag of this repository has that name"


def not_a_repository(path: str) -> str:
    """`-r` (or the current folder) is not in a git repository (GTO: `Unexpected error: . is not a git repository`)."""
    return f"'{path}' is not in a git repository: run the command inside one, or name it with -r/--repo"
