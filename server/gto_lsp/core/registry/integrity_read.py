"""Registry integrity of a repository on disk: the git facts integrity.py judges, each read in bounded passes (one
`git for-each-ref`, one `git cat-file --batch` for the annotations files at every version's commit and HEAD, one
`git rev-list --parents` for the order of neighbouring versions' commits), then its problems.

Public API::

    read_integrity(root) -> Integrity     # problems (integrity.RegistryProblem), the registry, where each
                                          # artifact's annotations file is (for locations)
    apply_fixes(root, problems) -> list of (git arguments, ok, output)   # runs only each problem's `fix`
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

from gto_lsp.core.registry.integrity import (
    MAX_REPLAYS,
    RegistryProblem,
    artifact_lines,
    artifact_problems,
    order_pairs,
    order_problems,
    safe_deletion,
    tag_problems,
    twice_candidates,
    undeclared_versions,
)
from gto_lsp.core.registry.replay import parse_registry
from gto_lsp.core.registry.state import FOR_EACH_REF_FORMAT, Registry, head_info

if TYPE_CHECKING:
    from gto_lsp.core.problems import Span
    from gto_lsp.core.yaml.blocks import Placed

__all__ = ["Ancestry", "Integrity", "apply_fixes", "declared_names", "declaring_files", "read_integrity"]

MAX_GRAPH = 500_000  # commits of the history read to compare versions' commits
MAX_STEPS = 5_000_000  # commits walked in all to answer whether one version's commit is an ancestor of another's
MAX_COMMIT_READS = 50_000  # (commit, file) pairs read in the one cat-file pass
MAX_PARSED = 2_000  # distinct annotations files parsed (the same blob at many commits is parsed once)


@dataclass(frozen=True)
class Integrity:
    problems: list[RegistryProblem]
    registry: Registry
    truncated: bool = False  # some versions were not checked (bounds above)


def declaring_files(name: str, index: str) -> list[tuple[str, str]]:
    """(file, folder) that may declare `name`: the index (artifacts.yaml) for a plain name, and the dvc.yaml of
    its folder (`dir:name` is declared in `dir/dvc.yaml`)."""
    folder, sep, _ = name.rpartition(":")
    if sep:
        return [(posixpath.join(folder, "dvc.yaml"), folder)]
    return [(index, ""), ("dvc.yaml", "")]


def declared_names(text: str, file: str, folder: str) -> dict[str, Span]:
    """The full names an annotations file declares (either format), as GTO's tags spell them, with the span of
    each name (the first entry of a name)."""
    from gto_lsp.core.formats.dvc.document import parse_dvc
    from gto_lsp.core.formats.dvc.files import full_name
    from gto_lsp.core.formats.gto.document import parse

    if posixpath.basename(file) == "dvc.yaml":
        entries: Sequence[Placed] = parse_dvc(text).entries
    else:
        entries, folder = parse(text).artifacts, ""
    found: dict[str, Span] = {}
    for entry in entries:
        if entry.name_is_string:
            found.setdefault(full_name(folder, str(entry.name)), entry.name_span)
    return found


def read_integrity(root: Path) -> Integrity:
    import git

    from gto_lsp.core.config import read_config
    from gto_lsp.core.repo.run import run_git

    g = git.Git(str(root))

    def run(*args: str) -> tuple[int, bytes]:
        res = run_git(g, *args)
        return res.status, res.out

    status, refs = run("for-each-ref", f"--format={FOR_EACH_REF_FORMAT}", "refs/tags")
    refs = refs if status == 0 else b""
    index = read_config(root).index
    head = head_info(root, run, index)
    registry = parse_registry(refs, head)
    arts = [registry.artifacts[n] for n in sorted(registry.artifacts)]
    registered = [a for a in arts if a.registered]

    # Which commits declare which artifacts: HEAD for every registered artifact, each active version's commit.
    wanted: list[tuple[str, str]] = []  # (commit, artifact)
    if head is not None:
        wanted.extend((head.sha, a.name) for a in registered)
    wanted.extend((v.commit, a.name) for a in registered for v in a.versions if v.registered and v.active)
    truncated = len(wanted) * 2 > MAX_COMMIT_READS
    declared = _declared(root, wanted[: MAX_COMMIT_READS // 2], index)

    problems = tag_problems(registry.tags, [*registry.artifacts, *(head.annotated if head else ())])
    refs_of = _refs_of(registry)
    ancestry = Ancestry(root, {v.commit for a in registered for pair in order_pairs(a) for v in pair})
    replays = 0
    by_name: dict[str, dict[str, bool]] = {}
    for (commit, name), found in declared.items():
        by_name.setdefault(name, {})[commit] = found
    for art in registered:
        fixes: dict[str, Optional[str]] = {}
        for v in art.versions:
            if sum(1 for e in v.events if e.kind == "register") > 1 and replays < MAX_REPLAYS:
                replays += 1
                fixes[v.version] = safe_deletion(
                    artifact_lines(refs, art.name), head, art, twice_candidates(v, refs_of)
                )
        at_head = declared.get((head.sha, art.name)) if head is not None else None
        problems.extend(artifact_problems(art, at_head, fixes))
        if at_head is not False:  # one artifact-undeclared says it for an artifact nothing declares
            problems.extend(undeclared_versions(art, by_name.get(art.name, {})))
        problems.extend(order_problems(art, ancestry))
    truncated = truncated or ancestry.steps > MAX_STEPS or len(ancestry.parents) >= MAX_GRAPH
    return Integrity(problems, registry, truncated)


def _refs_of(registry: Registry) -> Callable[[str], list[str]]:
    """The ref names of annotated tags by the name stored in the tag object."""
    by_object: dict[str, list[str]] = {}
    for ref in registry.tags.values():
        if ref.annotated:
            by_object.setdefault(ref.object_name, []).append(ref.name)
    return lambda name: by_object.get(name, [])


def _declared(root: Path, wanted: list[tuple[str, str]], index: str) -> dict[tuple[str, str], bool]:
    """(commit, artifact) -> whether a file that may declare it there does: one cat-file pass."""
    from gto_lsp.core.registry.show_facts import cat_file_batch

    files = sorted({(c, f, folder) for c, n in wanted for f, folder in declaring_files(n, index)})
    blobs = cat_file_batch(root, [f"{c}:{f}" for c, f, _ in files], "blob")
    names_of: dict[tuple[bytes, str, str], set[str]] = {}
    at: dict[tuple[str, str], set[str]] = {}
    for (commit, file, folder), blob in zip(files, blobs):
        if blob is None:
            continue
        key = (blob, file, folder)
        names = names_of.get(key)
        if names is None:
            names = (
                set()
                if len(names_of) >= MAX_PARSED
                else set(declared_names(blob.decode("utf-8", "replace"), file, folder))
            )
            names_of[key] = names
        at.setdefault((commit, file), set()).update(names)
    return {(c, n): any(n in at.get((c, f), ()) for f, _ in declaring_files(n, index)) for c, n in wanted}


class Ancestry:
    """Whether a commit is an ancestor of another, from one `git rev-list --parents` over the versions' commits
    (at most MAX_GRAPH commits): a walk down the parents that stops below the other's generation, within a
    shared budget of MAX_STEPS; None when the graph or the budget does not tell."""

    def __init__(self, root: Path, commits: set[str]) -> None:
        import subprocess

        self.parents: dict[str, tuple[str, ...]] = {}
        self.steps = 0
        if not commits:
            return
        done = subprocess.run(
            ["git", "rev-list", "--topo-order", "--parents", f"--max-count={MAX_GRAPH}", "--stdin"],
            cwd=root,
            input="".join(f"{c}\n" for c in sorted(commits)).encode(),
            capture_output=True,
            check=False,
        )
        for line in done.stdout.decode("ascii", "replace").splitlines() if done.returncode == 0 else ():
            sha, *parents = line.split()
            self.parents[sha] = tuple(parents)
        self.generation: dict[str, int] = {}
        for sha in reversed(list(self.parents)):  # parents before children
            self.generation[sha] = 1 + max((self.generation.get(p, 0) for p in self.parents[sha]), default=0)

    def __call__(self, older: str, newer: str) -> Optional[bool]:
        floor = self.generation.get(older)
        if floor is None or newer not in self.generation:
            return None
        seen = {newer}
        stack = [newer]
        while stack:
            sha = stack.pop()
            if sha == older and sha != newer:
                return True
            self.steps += 1
            if self.steps > MAX_STEPS:
                return None
            for parent in self.parents.get(sha, ()):
                if parent not in seen and self.generation.get(parent, 0) >= floor:
                    seen.add(parent)
                    stack.append(parent)
        return False


def apply_fixes(root: Path, problems: list[RegistryProblem]) -> list[tuple[tuple[str, ...], bool, str]]:
    """Run each problem's local fix (`git tag -d ...`), never a push: (arguments, succeeded, git's output)."""
    import git

    from gto_lsp.core.repo.run import run_git

    g = git.Git(str(root))
    done = []
    for problem in problems:
        for args in problem.fix:
            res = run_git(g, *args)
            done.append((args, res.status == 0, (res.out.decode("utf-8", "replace") + res.err).strip()))
    return done
