"""gto_lsp.core.repo (run, reader, commit) against real repositories made with the git binary."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gto_lsp.core.registry import read as registry_read
from gto_lsp.core.registry.read import TagReader
from gto_lsp.core.registry.replay import registry_artifacts
from gto_lsp.core.registry.state import VersionInfo
from gto_lsp.core.registry.tags import semver_key
from gto_lsp.core.repo import reader
from gto_lsp.core.repo.commit import annotate_message, commit_file, remove_message
from gto_lsp.core.repo.reader import RepoFacts
from gto_lsp.core.repo.run import CommitRefused, DetachedHead, HookFailed, NotARepository, find_root
from helpers.git import T0, git, isolate, make_repo


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer or system git config, and no repository above tmp_path."""
    isolate(monkeypatch, tmp_path / "home")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def commit_all(repo: Path, message: str, when: int | None = None) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "repo")
    write(r / "README.md", "readme\n")
    write(r / "models" / "committed.pkl", "model\n")
    write(r / "artifacts.yaml", "rf:\n  type: model\n")
    commit_all(r, "initial", when=T0)
    return r


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def needs_posix_hooks() -> None:
    if sys.platform == "win32":
        pytest.skip("shell-script hooks")


def add_hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


# --- find_root -----------------------------------------------------------------


def test_find_root_from_subfolder_file_and_new_path(repo: Path) -> None:
    top = repo.resolve()
    assert find_root(repo) == top
    assert find_root(repo / "models") == top
    assert find_root(repo / "models" / "committed.pkl") == top
    assert find_root(str(repo / "models" / "not-yet" / "x.pkl")) == top


def test_find_root_outside_any_repo(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotARepository) as err:
        find_root(plain)
    assert err.value.message == f"No Git repo found in '{plain}'"
    assert str(err.value) == err.value.message


def test_bare_repo_and_git_dir_are_not_work_trees(tmp_path: Path, repo: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    with pytest.raises(NotARepository):
        find_root(bare)
    with pytest.raises(NotARepository):
        find_root(repo / ".git")
    with pytest.raises(NotARepository):
        find_root(repo / ".git" / "refs")
    with pytest.raises(NotARepository):
        RepoFacts(tmp_path / "plain-missing")
    with pytest.raises(NotARepository):
        RepoFacts(bare)


# --- RepoFacts: HEAD, in_head, file lists --------------------------------------


def test_in_head_path_forms(repo: Path) -> None:
    write(repo / "untracked.pkl", "x\n")
    write(repo / "staged.pkl", "x\n")
    git(repo, "add", "staged.pkl")
    write(repo / "gone.pkl", "x\n")
    git(repo, "add", "gone.pkl")
    git(repo, "commit", "-q", "-m", "gone", "--", "gone.pkl")  # staged.pkl stays staged only
    (repo / "gone.pkl").unlink()

    facts = RepoFacts(repo)
    assert facts.in_head("models/committed.pkl")
    assert facts.in_head("./models/committed.pkl")
    assert facts.in_head("models")
    assert facts.in_head("models/")
    assert facts.in_head("./models/")
    assert facts.in_head("artifacts.yaml")
    assert facts.in_head("gone.pkl")  # committed, then deleted on disk: GTO accepts it
    assert not facts.in_head("untracked.pkl")
    assert not facts.in_head("staged.pkl")
    assert not facts.in_head("models/missing.pkl")
    assert not facts.in_head("../repo/README.md")
    assert not facts.in_head("models/../../x")
    assert not facts.in_head(str(repo / "README.md"))
    assert not facts.in_head("/README.md")
    assert not facts.in_head("C:/README.md")
    assert not facts.in_head("")
    assert facts.in_head(".")  # GTO 1.10.1 accepts `-e --path .` in a repository with a commit


def test_in_head_without_commits(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "empty")
    write(r / "m.pkl", "x\n")
    git(r, "add", "m.pkl")
    facts = RepoFacts(r)
    assert facts.head_sha() is None
    assert facts.branch() == "main"
    assert not facts.in_head("m.pkl")
    assert facts.file_at_head("m.pkl") is None


def test_in_head_builds_the_tree_once_per_head(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    real_run = reader.run_git  # type: ignore[attr-defined]  # the name as the reader sees it

    def counting_run(g: object, *args: str, **kw: object) -> object:
        calls.append(args)
        return real_run(g, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "run_git", counting_run)
    facts = RepoFacts(repo)
    for _ in range(3000):
        assert facts.in_head("models/committed.pkl")
        assert not facts.in_head("new.pkl")
    assert [a[0] for a in calls] == ["ls-tree"]  # HEAD is read from the ref files, not by git

    write(repo / "new.pkl", "x\n")
    commit_all(repo, "add new")
    assert facts.in_head("new.pkl")
    assert [a[0] for a in calls] == ["ls-tree", "ls-tree"]


def test_head_sha_with_packed_refs_and_worktree(tmp_path: Path, repo: Path) -> None:
    git(repo, "pack-refs", "--all")
    assert RepoFacts(repo).head_sha() == head(repo)
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(wt))
    write(wt / "feature.pkl", "f\n")
    commit_all(wt, "feature")
    facts = RepoFacts(wt)
    assert facts.head_sha() == head(wt) != head(repo)
    assert facts.branch() == "feature"
    assert facts.in_head("feature.pkl")
    assert not RepoFacts(repo).in_head("feature.pkl")


def test_branch_and_detached_head(repo: Path) -> None:
    facts = RepoFacts(repo)
    assert facts.branch() == "main"
    assert facts.head_sha() == head(repo)
    git(repo, "checkout", "-q", "--detach")
    assert facts.branch() is None
    assert facts.head_sha() == head(repo)


def test_tracked_and_untracked_files(repo: Path) -> None:
    write(repo / ".gitignore", "*.log\nbuild/\n")
    write(repo / "debug.log", "x\n")
    write(repo / "build" / "out.bin", "x\n")
    write(repo / "notes" / "todo.txt", "x\n")
    write(repo / "staged.txt", "x\n")
    git(repo, "add", "staged.txt")
    (repo / "README.md").unlink()  # still in the index

    facts = RepoFacts(repo)
    assert facts.tracked_files() == ["README.md", "artifacts.yaml", "models/committed.pkl", "staged.txt"]
    assert facts.untracked_files() == [".gitignore", "notes/todo.txt"]
    with pytest.raises(NotARepository):
        RepoFacts(repo / "models")  # wants the root; find_root() gives it


def test_file_at_head(repo: Path) -> None:
    write(repo / "artifacts.yaml", "changed on disk\n")
    facts = RepoFacts(repo)
    assert facts.file_at_head("artifacts.yaml") == "rf:\n  type: model\n"
    assert facts.file_at_head("./artifacts.yaml") == "rf:\n  type: model\n"
    assert facts.file_at_head("missing.yaml") is None
    assert facts.file_at_head("models") is None
    assert facts.file_at_head("../x") is None


# --- TagReader.state --------------------------------------------------------------


def tag(repo: Path, name: str, target: str, message: str, when: int) -> None:
    git(repo, "tag", "-a", name, "-m", message, target, when=when)


@pytest.fixture
def registry_repo(tmp_path: Path) -> tuple[Path, str, str, str]:
    """The `gto` session of spec §5.4, replayed as the tags it made, one minute apart."""
    r = make_repo(tmp_path / "reg")
    write(r / "m.txt", "1\n")
    c1 = commit_all(r, "c1", when=T0)
    write(r / "m.txt", "2\n")
    c2 = commit_all(r, "c2", when=T0 + 10)
    t = T0 + 60
    steps = [
        ("rf@v0.0.1", c1, "Registering artifact rf version v0.0.1"),
        ("rf@v0.1.0", c2, "Registering artifact rf version v0.1.0"),
        ("rf#prod#1", c2, "Assigning stage prod to artifact rf version v0.1.0"),
        ("rf#dev#2", c1, "Assigning stage dev to artifact rf version v0.0.1"),
        ("rf#staging#3", c2, "Assigning stage staging to artifact rf version v0.1.0"),
        ("nlp/bert@v0.0.1", c2, "Registering artifact nlp/bert version v0.0.1"),
        ("sub/dir=nn@v0.0.1", c2, "Registering artifact sub/dir:nn version v0.0.1"),
        ("sub/dir=nn#prod#1", c2, "Assigning stage prod to artifact sub/dir:nn version v0.0.1"),
    ]
    for i, (name, target, msg) in enumerate(steps):
        tag(r, name, target, msg, t + 60 * i)
    write(r / "m.txt", "3\n")
    c3 = commit_all(r, "c3", when=t + 600)
    t = T0 + 1000
    steps = [
        ("rf@v1.0.0", c3, "Registering artifact rf version v1.0.0"),
        ("rf#prod#4", c3, "Assigning stage prod to artifact rf version v1.0.0"),
        ("rf#dev!#5", c1, "Unassigning stage 'dev' to artifact 'rf' version 'v0.0.1'"),
        ("nlp/bert@deprecated", c3, "Deprecating artifact 'nlp/bert'"),
        ("rf@v0.0.1!", c1, "Deregistering artifact rf version v0.0.1"),
    ]
    for i, (name, target, msg) in enumerate(steps):
        tag(r, name, target, msg, t + 60 * i)
    # Not GTO events: a lightweight tag, and annotated tags that tag_re rejects.
    git(r, "tag", "rf@v9.9.9", c3)
    tag(r, "release-1", c3, "release", T0 + 5000)
    tag(r, "rf@latest", c3, "not a version", T0 + 5001)
    tag(r, "rf@v1.2", c3, "not SemVer", T0 + 5002)
    tag(r, "rf@created", c3, "GTO makes no event of it", T0 + 5003)
    return r, c1, c2, c3


def test_registry_state_matches_gto_show(registry_repo: tuple[Path, str, str, str]) -> None:
    r, c1, c2, c3 = registry_repo
    state = TagReader(RepoFacts(r)).state()
    assert sorted(state) == ["nlp/bert", "rf", "sub/dir:nn"]

    rf = state["rf"]
    assert rf.latest == "v1.0.0"
    assert rf.stages == {"prod": "v1.0.0", "staging": "v0.1.0"}
    assert not rf.deprecated
    assert rf.versions == (
        VersionInfo("v1.0.0", c3, True, float(T0 + 1000), ("prod",)),
        # prod still points at v0.1.0 too (GTO keeps it); `gto show` names the newest, v1.0.0
        VersionInfo("v0.1.0", c2, True, float(T0 + 120), ("prod", "staging")),
        VersionInfo("v0.0.1", c1, False, float(T0 + 60), ()),
    )

    bert = state["nlp/bert"]
    assert bert.deprecated
    assert bert.latest == "v0.0.1"
    assert bert.stages == {}

    nn = state["sub/dir:nn"]
    assert nn.name == "sub/dir:nn"
    assert nn.latest == "v0.0.1"
    assert nn.stages == {"prod": "v0.0.1"}
    assert not nn.deprecated
    assert [v.version for v in nn.versions] == ["v0.0.1"]


def test_registry_state_is_cached_until_tags_change(
    registry_repo: tuple[Path, str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    r, _, _, c3 = registry_repo
    parses: list[int] = []
    real_parse = registry_artifacts

    def counting_parse(refs: bytes, *head: object) -> object:
        parses.append(1)
        return real_parse(refs, *head)  # type: ignore[arg-type]

    monkeypatch.setattr(registry_read, "registry_artifacts", counting_parse)
    facts = TagReader(RepoFacts(r))
    first = facts.state()
    assert facts.state() == first
    assert len(parses) == 1

    tag(r, "rf@v2.0.0-rc.1", c3, "Registering artifact rf version v2.0.0-rc.1", T0 + 9000)
    again = facts.state()
    assert len(parses) == 2
    assert again["rf"].latest == "v2.0.0-rc.1"
    assert [v.version for v in again["rf"].versions] == ["v2.0.0-rc.1", "v1.0.0", "v0.1.0", "v0.0.1"]


def test_registry_ties_and_unversioned_stage(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "ties")
    write(r / "m.txt", "1\n")
    c1 = commit_all(r, "c1", when=T0)
    # Same second: the counter orders them ('rf#prod!#2' sorts before 'rf#prod#1' by name).
    tag(r, "rf@v0.0.1", c1, "reg", T0)
    tag(r, "rf#prod#1", c1, "assign", T0 + 1)
    tag(r, "rf#prod!#2", c1, "unassign", T0 + 1)
    # A hand-made simple stage tag on a commit with no version: GTO names the version by sha.
    write(r / "m.txt", "2\n")
    c2 = commit_all(r, "c2", when=T0 + 5)
    tag(r, "model#qa", c2, "hand-made", T0 + 10)
    state = TagReader(RepoFacts(r)).state()
    assert state["rf"].stages == {}
    assert state["rf"].latest == "v0.0.1"
    model = state["model"]
    assert model.latest is None
    assert model.stages == {"qa": c2}
    assert model.versions == (VersionInfo(c2, c2, True, float(T0 + 10), ("qa",), registered=False),)


def test_semver_precedence() -> None:
    versions = ["v1.0.0", "v1.0.0-rc.1", "v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta", "v0.10.0"]
    versions += ["v0.9.0", "v1.0.0-beta.11", "v1.0.0-beta.2", "v1.0.0-beta", "v2.0.0+build.5"]
    ordered = sorted(versions, key=lambda v: semver_key(v) or ())
    assert ordered == [
        "v0.9.0",
        "v0.10.0",
        "v1.0.0-alpha",
        "v1.0.0-alpha.1",
        "v1.0.0-alpha.beta",
        "v1.0.0-beta",
        "v1.0.0-beta.2",
        "v1.0.0-beta.11",
        "v1.0.0-rc.1",
        "v1.0.0",
        "v2.0.0+build.5",
    ]
    assert semver_key("1.0.0") is None
    assert semver_key("v01.0.0") is None


# --- commit_file ---------------------------------------------------------------


def dirty_around(repo: Path) -> None:
    """One of each: unstaged edit, staged new file, staged edit, untracked file."""
    write(repo / "README.md", "readme edited, not staged\n")
    write(repo / "staged.txt", "staged\n")
    git(repo, "add", "staged.txt")
    write(repo / "models" / "committed.pkl", "model v2 staged\n")
    git(repo, "add", "models/committed.pkl")
    write(repo / "models" / "committed.pkl", "model v3 on disk\n")
    write(repo / "untracked.txt", "untracked\n")


def snapshot(repo: Path) -> tuple[str, str, str]:
    """Status and both diffs, artifacts.yaml left out."""
    other = [".", ":(exclude)artifacts.yaml"]
    status = "".join(ln + "\n" for ln in git(repo, "status", "--porcelain").splitlines() if "artifacts.yaml" not in ln)
    return status, git(repo, "diff", "--", *other), git(repo, "diff", "--cached", "--", *other)


@pytest.mark.parametrize("state", ["modified", "untracked"])
def test_commit_file_commits_only_that_file(repo: Path, state: str) -> None:
    if state == "untracked":
        git(repo, "rm", "-q", "artifacts.yaml")
        commit_all(repo, "drop artifacts.yaml")
    dirty_around(repo)
    write(repo / "artifacts.yaml", "rf:\n  type: model\n  path: m.pkl\n")
    before = snapshot(repo)
    old_head = head(repo)
    message = annotate_message("rf", "model", "m.pkl")

    result = commit_file(repo, "artifacts.yaml", message)

    assert result.sha == head(repo) != old_head
    assert git(repo, "rev-parse", "HEAD~1").strip() == old_head
    assert result.message == message == "Annotate artifact `rf` of type `model` with path `m.pkl`"
    assert git(repo, "log", "-1", "--format=%B").strip() == message
    assert git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split() == ["artifacts.yaml"]
    assert git(repo, "show", "HEAD:artifacts.yaml") == "rf:\n  type: model\n  path: m.pkl\n"
    assert (result.pushed, result.push_error) == (False, None)
    assert snapshot(repo) == before
    assert before[0] == " M README.md\nMM models/committed.pkl\nA  staged.txt\n?? untracked.txt\n"
    assert "artifacts.yaml" not in git(repo, "status", "--porcelain")
    assert git(repo, "show", ":staged.txt") == "staged\n"
    assert git(repo, "show", ":models/committed.pkl") == "model v2 staged\n"


def test_commit_file_partially_staged_commits_working_tree(repo: Path) -> None:
    write(repo / "artifacts.yaml", "staged: {}\n")
    git(repo, "add", "artifacts.yaml")
    write(repo / "artifacts.yaml", "on disk: {}\n")
    commit_file(repo, "./artifacts.yaml", remove_message("rf"))
    assert git(repo, "show", "HEAD:artifacts.yaml") == "on disk: {}\n"
    assert git(repo, "status", "--porcelain") == ""


def test_commit_file_from_a_subfolder_root(repo: Path) -> None:
    write(repo / "models" / "artifacts.yaml", "a: {}\n")
    result = commit_file(repo / "models", "artifacts.yaml", "sub")
    assert git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split() == ["models/artifacts.yaml"]
    assert result.message == "sub"


def test_commit_file_name_is_not_a_glob(repo: Path) -> None:
    write(repo / "a1.yaml", "one\n")
    write(repo / "a[1].yaml", "bracket\n")
    commit_file(repo, "a[1].yaml", "literal")
    assert git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split() == ["a[1].yaml"]
    assert "?? a1.yaml" in git(repo, "status", "--porcelain")


@pytest.mark.parametrize("state", ["untracked", "partially-staged"])
def test_failing_pre_commit_hook(repo: Path, state: str) -> None:
    needs_posix_hooks()
    dirty_around(repo)
    if state == "untracked":
        git(repo, "rm", "-q", "--cached", "artifacts.yaml")
        write(repo / "artifacts.yaml", "new: {}\n")
    else:
        write(repo / "artifacts.yaml", "staged: {}\n")
        git(repo, "add", "artifacts.yaml")
        write(repo / "artifacts.yaml", "on disk: {}\n")
    add_hook(repo, "pre-commit", 'echo "lint: artifacts.yaml is bad" >&2\nexit 1\n')
    old_head = head(repo)
    before_status = git(repo, "status", "--porcelain")
    before_diffs = git(repo, "diff"), git(repo, "diff", "--cached")

    with pytest.raises(HookFailed) as err:
        commit_file(repo, "artifacts.yaml", "msg")

    assert "lint: artifacts.yaml is bad" in err.value.output
    assert "lint: artifacts.yaml is bad" in err.value.message
    assert "nothing was committed" in err.value.message
    assert head(repo) == old_head
    assert git(repo, "status", "--porcelain") == before_status
    assert (git(repo, "diff"), git(repo, "diff", "--cached")) == before_diffs


def test_commit_msg_hook_failure_and_rewrite(repo: Path) -> None:
    needs_posix_hooks()
    write(repo / "artifacts.yaml", "x: {}\n")
    add_hook(repo, "commit-msg", 'echo "needs a ticket" >&2\nexit 1\n')
    with pytest.raises(HookFailed, match="needs a ticket"):
        commit_file(repo, "artifacts.yaml", "msg")
    add_hook(repo, "commit-msg", 'printf "\\nTicket: 42\\n" >> "$1"\n')
    result = commit_file(repo, "artifacts.yaml", "msg")
    assert result.message == "msg\n\nTicket: 42"


def test_commit_file_refusals(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(CommitRefused, match="unchanged"):
        commit_file(repo, "artifacts.yaml", "msg")
    with pytest.raises(CommitRefused, match="does not exist"):
        commit_file(repo, "nope.yaml", "msg")
    with pytest.raises(CommitRefused, match="folder"):
        commit_file(repo, "models", "msg")
    with pytest.raises(CommitRefused, match="not a path inside"):
        commit_file(repo, "../outside.yaml", "msg")
    write(repo / ".gitignore", "ignored.yaml\n")
    write(repo / "ignored.yaml", "x\n")
    with pytest.raises(CommitRefused, match="ignored"):
        commit_file(repo, "ignored.yaml", "msg")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotARepository):
        commit_file(plain, "artifacts.yaml", "msg")
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_git_refusals_are_not_blamed_on_hooks(repo: Path) -> None:
    needs_posix_hooks()
    add_hook(repo, "pre-commit", "exit 0\n")
    git(repo, "checkout", "-q", "-b", "other")
    write(repo / "README.md", "other\n")
    commit_all(repo, "other")
    git(repo, "checkout", "-q", "main")
    write(repo / "README.md", "main\n")
    commit_all(repo, "main")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True, text=True)
    assert merge.returncode != 0  # conflict: a merge is in progress
    write(repo / "artifacts.yaml", "x: {}\n")
    with pytest.raises(CommitRefused, match="partial commit during a merge"):
        commit_file(repo, "artifacts.yaml", "msg")


def test_index_lock_is_waited_for_then_reported(repo: Path) -> None:
    write(repo / "artifacts.yaml", "x: {}\n")
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    with pytest.raises(CommitRefused, match=r"index\.lock"):
        commit_file(repo, "artifacts.yaml", "msg")
    lock.unlink()
    timer = threading.Timer(0.3, lock.unlink)
    lock.write_text("")
    timer.start()
    try:
        result = commit_file(repo, "artifacts.yaml", "msg")
    finally:
        timer.join()
    assert result.sha == head(repo)


def test_commit_file_detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")
    write(repo / "artifacts.yaml", "x: {}\n")
    with pytest.raises(DetachedHead, match="detached") as err:
        commit_file(repo, "artifacts.yaml", "msg")
    assert "check out a branch" in err.value.message.lower()


def test_commit_file_first_commit_is_allowed(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "fresh")
    write(r / "staged.txt", "s\n")
    git(r, "add", "staged.txt")
    write(r / "artifacts.yaml", "rf: {}\n")
    result = commit_file(r, "artifacts.yaml", annotate_message("rf", None, None))
    assert result.message == "Annotate artifact `rf`"
    assert git(r, "ls-tree", "-r", "--name-only", "HEAD").split() == ["artifacts.yaml"]
    assert git(r, "status", "--porcelain") == "A  staged.txt\n"


def test_commit_file_unknown_identity(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")
    write(repo / "artifacts.yaml", "x: {}\n")
    with pytest.raises(CommitRefused, match=r"user\.email"):
        commit_file(repo, "artifacts.yaml", "msg")


# --- push ----------------------------------------------------------------------


def test_push_to_upstream(tmp_path: Path, repo: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "-u", "origin", "main")
    write(repo / "artifacts.yaml", "pushed: {}\n")
    result = commit_file(repo, "artifacts.yaml", "push me", push=True)
    assert (result.pushed, result.push_error) == (True, None)
    assert git(bare, "rev-parse", "main").strip() == result.sha


def test_push_without_remote_keeps_commit(repo: Path) -> None:
    write(repo / "artifacts.yaml", "x: {}\n")
    result = commit_file(repo, "artifacts.yaml", "msg", push=True)
    assert result.sha == head(repo)
    assert not result.pushed
    assert result.push_error is not None
    assert result.push_error.startswith(f"Committed {result.sha[:7]}, but could not push: ")
    assert "no remote" in result.push_error
    assert "git push -u origin main" in result.push_error


def test_push_without_upstream_keeps_commit(tmp_path: Path, repo: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    write(repo / "artifacts.yaml", "x: {}\n")
    result = commit_file(repo, "artifacts.yaml", "msg", push=True)
    assert result.sha == head(repo)
    assert result.push_error == (
        f"Committed {result.sha[:7]}, but could not push: the branch 'main' has no upstream. "
        "Run `git push -u origin main` once."
    )


def test_push_failure_keeps_commit(tmp_path: Path, repo: Path) -> None:
    git(repo, "remote", "add", "origin", str(tmp_path / "missing.git"))
    git(repo, "config", "branch.main.remote", "origin")
    git(repo, "config", "branch.main.merge", "refs/heads/main")
    write(repo / "artifacts.yaml", "x: {}\n")
    result = commit_file(repo, "artifacts.yaml", "msg", push=True, push_timeout=30)
    assert result.sha == head(repo)
    assert not result.pushed
    assert result.push_error is not None
    assert "could not push to 'origin'" in result.push_error
    assert "does not appear to be a git repository" in result.push_error
    assert "The commit is kept" in result.push_error


def test_push_is_time_limited(tmp_path: Path, repo: Path) -> None:
    needs_posix_hooks()
    hang = tmp_path / "hang-ssh"
    hang.write_text("#!/bin/sh\nexec sleep 120\n")
    hang.chmod(0o755)
    git(repo, "config", "core.sshCommand", str(hang))
    git(repo, "remote", "add", "origin", "ssh://git.invalid/repo.git")
    git(repo, "config", "branch.main.remote", "origin")
    git(repo, "config", "branch.main.merge", "refs/heads/main")
    write(repo / "artifacts.yaml", "x: {}\n")
    started = time.monotonic()
    result = commit_file(repo, "artifacts.yaml", "msg", push=True, push_timeout=1)
    assert time.monotonic() - started < 30  # a hang bound: without the timeout, the push waits 120 s
    assert result.sha == head(repo)
    assert not result.pushed
    assert result.push_error is not None and "Timeout" in result.push_error


# --- messages ------------------------------------------------------------------


def test_messages() -> None:
    assert annotate_message("rf", "model", "m.pkl") == "Annotate artifact `rf` of type `model` with path `m.pkl`"
    assert annotate_message("rf", None, None) == "Annotate artifact `rf`"
    assert annotate_message("rf", "model", None) == "Annotate artifact `rf` of type `model`"
    assert annotate_message("rf", None, "m.pkl") == "Annotate artifact `rf` with path `m.pkl`"
    assert remove_message("rf") == "Remove annotation for artifact `rf`"


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 need a Linux file system")
def test_listings_are_sorted_and_unique_with_names_that_are_not_utf8(repo: Path) -> None:
    # git sorts by bytes; a name that is not UTF-8 decodes to lone surrogates, which Python orders elsewhere
    # b"a\xef\xbc\x81" (U+FF01) comes before b"a\xff" in git's order and after its "a\udcff" in Python's
    names = [
        b"a\xff.bin",
        b"a\xef\xbc\x81.bin",
        b"a\xc3\xa9.bin",
        b"a\xe4\xb8\x80.bin",
        b"ab.bin",
        b"a\xed\xa0\x80x.bin",
        b"a~.bin",
    ]
    for name in names:
        with open(bytes(repo) + b"/" + name, "wb") as handle:
            handle.write(b"x\n")
    facts = RepoFacts(repo)
    untracked = facts.untracked_files()
    assert untracked == sorted(set(untracked)) and len(untracked) == len(names)
    git(repo, "add", "-A")
    # a conflicted path is listed once per stage by ls-files: three stages, one path
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=b"x\n", capture_output=True)
    sha = blob.stdout.decode().strip()
    stages = "".join(f"100644 {sha} {stage}\tconflicted.txt\n" for stage in (1, 2, 3))
    subprocess.run(["git", "update-index", "--index-info"], cwd=repo, input=stages.encode(), check=True)
    tracked = facts.tracked_files()
    assert tracked == sorted(set(tracked))
    assert tracked.count("conflicted.txt") == 1 and set(untracked) <= set(tracked)
