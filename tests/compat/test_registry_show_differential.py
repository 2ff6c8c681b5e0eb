"""Differential tests of `gto-lsp show` against real `gto show` (GTO 1.10.1, the gto110 venv): stdout, stderr and
exit code equal, byte for byte, for every option of `show` on:

- the spec's state cases (test_registry_differential.STATE_CASES) and the cases below (SHOW_CASES), each shown
  with every option and combination of OPTION_MATRIX;
- GENERATED registries: a seeded random generator of registries (commits at fixed dates, register / assign /
  unassign / deregister / deprecate tags made by `git tag -a` at fixed tagger dates, several artifacts,
  prereleases, stage-only commits, same-second ties, annotations at HEAD), each shown with `show`,
  `show -d --json`, `show NAME --json` for every name and a few option combinations drawn by the same seed;
- WRITE_SCRIPTS: `deprecate` commands run by both tools (their outputs and what GTO then reads of the tags).

Each repository is built twice from the same steps (fixed dates and identities: equal commits and tags), one
copy read by GTO in one subprocess (registry_script.py: GTO imported once, one forked child per repository), the
other by gto-lsp in this process. Known difference (known_differences.UNREADABLE_SHOW): on a registry GTO cannot
read, gto-lsp prints the state with GTO's error; stdout is then not compared.
"""

from __future__ import annotations

import functools
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from compat import gto_runner as gr
from compat import known_differences
from compat.registry_script import run_script
from compat.test_registry_differential import REPORT, STATE_CASES, cmd, commit, our_env, ours, tag
from gto_lsp.cli.repository import registry_of
from helpers.git import T0

pytestmark = pytest.mark.compat

REGISTRY_OPTIONS: list[list[str]] = [
    [],
    ["--json"],
    ["-d"],
    ["-d", "--json"],
    ["--plain"],
    ["--name"],
    ["--version"],
    ["--stage"],
    ["--ref"],
    ["--ro", "-d", "--json"],
    ["--av", "0", "--json"],
    ["--av", "1"],
    ["--vs", "-1", "--json"],
    ["--vs", "0", "--json"],
    ["--vs", "2", "--av", "1", "--json"],
    ["--sort", "semver", "--json"],
    ["--json", "--plain"],
    ["--av", "-2"],
    ["--vs", "-2", "--json"],
]
NAME_OPTIONS: list[list[str]] = [
    [],
    ["--json"],
    ["-d"],
    ["-d", "--json"],
    ["--plain"],
    ["--ref"],
    ["--version"],
    ["--stage"],
    ["--name"],
    ["--ro", "--json"],
    ["--ro"],
    ["--av", "1", "--json"],
    ["--vs", "-1", "--json"],
    ["--sort", "semver"],
    ["--sort", "semver", "--vs", "-1", "--json"],
    ["--av", "-2", "--json"],
]
SHORTCUTS = ["@latest", "@v1.0.0", "#dev"]

SHOW_CASES: dict[str, list[dict[str, Any]]] = {
    "stages-newest-first": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf#dev#1", "c1", "a", 110),
        tag("rf#qa#2", "c1", "a", 130),
        tag("rf#prod#3", "c1", "a", 120),
        commit("c2", 2),
        tag("rf@v2.0.0", "c2", "reg", 140),
        tag("rf#dev#4", "c2", "a", 150),
    ],
    "deprecated-with-stages": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf#prod#1", "c1", "a", 110),
        tag("rf#dev#2", "c1", "a", 115),
        tag("rf@deprecated", "c1", "dep", 120),
    ],
    "two-registrations": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf@v1.0.0#3", "c1", "reg", 120),
        tag("rf#prod#4", "c1", "a", 130),
    ],
    "deregistration-only": [
        commit("c1", 1),
        tag("rf@v1.0.0!", "c1", "dereg", 100),
        commit("c2", 2),
        tag("rf@v2.0.0", "c2", "reg", 110),
        tag("rf#prod#1", "c2", "a", 120),
    ],
    "future-commit": [
        commit("c1", 1),
        tag("rf@v1.0.0", "c1", "reg", 100),
        commit("c2", 60 * 24 * 365 * 20),  # twenty years on
        tag("rf@v2.0.0", "c2", "reg", 200),
        tag("rf@deprecated", "c2", "dep", 300),
    ],
    "time-zones": [
        {"op": "commit", "label": "c1", "date": T0 + 60, "files": {"artifacts.yaml": "rf:\n  type: model\n"}},
        tag("rf@v1.0.0", "c1", "reg", 100),
        tag("rf#prod#1", "c1", "a", 110),
        commit("c2", 2, {"artifacts.yaml": "rf:\n  path: m.pkl\n  labels: [a, b]\nnn: {}\n"}),
        tag("rf#dev#2", "c2", "stage only", 120),
    ],
    "numeric-looking": [
        commit("c1", 1),
        tag("rf@v1.0.0+build.5", "c1", "reg", 100),
        tag("rf@v1.0.0-rc.1", "c1", "reg", 90),
        tag("nn@v10.0.0", "c1", "reg", 110),
        tag("nn#prod#1", "c1", "a", 120),
    ],
}
SHOW_CASES["empty"] = [commit("c1", 1)]
SHOW_CASES["gto-stages"] = [
    {"op": "write", "files": {".gto": "stages: [prod, dev]\n"}},
    commit("c1", 1),
    tag("rf@v1.0.0", "c1", "reg", 100),
    tag("rf#qa#1", "c1", "a", 110),
    tag("rf#dev#2", "c1", "a", 120),
]
# A stage-only commit at HEAD of an annotated artifact, and dir:name artifacts
SHOW_CASES["annotated-head"] = [
    commit("c1", 1, {"artifacts.yaml": "rf:\n  type: model\nnn: {}\n"}),
    tag("rf@v0.0.1", "c1", "reg", 100),
    commit("c2", 2, {"artifacts.yaml": "rf:\n  type: model\n  description: two\nnn: {}\n"}),
    tag("rf#prod#1", "c2", "a", 110),
    tag("dir=name#prod#2", "c2", "a", 120),
]

# The cases shown with every option (the others with the main ones: the differential stays near a minute).
FULL_MATRIX = ("stages-newest-first", "time-zones", "annotated-head", "two-registrations", "empty")

WRITE_SCRIPTS: dict[str, list[dict[str, Any]]] = {
    "deprecate-ref": [
        commit("c1", 1),
        cmd("deprecate", "ghost", "--ref", "nosuchref"),
        cmd("register", "rf"),
        cmd("deprecate", "rf", "--ref", "nosuchref", "--delete"),
        cmd("register", "nn"),
        cmd("deprecate", "nn", "--ref", "nosuchref"),
        cmd("deprecate", "ghost", "--ref", "nosuchref", "--force"),
        cmd("deprecate", "nn", "--ref", "nosuchref", "--force", "--delete"),
    ],
    "future-dated-commit": [
        {"op": "commit", "label": "c1", "date": 3786912000, "files": {"m.txt": "2090\n"}},  # 2090-01-01
        cmd("register", "rf"),
        cmd("assign", "rf", "--stage", "prod"),
        cmd("deprecate", "rf"),
        cmd("show", "--json"),
    ],
}


# --- generated registries ---------------------------------------------------------------------------------

# 16 seeds (30 until issue 16, for the test suite's time): each still makes several artifacts, prereleases,
# unassignments, deprecations and same-second ties (test_generated_registries_cover_the_cases checks them).
GENERATED = 16
JOB_SHOWS = 20  # show calls per GTO job
NAMES = ["rf", "nn", "dir:name", "models/x:y", "Big_1"]
STAGES = ["dev", "prod", "qa"]
VERSIONS = ["v0.0.1", "v0.1.0", "v1.0.0", "v1.0.0-rc.1", "v1.0.0+build.5", "v2.0.0", "v2.0.0-alpha", "v10.0.0"]


def generated(seed: int) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """A registry's steps (tags by `git tag -a` at fixed tagger dates) and the `show` calls to compare on it."""
    rng = random.Random(seed)
    steps: list[dict[str, Any]] = []
    if rng.random() < 0.2:
        steps.append({"op": "write", "files": {".gto": f"stages: [{', '.join(rng.sample(STAGES, 2))}]\n"}})
    names = rng.sample(NAMES, rng.randint(1, 3))
    commits = [f"c{i}" for i in range(1, rng.randint(2, 5) + 1)]
    for index, label in enumerate(commits):
        files: dict[str, Any] = {"m.txt": f"{label}\n"}
        plain = [n for n in names if ":" not in n]  # artifacts.yaml has no dir:name (that is dvc.yaml's)
        if plain and rng.random() < 0.3:
            annotated = rng.sample(plain, rng.randint(1, len(plain)))
            files["artifacts.yaml"] = "".join(f"{n}:\n  type: model\n" for n in annotated)
        steps.append(commit(label, index + 1, files))
    counter: dict[str, int] = {}
    used: set[str] = set()
    second = 100
    for _ in range(rng.randint(3, 14)):
        if rng.random() > 0.2:  # else the same second as the tag before: a tie
            second += rng.randint(1, 30)
        name = rng.choice(names)
        in_tag = name.replace(":", "=")
        target = rng.choice(commits)
        kind = rng.choices(["register", "assign", "unassign", "deregister", "deprecate"], [5, 5, 2, 1, 1])[0]
        count = counter.get(name, 0) + 1
        suffix = f"#{count}" if rng.random() < 0.5 else ""
        if kind == "register":
            tag_name = f"{in_tag}@{rng.choice(VERSIONS)}" + (f"#{count}" if rng.random() < 0.1 else "")
        elif kind == "deregister":
            tag_name = f"{in_tag}@{rng.choice(VERSIONS)}!"
        elif kind == "deprecate":
            tag_name = f"{in_tag}@deprecated" + suffix
        else:
            tag_name = f"{in_tag}#{rng.choice(STAGES)}{'!' if kind == 'unassign' else ''}#{count}"
        if tag_name in used:
            continue
        used.add(tag_name)
        counter[name] = count
        steps.append(tag(tag_name, target, f"{kind} by hand", second))
    shows = [["show"], ["show", "-d", "--json"]]
    shows += [["show", n, "--json"] for n in names]
    pool = [["show", *o] for o in REGISTRY_OPTIONS] + [["show", n, *o] for n in names for o in NAME_OPTIONS]
    pool += [["show", n + s] for n in names for s in SHORTCUTS]
    shows += rng.sample(pool, 2)
    return steps, shows


def shows_of(case: list[dict[str, Any]], full: bool = True) -> list[list[str]]:
    """The options (all of REGISTRY_OPTIONS and NAME_OPTIONS, or the main ones) on the registry and on each name
    a case's tags mention, and the shortcuts."""
    names = sorted(
        {s["name"].split("@")[0].split("#")[0].replace("=", ":") for s in case if s["op"] in ("tag", "ltag")}
    )
    if not full:  # (test_registry_differential compares their parsed `-d --json`; the generated ones the bytes)
        return [["show"]] + [["show", n, *o] for n in names for o in (["-d"], ["-d", "--json"])]
    shows = [["show", *o] for o in REGISTRY_OPTIONS] + [["show", "ghost"], ["show", "ghost@latest", "--json"]]
    for name in names:
        shows += [["show", name, *o] for o in NAME_OPTIONS]
        shows += [["show", name + s] for s in SHORTCUTS] + [["show", name + "#prod", "--json"]]
    return shows


# --- running ----------------------------------------------------------------------------------------------


def _cases() -> dict[str, tuple[list[dict[str, Any]], list[list[str]]]]:
    cases: dict[str, tuple[list[dict[str, Any]], list[list[str]]]] = {}
    for name, steps in STATE_CASES.items():
        cases[f"state-{name}"] = (steps, shows_of(steps, full=False))
    for name, steps in SHOW_CASES.items():
        cases[f"show-{name}"] = (steps, shows_of(steps, full=name in FULL_MATRIX))
    for seed in range(GENERATED):
        cases[f"gen-{seed}"] = generated(seed)
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    python = gr.venv_python("gto110")
    if python is None:
        pytest.skip(gr.missing_venv_message("gto110"))
    base = tmp_path_factory.mktemp("showdiff")
    jobs: list[dict[str, Any]] = []
    names: list[str] = []
    scripts = {name: steps + [{"op": "cmd", "args": args} for args in shows] for name, (steps, shows) in CASES.items()}
    for name, (steps, shows) in CASES.items():
        for part in range(0, len(shows), JOB_SHOWS):  # each part in its own copy of the repository
            chunk = [{"op": "cmd", "args": args} for args in shows[part : part + JOB_SHOWS]]
            jobs.append({"repo": str(base / "gto" / f"{name}.{part}"), "steps": steps + chunk})
            names.append(name)
    for name, script in WRITE_SCRIPTS.items():
        jobs.append({"repo": str(base / "gto" / name), "steps": script, "reads": [str(base / "gto" / name)]})
        names.append(name)
    jobs_file, out_file = base / "jobs.json", base / "out.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    command = [str(python), str(Path(__file__).with_name("registry_script.py")), str(jobs_file), str(out_file)]
    gto = subprocess.Popen(command, env=gr.gto_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    mine: dict[str, Any] = {}
    try:
        with our_env():
            with pytest.MonkeyPatch.context() as patch:  # the show steps change no tag: one read per repository
                patch.setattr("gto_lsp.cli.show.registry_of", functools.lru_cache(maxsize=None)(registry_of))
                for name, script in scripts.items():
                    mine[name] = run_script(str(base / "ours" / name), script, ours)
            for name, script in WRITE_SCRIPTS.items():
                mine[name] = run_script(str(base / "ours" / name), script, ours)
    finally:
        _, err = gto.communicate(timeout=300)
    assert gto.returncode == 0, err
    results = json.loads(out_file.read_text(encoding="utf-8"))
    theirs: dict[str, Any] = {}
    for name, result in zip(names, results):
        assert "crash" not in result, (name, result)
        if name in theirs:  # another part of the same case
            theirs[name]["results"] += result["results"]
        else:
            theirs[name] = result
    # GTO reads gto-lsp's repositories of the write scripts
    reads = [{"repo": str(base / "ours" / n), "steps": None, "reads": [str(base / "ours" / n)]} for n in WRITE_SCRIPTS]
    jobs_file.write_text(json.dumps(reads), encoding="utf-8")
    done = subprocess.run(command, env=gr.gto_env(), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for name, result in zip(WRITE_SCRIPTS, json.loads(out_file.read_text(encoding="utf-8"))):
        theirs[f"{name}-read"] = result
    return {"ours": mine, "gto": theirs, "base": base}


def _err(text: str) -> str:
    return "".join(ln for ln in text.splitlines(keepends=True) if ln.strip() != REPORT)


def same_show(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    args = theirs["args"]
    if theirs["code"] == 2:  # a usage error: click's text and argparse's differ
        assert mine["code"] == 2, args
        return
    mc, tc = mine["code"], theirs["code"]
    me, te = _err(mine["err"]), _err(theirs["err"])
    first = (me.splitlines() or [""])[0]  # gto-lsp goes on after saying GTO cannot read the registry
    unreadable = tc == 1 and known_differences.known(first, te.strip()) == known_differences.UNREADABLE_SHOW
    assert mc == tc, f"{args}\n{me}\n{te}"
    if unreadable:
        return
    assert me == te or known_differences.same_stderr(me, te), f"{args}\n{me!r}\n{te!r}"
    assert mine["out"] == theirs["out"], f"{args}\n--- gto-lsp\n{mine['out']}\n--- gto\n{theirs['out']}"


@pytest.mark.parametrize("case", list(CASES))
def test_show_equals_gto_show(runs: dict[str, Any], case: str) -> None:
    mine, theirs = runs["ours"][case], runs["gto"][case]
    assert mine["tags"] == theirs["tags"]  # the same repository
    assert len(mine["results"]) == len(theirs["results"])
    for m, t in zip(mine["results"], theirs["results"]):
        same_show(m, t)


@pytest.mark.parametrize("script", list(WRITE_SCRIPTS))
def test_write_scripts(runs: dict[str, Any], script: str) -> None:
    """The commands print and exit as GTO's; GTO reads gto-lsp's tags as it reads its own (no dates compared)."""
    mine, theirs = runs["ours"][script], runs["gto"][script]
    for m, t in zip(mine["results"], theirs["results"]):
        if m["args"][0] == "show":
            continue  # compared below, through GTO
        assert (m["code"], m["out"]) == (t["code"], t["out"]), m["args"]
        me, te = _err(m["err"]), _err(t["err"])
        assert me == te or known_differences.same_stderr(me, te), f"{m['args']}\n{me!r}\n{te!r}"
    assert [t[0] for t in mine["tags"]] == [t[0] for t in theirs["tags"]]
    base = runs["base"]
    gto_on_gto = theirs["reads"][str(base / "gto" / script)]
    gto_on_ours = runs["gto"][f"{script}-read"]["reads"][str(base / "ours" / script)]
    assert gto_on_ours["json"] == gto_on_gto["json"]


def test_future_dated_commit_keeps_the_artifact_active(runs: dict[str, Any]) -> None:
    """GTO dates its deprecation now, before the commit of 2090: the artifact stays active, in both."""
    read = runs["gto"]["future-dated-commit-read"]["reads"][str(runs["base"] / "ours" / "future-dated-commit")]
    assert read["json"]["rf"]["active"] is True


def test_generated_registries_cover_the_cases() -> None:
    """The generator makes what the brief asks for: ties, prereleases, stage-only commits, several artifacts."""
    all_steps = [s for name, (steps, _) in CASES.items() if name.startswith("gen-") for s in steps]
    tags = [s for s in all_steps if s["op"] == "tag"]
    assert len(CASES) - len(STATE_CASES) - len(SHOW_CASES) == GENERATED
    assert any("-rc.1" in t["name"] or "-alpha" in t["name"] for t in tags)
    assert any("!" in t["name"] and "#" in t["name"] for t in tags)  # unassignments
    assert any("@deprecated" in t["name"] for t in tags)
    times = [t["date"] for t in tags]
    assert len(times) > len(set(times))  # same-second ties
