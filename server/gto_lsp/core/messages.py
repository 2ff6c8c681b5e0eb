"""GTO's user-visible strings that several modules print, each with the GTO source it mirrors."""

from __future__ import annotations

import os

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
