"""`gto-lsp show`'s options without real GTO (tests/compat/test_registry_show_differential.py compares every one
with it): one-field outputs, --plain, --ro, --av, --vs, --sort, shortcuts, the full `show NAME --json`, GTO's
refusals, and `deprecate --ref`'s order of checks. Real repositories, tags by `git tag -a` at fixed dates."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli.test_cli_registry import repo, run
from helpers.git import T0, git

__all__ = ["repo"]  # the fixture (a repository with one empty commit, GTO_EMOJIS=false, as the cwd)


def commit(repo: Path, message: str, seconds: int, files: dict[str, str] | None = None) -> str:
    for name, text in (files or {"m.txt": message}).items():
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=T0 + seconds)
    return git(repo, "rev-parse", "HEAD").strip()


def tag(repo: Path, name: str, target: str, seconds: int, zone: str = "+0000", message: str = "by hand") -> None:
    """`git tag -a` dated T0 + seconds in time zone `zone`."""
    env = dict(os.environ, GIT_COMMITTER_DATE=f"{T0 + seconds} {zone}")
    git(repo, "tag", "-a", name, "-m", message, target, env=env)


@pytest.fixture
def two(repo: Path) -> tuple[Path, str, str]:
    """rf: v1.0.0 (dev, prod, qa in that order of time) on c1, v2.0.0 (dev) on c2; nn: v0.1.0 on c1."""
    c1 = commit(repo, "c1", 10)
    tag(repo, "rf@v1.0.0", c1, 100)
    tag(repo, "rf#dev#1", c1, 110)
    tag(repo, "rf#prod#2", c1, 120)
    tag(repo, "rf#qa#3", c1, 130)
    tag(repo, "nn@v0.1.0", c1, 100)
    c2 = commit(repo, "c2", 20)
    tag(repo, "rf@v2.0.0", c2, 140)
    tag(repo, "rf#dev#4", c2, 150)
    return repo, c1, c2


def test_one_field_outputs(two: tuple[Path, str, str]) -> None:
    assert run("show", "--name") == (0, "nn\nrf\n", "")
    assert run("show", "--version") == (1, "", "Cannot apply --version\n")
    assert run("show", "rf", "--version") == (0, "v2.0.0\nv1.0.0\n", "")
    assert run("show", "rf", "--ref") == (0, "rf@v2.0.0\nrf@v1.0.0\n", "")
    assert run("show", "rf", "--stage") == (0, "dev\nqa, prod\n", "")  # newest first
    assert run("show", "rf", "--name") == (1, "", "Cannot apply --name\n")
    assert run("show", "ghost", "--name") == (1, "", "Cannot find artifact 'ghost'\n")


def test_only_one_output_format(two: tuple[Path, str, str]) -> None:
    assert run("show", "--json", "--plain") == (1, "", "Unexpected error: Only one output format allowed\n")
    assert run("show", "rf", "--ref", "--version")[0] == 1


def test_plain_table(two: tuple[Path, str, str]) -> None:
    code, out, _ = run("show", "--plain")
    assert code == 0
    assert out.splitlines()[0].split() == ["name", "latest", "#dev", "#prod", "#qa"]
    assert out.splitlines()[2].split() == ["rf", "v2.0.0", "v2.0.0", "v1.0.0", "v1.0.0"]
    assert "│" not in out


def test_versions_per_stage_assignments_per_version_and_sort(two: tuple[Path, str, str]) -> None:
    state = json.loads(run("show", "--vs", "-1", "--json")[1])
    assert state["rf"]["stage"]["dev"] == "v2.0.0, v1.0.0"
    state = json.loads(run("show", "--av", "1", "--json")[1])
    assert state["rf"]["stage"] == {"dev": "v2.0.0", "prod": None, "qa": None}  # v1.0.0's oldest stage is dev
    state = json.loads(run("show", "--vs", "0", "--json")[1])
    assert state["rf"]["stage"]["dev"] is None
    state = json.loads(run("show", "--sort", "semver", "--vs", "-1", "--json")[1])
    assert state["rf"]["stage"]["dev"] == "v2.0.0, v1.0.0"
    assert run("show", "--av", "-2") == (1, "", "'assignments_per_version' must be >= -1\n")
    assert run("show", "rf", "--vs", "-2") == (1, "", "'versions_per_stage' must be >=-1\n")
    assert run("show", "--sort", "newest")[0] == 2


def test_registered_only(repo: Path) -> None:
    c1 = commit(repo, "c1", 10)
    tag(repo, "rf@v1.0.0", c1, 100)
    c2 = commit(repo, "c2", 20)
    tag(repo, "rf#prod#1", c2, 110)  # a stage-only commit
    assert json.loads(run("show", "--json")[1])["rf"]["stage"] == {"prod": c2}
    assert json.loads(run("show", "--ro", "--json")[1])["rf"]["stage"] == {"prod": None}
    # GTO still lists the stage-only commit (twice: its look-up made an empty version too), without its stage
    versions = json.loads(run("show", "rf", "--ro", "--json")[1])
    assert [(v["version"], v["stages"]) for v in versions] == [("v1.0.0", []), (c2, []), (c2, [])]


def test_shortcuts(two: tuple[Path, str, str]) -> None:
    def versions(name: str) -> list[str]:
        return [v["version"] for v in json.loads(run("show", name, "--json")[1])]

    assert versions("rf@latest") == versions("rf@greatest") == ["v2.0.0"]
    assert versions("rf@v1.0.0") == ["v1.0.0"]
    assert versions("rf#prod") == ["v1.0.0"]
    assert versions("rf#dev") == ["v2.0.0"]


def test_dirname_shortcut(repo: Path) -> None:
    c1 = commit(repo, "c1", 10)
    tag(repo, "dir=name@v0.0.1", c1, 100)
    tag(repo, "dir=name#prod#1", c1, 110)
    assert run("show", "dir:name#prod", "--version") == (0, "v0.0.1\n", "")


def test_version_json_has_gto_keys_and_time_zones(repo: Path) -> None:
    c1 = commit(repo, "first\n\nbody", 10, {"artifacts.yaml": "rf:\n  type: model\n  path: m.pkl\n"})
    tag(repo, "rf@v1.0.0", c1, 100, "+0100", "Registering  \n")
    tag(repo, "rf#prod#1", c1, 110, "-0230")
    [version] = json.loads(run("show", "rf", "--json")[1])
    assert list(version) == [
        "artifact",
        "commit_hexsha",
        "version",
        "enrichments",
        "registrations",
        "deregistrations",
        "stages",
        "is_active",
        "activated_at",
        "created_at",
        "author",
        "author_email",
        "message",
        "ref",
        "discovered",
    ]
    assert version["created_at"] == "2023-11-14T23:15:00+01:00"
    assert version["message"] == "Registering"
    assert version["author"] == "Tess" and version["ref"] == "rf@v1.0.0" and version["discovered"] is False
    [enrichment] = version["enrichments"]
    assert enrichment["message"] == "first\n\nbody\n" and enrichment["committer_email"] == "tess@example.com"
    assert enrichment["enrichments"] == [
        {
            "source": "gto",
            "artifact": {
                "type": "model",
                "path": "m.pkl",
                "virtual": True,
                "labels": [],
                "description": "",
                "custom": None,
            },
        }
    ]
    [stage] = version["stages"]
    assert stage["stage"] == "prod" and stage["activated_at"] == "2023-11-14T19:45:10-02:30"
    assert stage["assignments"][0]["event"] == "assignment" and stage["assignments"][0]["priority"] == 5


def test_created_at_without_registration_is_the_commit_time(repo: Path) -> None:
    c1 = commit(repo, "c1", 10)
    tag(repo, "rf@v1.0.0!", c1, 100)  # a deregistration alone
    c2 = commit(repo, "c2", 20)
    tag(repo, "rf@v2.0.0", c2, 110)
    versions = json.loads(run("show", "rf", "-d", "--json")[1])
    assert {v["version"]: v["created_at"] for v in versions}["v1.0.0"] == "2023-11-14T22:13:30+00:00"


def test_two_registrations_refuse_the_table(repo: Path) -> None:
    c1 = commit(repo, "c1", 10)
    tag(repo, "rf@v1.0.0", c1, 100)
    tag(repo, "rf@v1.0.0#3", c1, 110)
    refusal = "Multiple registrations are not supported currently. How you got in here?\n"
    assert run("show", "rf") == (1, "", refusal)
    assert run("show", "rf", "--ref") == (1, "", refusal)
    assert len(json.loads(run("show", "rf", "--json")[1])[0]["registrations"]) == 2


def test_deprecated_artifact(two: tuple[Path, str, str]) -> None:
    repo, c1, _ = two
    tag(repo, "nn@deprecated", c1, 200)
    assert run("show", "nn") == (0, "Nothing found in the current workspace\n", "")
    assert run("show", "nn", "--json") == (0, "[]\n", "")
    [version] = json.loads(run("show", "nn", "-d", "--json")[1])
    assert version["version"] == "v0.1.0" and version["stages"] == []
    assert "nn" not in json.loads(run("show", "--json")[1])


def test_deprecate_ref_checks_come_in_gto_order(two: tuple[Path, str, str]) -> None:
    assert run("deprecate", "ghost", "--ref", "nosuchref") == (1, "", "Cannot find artifact 'ghost'\n")
    code, out, err = run("deprecate", "nn", "--ref", "nosuchref", "--delete")
    assert (code, err) == (0, "") and out.startswith("Deleted git tag 'nn@v0.1.0'")
    assert run("deprecate", "rf", "--ref", "nosuchref") == (
        1,
        "",
        "Ref 'nosuchref' was not found in the repository history\n",
    )


ANNOTATIONS = [
    "rf:\n  type: model\nnn: {}\n",
    "yes: 1\nrf: 2\n",
    "'yes': 1\n",
    "rf: 1\nrf: 2\n",
    "rf: {a: 1, a: 2}\n",
    "1e3: x\n",
    "rf: 2023-13-01\n",
    "rf: !foo x\n",
    "a: &x {b: 1}\nc: *x\n",
    "- a\n",
    "",
    "rf:\n  labels: [a, a]\n",
    "<<: {a: 1}\nrf: 1\n",
    "on: 1\n",
    "rf: [\n",
    "rf: 1\n---\nnn: 2\n",
    '"dir:name": {}\n',
    "Rf_Big-1: {}\n",
    "a b: 1\n",
    "rf: 0o17\n",
    "null: 1\nrf: 2\n",
    "rf: ~\n",
]


@pytest.mark.parametrize("text", ANNOTATIONS)
def test_fast_annotated_names_agree_with_gtos_loader_or_abstain(text: str) -> None:
    """HEAD's artifact names (GTO's commit events) by libyaml: ruamel's pure loader's answer, or None."""
    from ruamel.yaml import YAML

    from gto_lsp.core.registry.state import plain_names

    try:
        data = YAML(typ="safe", pure=True).load(text)
        names = tuple(k for k in data if isinstance(k, str)) if isinstance(data, dict) else ()
    except Exception:
        names = ()
    fast = plain_names(text)
    assert fast is None or fast == names
    if text in ANNOTATIONS[:1] + ANNOTATIONS[-1:]:
        assert fast == names  # the usual file takes the fast path
