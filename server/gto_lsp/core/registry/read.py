"""The registry of a repository on disk: its tags (one `git for-each-ref` pass), HEAD's artifacts.yaml, and GTO's
refusal of a registry whose committed artifacts.yaml it cannot read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from gto_lsp.core.registry.replay import parse_registry, registry_artifacts
from gto_lsp.core.registry.state import FOR_EACH_REF_FORMAT, ArtifactRegistry, HeadInfo, Registry, head_info

if TYPE_CHECKING:  # GitPython runs `git version` when imported: not before a trusted workspace runs git
    from gto_lsp.core.repo.reader import RepoFacts


def read_registry(root: str | os.PathLike[str]) -> Registry:
    """Read the registry of the repository at `root` (git for-each-ref, HEAD's artifacts.yaml)."""
    import git

    from gto_lsp.core.repo.run import run_git

    g = git.Git(str(root))

    def run(*args: str) -> tuple[int, bytes]:
        res = run_git(g, *args)
        return res.status, res.out

    status, out = run("for-each-ref", f"--format={FOR_EACH_REF_FORMAT}", "refs/tags")
    registry = parse_registry(out if status == 0 else b"", head_info(Path(root), run))
    return with_index_error(registry, index_error(Path(root), registry))


def tag_lines(facts: RepoFacts) -> bytes:
    """Every tag in one `git for-each-ref` pass: the input of `registry_artifacts`."""
    res = facts.run("for-each-ref", f"--format={FOR_EACH_REF_FORMAT}", "refs/tags")
    return res.out if res.status == 0 else b""


class TagReader:
    """GTO's registry of one repository from its annotated tags (spec §5.4), cached until the tags or HEAD change."""

    def __init__(self, facts: RepoFacts) -> None:
        self.facts = facts
        self._state: tuple[bytes, dict[str, ArtifactRegistry], HeadInfo | None] | None = None
        self._head: HeadInfo | None = None

    def head_info(self) -> HeadInfo | None:
        """HEAD's sha, date and the artifacts of its committed artifacts.yaml (GTO's HEAD commit events)."""
        sha = self.facts.head_sha()
        if sha is None:
            return None
        cached = self._head
        if cached is None or cached.sha != sha:

            def run(*args: str) -> tuple[int, bytes]:
                out = self.facts.run(*args)
                return out.status, out.out

            cached = self._head = head_info(self.facts.root, run)
        return cached

    def state(self) -> dict[str, ArtifactRegistry]:
        """Each artifact's registry. Do not mutate the values."""
        out = tag_lines(self.facts)
        head = self.head_info()
        cached = self._state
        if cached is None or cached[0] != out or cached[2] != head:
            cached = self._state = (out, registry_artifacts(out, head), head)
        return dict(cached[1])


INDEX_ERROR = "artifacts.yaml file doesn't conform to GTO format"


def index_error(root: Path, registry: Registry) -> Optional[str]:
    """GTO's error when the artifacts.yaml committed at HEAD or at a commit holding a version cannot be read by
    GTO: it reads each of them for every command (its enrichments), and fails them all, even once HEAD is fixed."""
    from gto_lsp.core.codes import CheckSettings, refuses
    from gto_lsp.core.config import read_config
    from gto_lsp.core.formats.gto.check import check
    from gto_lsp.core.formats.gto.document import parse
    from gto_lsp.core.registry.show_facts import cat_file_batch

    config = read_config(root)
    commits = {v.commit for a in registry.artifacts.values() for v in a.versions}
    commits.update(e.commit for a in registry.artifacts.values() for e in a.events if e.kind == "commit")
    if registry.head:
        commits.add(registry.head)
    if not commits:
        return None
    seen: set[bytes] = set()
    for blob in cat_file_batch(root, [f"{c}:{config.index}" for c in sorted(commits)], "blob"):
        if blob is None or blob in seen:
            continue  # no artifacts.yaml at that commit, or one already checked
        seen.add(blob)
        text = blob.decode("utf-8", "replace")
        problems = check(parse(text), config, None, CheckSettings(paths=False, foreign_files=True))
        if any(refuses(p.code) for p in problems):
            return INDEX_ERROR
    return None


def with_index_error(registry: Registry, error: Optional[str]) -> Registry:
    """The registry marked as one GTO cannot read because of an artifacts.yaml (see index_error)."""
    import dataclasses

    if error is None or registry.error is not None:
        return registry
    artifacts = {n: dataclasses.replace(a, error=error) for n, a in registry.artifacts.items()}
    return dataclasses.replace(registry, artifacts=artifacts, error=error, error_cause="index")


def registry_state(root: str | os.PathLike[str]) -> dict[str, ArtifactRegistry]:
    return read_registry(root).artifacts
