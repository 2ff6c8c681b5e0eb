"""The first tag read starts with the file listing (`RepoState.load_facts`, git started before GitPython's
RepoFacts): its output equals `tag_lines`', the registry made from it equals one read afresh, and tags changed
after it started are read again at the next ask (its refs stamp is taken before git starts)."""

from __future__ import annotations

from pathlib import Path

from gto_lsp.core.registry.cache import LazyRegistry, group_lines
from gto_lsp.core.registry.read import StartedTagRead, tag_lines
from gto_lsp.core.registry.replay import registry_artifacts
from gto_lsp.core.repo.reader import RepoFacts
from gto_lsp.lsp.session.repos import RepoState
from helpers.git import T0, git, make_repo


def tagged_repo(root: Path) -> Path:
    make_repo(root)
    (root / "artifacts.yaml").write_text("rf:\n  type: model\n  path: rf.pkl\n")
    git(root, "add", "artifacts.yaml")
    git(root, "commit", "-q", "-m", "c", when=T0)
    for n, (tag, message) in enumerate(
        [
            ("rf@v1.0.0", "Registering artifact rf version v1.0.0"),
            ("rf#prod#1", "Assigning stage prod to artifact rf version v1.0.0"),
            ("nlp=bért@v0.1.0", "Registering artifact nlp:bért version v0.1.0"),
            ("old@v1.0.0", "Registering artifact old version v1.0.0"),
            ("old@deprecated", "Deprecating artifact 'old'"),
        ]
    ):
        git(root, "tag", "-a", tag, "-m", message, when=T0 + n + 1)
    git(root, "tag", "light#dev#2")  # lightweight: GTO ignores it, the read keeps its line
    git(root, "pack-refs", "--all")  # as a clone leaves them, and one loose tag beside
    git(root, "tag", "-a", "rf@v1.1.0", "-m", "Registering artifact rf version v1.1.0", when=T0 + 10)
    return root


def fresh(root: Path) -> dict[str, object]:
    refs = tag_lines(RepoFacts(root))
    return dict(LazyRegistry(group_lines(refs, None), registry_artifacts).complete())


def test_the_started_read_equals_tag_lines(tmp_path: Path) -> None:
    root = tagged_repo(tmp_path / "repo")
    assert StartedTagRead(root, None).lines() == tag_lines(RepoFacts(root)) != b""
    empty = make_repo(tmp_path / "empty")
    assert StartedTagRead(empty, None).lines() == tag_lines(RepoFacts(empty)) == b""
    stopped = StartedTagRead(root, None)
    stopped.stop()  # never read: stopping ends git, whatever it had written
    assert stopped.lines() in (None, b"", tag_lines(RepoFacts(root)))


def test_the_registry_from_the_early_read_equals_a_fresh_one(tmp_path: Path) -> None:
    root = tagged_repo(tmp_path / "repo")
    state = RepoState(root)
    assert state.load_facts() is not None
    registry = state.registry()
    assert registry is not None and dict(registry) == fresh(root)
    assert "rf" in registry and registry["rf"].latest == "v1.1.0"


def test_tags_made_after_the_early_read_started_are_read_at_the_next_ask(tmp_path: Path) -> None:
    root = tagged_repo(tmp_path / "repo")
    state = RepoState(root)
    assert state.load_facts() is not None  # the tag read is started here
    git(root, "tag", "-a", "late@v3.0.0", "-m", "Registering artifact late version v3.0.0", when=T0 + 20)
    state.registry_lazy()  # made from the early output: with or without `late`
    assert state.registry_known() is None  # its stamp predates `late`: not known to be current
    registry = state.registry()
    assert registry is not None and "late" in registry and dict(registry) == fresh(root)


def test_a_worktree_reads_its_tags_the_usual_way(tmp_path: Path) -> None:
    root = tagged_repo(tmp_path / "repo")
    git(root, "worktree", "add", "-q", str(tmp_path / "tree"))
    state = RepoState(tmp_path / "tree")  # `.git` is a file there: no early read
    assert state.load_facts() is not None
    registry = state.registry()
    assert registry is not None and dict(registry) == fresh(root)
