"""The registry commands of the CLI without real GTO (the differential tests compare them with it): GTO's
outputs, exit codes (1 for GTO's errors, 2 for usage), emojis, shortcuts of `show`, tables."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from gto_lsp.cli import main
from helpers.git import T0, git


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("GIT_COMMITTER_NAME", "GIT_AUTHOR_NAME"):
        monkeypatch.setenv(key, "Tess")
    for key in ("GIT_COMMITTER_EMAIL", "GIT_AUTHOR_EMAIL"):
        monkeypatch.setenv(key, "tess@example.com")
    monkeypatch.delenv("GTO_STAGES", raising=False)
    monkeypatch.setenv("GTO_EMOJIS", "false")
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    git(r, "commit", "-q", "--allow-empty", "-m", "c1", when=T0)
    monkeypatch.chdir(r)
    return r


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_register_assign_and_errors(repo: Path) -> None:
    assert run("register", "rf") == (
        0,
        "Created git tag 'rf@v0.0.1' that registers version\nTo push the changes upstream, run:\n"
        "    git push origin rf@v0.0.1\n",
        "",
    )
    assert run("register", "rf") == (1, "", "'rf' is already registered in this commit with version 'v0.0.1'\n")
    assert run("assign", "rf", "--stage", "prod") == (
        0,
        "Created git tag 'rf#prod#1' that assigns stage to version 'v0.0.1'\nTo push the changes upstream, run:\n"
        "    git push origin 'rf#prod#1'\n",
        "",
    )
    code, out, err = run("deprecate", "rf", "v0.0.1", "prod", "--delete")
    assert (code, out, err) == (
        0,
        "Deleted git tag 'rf#prod#1'\nTo push the changes upstream, run:\n    git push --delete origin 'rf#prod#1'\n",
        "",
    )


def test_emoji_and_unexpected_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTO_EMOJIS", "true")
    assert run("register", "rf", "nosuchref")[2].startswith("❌ Unknown Git revision 'nosuchref'")
    assert run("register", "Rf!")[2].startswith("❌ Invalid artifact name 'Rf!': only letters, numbers")


@pytest.mark.parametrize(
    "args",
    [["register", "rf", "--simple", "maybe"], ["assign", "rf"], ["deprecate"], ["register", "rf", "--bogus"]],
)
def test_usage_errors_exit_2(repo: Path, args: list[str]) -> None:
    assert run(*args)[0] == 2


def test_show_json_table_and_shortcuts(repo: Path) -> None:
    run("assign", "rf", "--stage", "prod")
    assert json.loads(run("show", "--json")[1]) == {
        "rf": {"version": "v0.0.1", "stage": {"prod": "v0.0.1"}, "registered": True, "active": True}
    }
    assert run("show")[1] == (
        "╒════════╤══════════╤═════════╕\n"
        "│ name   │ latest   │ #prod   │\n"
        "╞════════╪══════════╪═════════╡\n"
        "│ rf     │ v0.0.1   │ v0.0.1  │\n"
        "╘════════╧══════════╧═════════╛\n"
    )
    for shortcut in ("rf@latest", "rf#prod", "rf@v0.0.1"):
        assert [v["version"] for v in json.loads(run("show", shortcut, "--json")[1])] == ["v0.0.1"], shortcut
    assert json.loads(run("show", "rf@v9.9.9", "--json")[1]) == []
    assert run("show", "ghost") == (1, "", "Cannot find artifact 'ghost'\n")
    run("deprecate", "rf")
    assert run("show") == (0, "Nothing found in the current workspace\n", "")
    assert json.loads(run("show", "-d", "--json")[1])["rf"]["active"] is False


def test_show_says_when_gto_cannot_read(repo: Path) -> None:
    git(repo, "tag", "rf@created")
    code, out, err = run("register", "rf")
    assert code == 0 and out.startswith("Created git tag 'rf@v0.0.1'")
    code, out, err = run("show", "--json")
    assert code == 1 and json.loads(out)["rf"]["version"] == "v0.0.1"
    assert err.startswith("GTO cannot read this registry: every gto command fails with `Unexpected error: 'action'`")


def test_bare_repository_and_url(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(repo, "clone", "-q", "--bare", str(repo), str(bare))
    code, out, _ = run("register", "rf", "-r", str(bare))  # tagged in place, as GTO does
    assert code == 0 and out.endswith("    git push origin rf@v0.0.1\n")
    code, out, _ = run("assign", "rf", "--stage", "prod", "-r", bare.as_uri())  # cloned, tagged, pushed back
    assert (code, out) == (
        0,
        "Created git tag 'rf#prod#1' that assigns stage to version 'v0.0.1'\n"
        "Running `git push origin rf#prod#1`\nSuccessfully pushed git tag rf#prod#1 on remote.\n",
    )
    tags = git(bare, "tag").split()
    assert tags == ["rf#prod#1", "rf@v0.0.1"]
    assert json.loads(run("show", "--json", "-r", bare.as_uri())[1])["rf"]["stage"] == {"prod": "v0.0.1"}
    code, _, err = run("register", "rf", "-r", (tmp_path / "nowhere.git").as_uri())
    assert code == 1 and err.startswith("Unexpected error: Failed to clone repo")


def test_show_says_when_a_committed_artifacts_yaml_breaks_gto(repo: Path) -> None:
    """GTO reads the artifacts.yaml of HEAD and of every commit holding a version: one it cannot read fails all."""
    (repo / "artifacts.yaml").write_text("rf: [\n")
    git(repo, "add", "artifacts.yaml")
    git(repo, "commit", "-q", "-m", "broken")
    assert run("register", "rf")[0] == 0  # the tag itself is fine
    (repo / "artifacts.yaml").write_text("rf:\n  type: model\n")
    git(repo, "commit", "-q", "-am", "fixed")
    code, out, err = run("show", "--json")
    assert code == 1 and json.loads(out)["rf"]["version"] == "v0.0.1"
    assert "`artifacts.yaml file doesn't conform to GTO format`" in err


# --- issue 12 item 13: concurrent registry writes ----------------------------------------------------------------

WRITERS = 8
ROUNDS = 5


def test_concurrent_registers_leave_one_version_per_commit(repo: Path) -> None:
    """8 real processes `register rf HEAD --version vN` at once, 5 times: one wins, the others get GTO's refusal
    (before: several versions on one commit in 9 of 10 tries, a registry GTO then refuses to read)."""
    import sys

    for round_ in range(ROUNDS):
        if round_:
            git(repo, "commit", "-q", "--allow-empty", "-m", f"c{round_ + 1}")
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "gto_lsp", "register", "rf", "HEAD", "--version", f"v{round_}.{n}.0"],
                cwd=repo,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(WRITERS)
        ]
        results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
        for p in procs:
            p.stdout.close()  # type: ignore[union-attr]
            p.stderr.close()  # type: ignore[union-attr]
        at_head = git(repo, "tag", "--points-at", "HEAD").split()
        assert len(at_head) == 1, (round_, at_head)
        won = [r for r in results if r[0] == 0]
        lost = [r for r in results if r[0] != 0]
        assert len(won) == 1, results
        for code, _, err in lost:
            assert code == 1 and "'rf' is already registered in this commit with version" in err, err
        assert "Traceback" not in "".join(r[2] for r in results)
