"""core.registry.write: the tags it makes (annotated, at the commit, committer identity, tagger time after the
artifact's newest tag), deletions, and pushing only those tags, with the reason when a push fails."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import helpers.git
from gto_lsp.core.messages import NO_IDENTITY
from gto_lsp.core.registry.deprecate import plan_deprecate
from gto_lsp.core.registry.plan import plan_assign, plan_register
from gto_lsp.core.registry.read import read_registry
from gto_lsp.core.registry.write import PushError, WriteError, push_tags, tag_remote, write_plan

IDENTITY = {"GIT_COMMITTER_NAME": "Tess Tagger", "GIT_COMMITTER_EMAIL": "tess@example.com"}


AUTHOR = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com"}


def git(repo: Path, *args: str) -> str:
    """git as the tests' author and tagger, even where a test took the identity away from os.environ."""
    return helpers.git.git(repo, *args, env={**os.environ, **IDENTITY, **AUTHOR}).strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GIT_COMMITTER_DATE", raising=False)
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    (r / "m.txt").write_text("1\n")
    git(r, "add", "m.txt")
    git(r, "commit", "-q", "-m", "c1")
    return r


def tag_facts(repo: Path, name: str) -> list[str]:
    fmt = "%(objecttype)|%(*objectname)|%(taggername)|%(taggeremail)|%(taggerdate:unix)|%(contents:subject)"
    return git(repo, "for-each-ref", f"--format={fmt}", f"refs/tags/{name}").split("|")


def test_annotated_at_the_commit_with_identity_and_message(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    plan = plan_assign(read_registry(repo), "rf", "prod", ref_sha=head)
    seen: list[tuple[str, str]] = []
    result = write_plan(repo, plan, report=lambda kind, tag: seen.append((kind, tag)))
    assert result.created == ("rf@v0.0.1", "rf#prod#1") and result.pushed == ()
    assert seen == [("created", "rf@v0.0.1"), ("created", "rf#prod#1")]
    kind, target, name, email, when, subject = tag_facts(repo, "rf#prod#1")
    assert (kind, target, name, email) == ("tag", head, "Tess Tagger", "<tess@example.com>")
    assert subject == "Assigning stage prod to artifact rf version v0.0.1"
    # the stage tag is a second after the version tag: GTO's replay never sees a tie
    assert int(when) == int(tag_facts(repo, "rf@v0.0.1")[4]) + 1
    state = read_registry(repo).artifacts["rf"]
    assert state.latest == "v0.0.1" and state.stages == {"prod": "v0.0.1"}


def test_tagger_time_after_the_newest_tag_even_in_the_future(repo: Path) -> None:
    future = int(time.time()) + 1000
    git(repo, "-c", "user.name=x", "tag", "-a", "rf@v0.0.1", "-m", "reg", "HEAD")
    env_date = f"{future} +0000"
    helpers.git.git(
        repo, "tag", "-a", "rf#prod#1", "-m", "assign", "HEAD", env={**os.environ, "GIT_COMMITTER_DATE": env_date}
    )
    plan = plan_deprecate(read_registry(repo), "rf")
    write_plan(repo, plan)
    assert int(tag_facts(repo, "rf@deprecated")[4]) == future + 1
    assert read_registry(repo).artifacts["rf"].deprecated


def test_no_identity_is_refused_as_gto_refuses(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in IDENTITY:
        monkeypatch.delenv(key)
    plan = plan_register(read_registry(repo), "rf", git(repo, "rev-parse", "HEAD"))
    with pytest.raises(WriteError) as info:
        write_plan(repo, plan)
    assert info.value.message == NO_IDENTITY and not info.value.unexpected
    assert git(repo, "tag") == ""


def test_existing_tag_is_refused(repo: Path) -> None:
    plan = plan_register(read_registry(repo), "rf", git(repo, "rev-parse", "HEAD"))
    git(repo, "tag", "rf@v0.0.1")  # made after the plan
    with pytest.raises(WriteError) as info:
        write_plan(repo, plan)
    assert info.value.message == "tag 'rf@v0.0.1' already exists"


def test_push_only_the_tags_and_delete(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "tag", "-a", "unrelated", "-m", "not pushed")
    head = git(repo, "rev-parse", "HEAD")
    result = write_plan(repo, plan_register(read_registry(repo), "rf", head), push=True)
    assert result.pushed == ("rf@v0.0.1",) and result.remote == "origin"
    assert git(remote, "tag") == "rf@v0.0.1"
    assert git(remote, "branch") == ""  # the branch stays unpushed
    write_plan(repo, plan_deprecate(read_registry(repo), "rf", delete=True), push=True)
    assert git(remote, "tag") == "" and git(repo, "tag") == "unrelated"


def test_push_rejected_keeps_the_local_tag(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    (repo / "m.txt").write_text("2\n")
    git(repo, "commit", "-qam", "c2")
    git(repo, "tag", "-a", "rf@v0.0.1", "-m", "elsewhere", "HEAD")
    git(repo, "push", "-q", "origin", "refs/tags/rf@v0.0.1")
    git(repo, "tag", "-d", "rf@v0.0.1")
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    with pytest.raises(PushError) as info:
        write_plan(repo, plan_register(read_registry(repo), "rf", first), push=True)
    assert info.value.kind == "rejected"
    assert "git push origin rf@v0.0.1" in info.value.message and "rejected" in info.value.message
    assert git(repo, "tag") == "rf@v0.0.1"


def test_no_remote_and_branch_remote(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(PushError) as info:
        push_tags(repo, ["x"])
    assert info.value.kind == "no-remote" and "no remote" in info.value.message
    for name in ("backup", "upstream"):
        git(tmp_path, "init", "-q", "--bare", str(tmp_path / f"{name}.git"))
        git(repo, "remote", "add", name, str(tmp_path / f"{name}.git"))
    with pytest.raises(PushError, match="no 'origin'"):
        tag_remote(repo)
    git(repo, "config", "branch.main.remote", "upstream")
    assert tag_remote(repo) == "upstream"


@pytest.mark.parametrize(
    ("output", "kind"),
    [
        ("fatal: Authentication failed for 'https://github.com/o/r.git/'", "auth"),
        ("remote: Permission to o/r.git denied to bob.\nfatal: unable to access '...': error: 403", "auth"),
        ("fatal: could not read Username for 'https://github.com': terminal prompts disabled", "auth"),
        ("git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.", "auth"),
        (" ! [rejected]        rf@v0.0.1 -> rf@v0.0.1 (already exists)\nerror: failed to push some refs", "rejected"),
        ("fatal: unable to access 'https://x/': Could not resolve host: x", "failed"),
    ],
)
def test_push_failures_are_classified(output: str, kind: str) -> None:
    from gto_lsp.core.registry.write import _classify

    assert _classify(output) == kind


def test_a_plan_made_before_another_writer_is_planned_again_under_the_lock(repo: Path) -> None:
    """Issue 12 item 13: write_plan re-plans from the registry read under its lock (`.git/gto-lsp-registry.lock`)."""
    head = git(repo, "rev-parse", "HEAD")
    stale = plan_register(read_registry(repo), "rf", head, version="v1.0.0")
    write_plan(repo, plan_register(read_registry(repo), "rf", head, version="v2.0.0"))  # another writer, first
    with pytest.raises(WriteError) as refused:
        write_plan(repo, stale, replan=lambda registry: plan_register(registry, "rf", head, version="v1.0.0"))
    assert refused.value.message == "'rf' is already registered in this commit with version 'v2.0.0'"
    write_plan(repo, plan_register(read_registry(repo), "nn", head, version="v0.0.1"))
    git(repo, "commit", "-q", "--allow-empty", "-m", "c2")
    second = git(repo, "rev-parse", "HEAD")
    bumped = plan_register(read_registry(repo), "nn", second, bump="patch")  # v0.0.2
    git(repo, "commit", "-q", "--allow-empty", "-m", "c3")
    write_plan(repo, plan_register(read_registry(repo), "nn", git(repo, "rev-parse", "HEAD"), version="v0.1.0"))
    with pytest.raises(WriteError) as changed:
        write_plan(repo, bumped, replan=lambda registry: plan_register(registry, "nn", second, bump="patch"))
    assert changed.value.message.startswith("The registry changed while this was planned")
    assert git(repo, "tag", "--points-at", second) == ""
    assert not (repo / ".git" / "gto-lsp-registry.lock").exists()  # released


def test_a_planted_registry_lock_is_refused(repo: Path) -> None:
    os.mkfifo(repo / ".git" / "gto-lsp-registry.lock")  # read, it would block for ever
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(WriteError) as refused:
        write_plan(repo, plan_register(read_registry(repo), "rf", head, version="v1.0.0"))
    assert "gto-lsp-registry.lock' is a FIFO" in refused.value.message
    assert "the registry is not written" in refused.value.message
    assert git(repo, "tag") == ""
