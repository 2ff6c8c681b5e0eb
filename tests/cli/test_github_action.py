"""action.yml, the composite GitHub action, run here step by step as a runner runs it: each `run:` with bash
(`bash --noprofile --norc -eo pipefail`, GitHub's `shell: bash`), its `${{ }}` expressions replaced by what GitHub
would put there, and GitHub's variables set (GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_OS...).

The install step runs for real once per module: a fresh virtual environment and `pip install` of a copy of this
checkout (as `${{ github.action_path }}`). Only its dependencies are not installed from the network
(PIP_NO_DEPS, pip's own variable): a `.pth` file then lends them from the development environment."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from gto_lsp import __version__
from helpers.git import git, isolated_env, make_repo

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
ACTION_SCHEMA = Path(__file__).parent / "data" / "github-action" / "github-action.json"  # SchemaStore's
jsonschema: Any = importlib.import_module("jsonschema")  # no type stubs in the dev extras
INSTALL_BOUND = 300  # seconds: a fresh venv and a build of the package; more is a hang
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,]*),line=(\d+),.*?::(.*)$", re.M)


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def step(step_id: str) -> dict[str, Any]:
    """A step by its id, or the last step (the check) for ""."""
    steps: list[dict[str, Any]] = action()["runs"]["steps"]
    return next(s for s in steps if s.get("id") == step_id) if step_id else steps[-1]


@dataclass
class Runner:
    """One job's runner: its workspace (the repository checked out), temp folder and the action's folder."""

    workspace: Path
    temp: Path
    action_path: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> its outputs

    @property
    def summary(self) -> Path:
        return self.temp / "step_summary.md"

    def run(self, spec: dict[str, Any], inputs: Optional[dict[str, str]] = None, **extra: str) -> Done:
        """Run one `run:` step as GitHub does, with `inputs` over the defaults of action.yml."""
        assert spec["shell"] == "bash", spec  # the one shell on every runner OS, Windows included
        values = {name: str(i.get("default", "")) for name, i in action()["inputs"].items()} | (inputs or {})
        context = {f"inputs.{name}": value for name, value in values.items()}
        context |= {"github.action_path": str(self.action_path), "runner.temp": str(self.temp)}
        for step_id, outputs in self.outputs.items():
            context |= {f"steps.{step_id}.outputs.{k}": v for k, v in outputs.items()}

        def expand(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                assert match.group(1) in context, f"action.yml uses `{match.group(0)}`, unknown to this test"
                return context[match.group(1)]

            return EXPRESSION.sub(one, text)

        output = self.temp / "github_output"
        output.write_text("")
        env = isolated_env() | {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(self.action_path),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_ENV": str(self.temp / "github_env"),
            "GITHUB_PATH": str(self.temp / "github_path"),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "acme/models",
            "GITHUB_SHA": git(self.workspace, "rev-parse", "HEAD").strip(),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.temp),
        }
        env |= {name: expand(str(value)) for name, value in spec.get("env", {}).items()} | extra
        script = self.temp / "step.sh"
        script.write_text(expand(spec["run"]))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,  # a composite step runs in the workspace
            env=env,
            capture_output=True,
            text=True,
            timeout=INSTALL_BOUND,
        )
        if "id" in spec:
            lines = output.read_text().splitlines()
            assert all("<<" not in line for line in lines)  # one-line outputs only
            self.outputs[spec["id"]] = dict(line.split("=", 1) for line in lines)
        return Done(done.returncode, done.stdout, done.stderr)


@dataclass
class Done:
    code: int
    out: str
    err: str


def repository(root: Path, files: dict[str, str]) -> Path:
    make_repo(root)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-qm", "annotations")
    return root


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The install step of action.yml, run once for real: (the action's folder, the step's outputs)."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "action"  # what `uses: gto-lsp/gto-lsp@v0` checks out, less what the package ignores
    shutil.copytree(ROOT / "server", action_path / "server", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("action.yml", "pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, action_path / name)
    workspace = repository(base / "workspace", {"artifacts.yaml": "rf:\n  path: rf.pkl\n"})
    runner = Runner(workspace, base / "temp", action_path)
    runner.temp.mkdir()
    done = runner.run(step("install"), {"python": sys.executable}, PIP_NO_DEPS="1")
    assert done.code == 0, done.out + done.err
    exe = Path(runner.outputs["install"]["gto-lsp"])
    assert exe.is_file() and exe.parent.parent == runner.temp / "gto-lsp-venv"
    # The dependencies, lent by the development environment (after the venv's own packages on sys.path).
    venv_python = exe.parent / "python"
    purelib = subprocess.run(
        [str(venv_python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "dev-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    where = subprocess.run(
        [str(venv_python), "-c", "import gto_lsp; print(gto_lsp.__file__)"], capture_output=True, text=True, check=True
    ).stdout
    assert where.startswith(purelib), where  # the package the step installed, not this checkout
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip() == f"gto-lsp {__version__}"
    return action_path, runner.outputs["install"]


def runner_for(installed: tuple[Path, dict[str, str]], workspace: Path) -> Runner:
    temp = workspace.parent / "temp"
    temp.mkdir()
    runner = Runner(workspace, temp, installed[0], {"install": installed[1]})
    runner.summary.write_text("## An earlier step\n\n")  # GitHub's summary file may hold others' lines
    return runner


def test_the_action_is_composite_with_bash_steps_and_documented_inputs() -> None:
    loaded = action()
    assert loaded["runs"]["using"] == "composite"
    assert [s["shell"] for s in loaded["runs"]["steps"]] == ["bash", "bash"]
    assert set(loaded["inputs"]) == {"path", "version", "fail-on", "registry", "python"}
    assert all(i.get("description") and "default" in i for i in loaded["inputs"].values())
    for spec in loaded["runs"]["steps"]:  # inputs reach the scripts as variables, never as pasted text
        assert "${{" not in spec["run"], spec["name"]
    schema = json.loads(ACTION_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    assert [error.message for error in validator.iter_errors(loaded)] == []
    loaded["runs"]["steps"][0].pop("shell")  # a composite run step without its shell: GitHub refuses it
    assert list(validator.iter_errors(loaded)) != []


def test_the_check_step_annotates_a_repository_with_errors(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    files = {
        "artifacts.yaml": "a.b: {}\nrf:\n  path: gone.pkl\n  virtual: false\n  descripton: x\n",
        "nested dir/dvc.yaml": "artifacts:\n  clf:\n    path: clf.pkl\n    dsc: typo\n",
        "nested dir/clf.pkl": "clf",
    }
    runner = runner_for(installed, repository(tmp_path / "repo", files))
    done = runner.run(step(""))
    assert done.code == 1, done.err
    found = ANNOTATION.findall(done.out)
    assert [(level, file, line) for level, file, line, _ in found] == [
        ("error", "artifacts.yaml", "1"),
        ("error", "artifacts.yaml", "3"),
        ("error", "nested dir/dvc.yaml", "4"),
        ("warning", "artifacts.yaml", "5"),
    ]
    assert done.out.splitlines()[-1] == "3 errors, 1 warning in 2 files"
    summary = runner.summary.read_text()
    assert summary.startswith("## An earlier step\n\n## gto-lsp check\n\n3 errors, 1 warning in 2 files\n")
    sha = git(runner.workspace, "rev-parse", "HEAD").strip()
    assert f"| [nested dir/dvc.yaml:4](https://github.com/acme/models/blob/{sha}/nested%20dir/dvc.yaml#L4) |" in summary
    # fail-on: never passes the step; warning fails it on warnings alone.
    assert runner.run(step(""), {"fail-on": "never"}).code == 0
    (runner.workspace / "artifacts.yaml").write_text("rf:\n  path: rf.pkl\n  descripton: x\n")
    (runner.workspace / "nested dir" / "dvc.yaml").unlink()
    assert runner.run(step(""), {"fail-on": "warning"}).code == 1
    assert runner.run(step("")).code == 0


def test_the_check_step_passes_a_clean_repository_and_refuses_bad_inputs(
    installed: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    runner = runner_for(installed, repository(tmp_path / "repo", {"README.md": "x\n"}))
    # `path` names the repository to check, from the workspace (here one checked out into a sub-folder).
    repository(runner.workspace / "the models", {"artifacts.yaml": "rf:\n  path: rf.pkl\n", "rf.pkl": "w"})
    done = runner.run(step(""), {"path": "the models"})
    assert (done.code, done.out) == (0, "No problems found\n"), done.err
    assert runner.summary.read_text().endswith("## gto-lsp check\n\nNo problems found\n\n")
    done = runner.run(step(""), {"registry": "maybe"})
    assert done.code == 2 and "::error title=gto-lsp check::registry must be true or false, not 'maybe'" in done.out
    done = runner.run(step(""), {"fail-on": "sometimes", "path": "the models"})
    assert done.code == 2 and "sometimes" in done.err


def test_the_inputs_become_the_command_line(tmp_path: Path) -> None:
    """What the check step runs, seen by a stand-in for gto-lsp that prints its arguments and exits 3."""
    runner = Runner(repository(tmp_path / "repo", {"README.md": "x\n"}), tmp_path / "temp", tmp_path / "action")
    runner.temp.mkdir()
    stand_in = tmp_path / "gto-lsp"
    stand_in.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\nexit 3\n')
    stand_in.chmod(0o755)
    runner.outputs["install"] = {"gto-lsp": str(stand_in)}
    done = runner.run(step(""), {"path": "a dir; rm -rf /", "fail-on": "warning", "registry": "true"})
    assert done.code == 3  # its exit code is the step's
    assert done.out.splitlines() == [
        "check",
        "--format",
        "github",
        "--fail-on",
        "warning",
        "--repo",
        "a dir; rm -rf /",
        "--registry",
    ]
    assert runner.run(step("")).out.splitlines()[3:] == ["--fail-on", "error", "--repo", "."]


STAND_IN_PYTHON = """#!/bin/sh
# `-m venv DIR` makes DIR/bin (DIR/Scripts on Windows) holding this script as python and gto-lsp; else it prints
# its arguments.
if [ "$1 $2" = "-m venv" ]; then
  bin="$3/bin"
  if [ "$RUNNER_OS" = Windows ]; then bin="$3/Scripts"; fi
  mkdir -p "$bin" && cp "$0" "$bin/python" && cp "$0" "$bin/gto-lsp"
  exit 0
fi
printf '%s\\n' "$@"
"""


@pytest.mark.parametrize(
    ("version", "spec"),
    [
        ("", "ACTION"),
        ("0.2.0", "gto-lsp==0.2.0"),
        ("v0.2.0", "gto-lsp==0.2.0"),
        (">=0.1,<0.2", "gto-lsp>=0.1,<0.2"),
        ("latest", "gto-lsp"),
    ],
)
@pytest.mark.parametrize("runner_os", ["Linux", "Windows"])
def test_the_install_step_installs_what_version_names(tmp_path: Path, version: str, spec: str, runner_os: str) -> None:
    """The install step with a stand-in Python on PATH (`python3`, or `python` on Windows): which venv, which
    program, which pip requirement."""
    runner = Runner(repository(tmp_path / "repo", {"README.md": "x\n"}), tmp_path / "temp", tmp_path / "action")
    runner.temp.mkdir()
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / ("python" if runner_os == "Windows" else "python3")).write_text(STAND_IN_PYTHON)
    (tools / ("python" if runner_os == "Windows" else "python3")).chmod(0o755)
    path = f"{tools}{os.pathsep}{os.environ['PATH']}"
    done = runner.run(step("install"), {"version": version}, PATH=path, RUNNER_OS=runner_os)
    assert done.code == 0, done.err
    bin_ = runner.temp / "gto-lsp-venv" / ("Scripts" if runner_os == "Windows" else "bin")
    pip, version_line = done.out.split("--version")[0].splitlines(), done.out.splitlines()[-1]
    assert pip == [
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
        spec.replace("ACTION", str(tmp_path / "action")),
    ]
    assert version_line == "--version"
    assert runner.outputs["install"] == {"gto-lsp": f"{bin_}/gto-lsp"}
