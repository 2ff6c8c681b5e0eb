"""Differential test: `${}`, vars and params of dvc.yaml against the real DVC 3.67.1 (issue 14, items 2-3).

About 150 generated cases (a params.yaml or none, other vars files, top-level `vars:`, stages plain, foreach and
matrix with stage `vars:`, artifacts with `${}` paths), each written to a repository and read by DVC
(dvc_runner.py: what `dvc status` meets building the index) and by us (variable_problems over the same files):

1. DVC fails resolving the file (kind "resolve", or "other" for a params file it cannot parse or a matrix value
   it cannot iterate) <=> we report a problem whose code refuses the file for DVC; and the error DVC raises (it
   stops at the first) is one of ours, by its code (DVC's message -> the code, `_EXPECTED`).
2. Where DVC loads the file, every artifact's path resolves (resolve_text in top_context) to the path DVC read.

The cases keep to DVC's schema (no schema or YAML verdict); a case DVC refuses for another reason is a defect of the
generator and fails.
"""

from __future__ import annotations

import posixpath
import random
from pathlib import Path
from typing import Any

import pytest

from compat import dvc_runner
from compat import gto_runner as gr
from gto_lsp.core.codes import refuses
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.pipeline.interpolate import resolve_text
from gto_lsp.core.formats.dvc.pipeline.scope import top_context
from gto_lsp.core.formats.dvc.pipeline.variables import variable_problems
from gto_lsp.core.navigation import Place
from gto_lsp.core.repo.fs import RepoView

pytestmark = pytest.mark.compat

PARAMS = [
    None,
    "lr: 0.1\nmodels: [a, b]\ntrain:\n  epochs: 3\n  dir: out\nflag: true\nd: {x: 1, y: [1, 2]}\nn: 7\n",
    "lr: 0.5\nmodels:\n  - name: a\n  - name: b\ntrain: {dir: run}\n",
    "- 1\n",
    "a: [1\n",
]
OTHER_FILES = {
    "cfg.json": '{"batch": 8, "train": {"seed": 1}}',
    "p2.yaml": "lr: 5\nsize: 3\n",
    "conf/local.yaml": "here: x\n",
    "t.toml": "[opt]\nname = 'adam'\n",
}
VARS = [
    "",
    "vars:\n  - cfg.json\n",
    "vars:\n  - cfg.json:batch\n",
    "vars:\n  - cfg.json:nope\n",
    "vars:\n  - missing.yaml\n",
    "vars:\n  - inline: 1\n    other: {k: v}\n",
    "vars:\n  - lr: 2\n",
    "vars:\n  - params.yaml\n",
    "vars:\n  - params.yaml:lr\n",
    "vars:\n  - p2.yaml\n",
    "vars:\n  - p2.yaml:size\n  - t.toml\n",
    "vars:\n  - ${x}.yaml\n",
    "vars:\n  - cfg.json\n  - train: {extra: 1}\n",
    "vars:\n  - p2.yaml:size\n  - p2.yaml\n",
    "vars:\n  - cfg.json:train\n",
    "vars:\n  - conf/local.yaml\n  - {here: y}\n",
]
STAGES = [
    "  s{i}:\n    cmd: echo ${{lr}}\n",
    "  s{i}:\n    cmd: echo ${{train.epochs}} ${{flag}}\n",
    "  s{i}:\n    cmd: python t.py ${{d}}\n",
    "  s{i}:\n    cmd: echo ${{models}}\n",
    "  s{i}:\n    cmd: echo ${{n}}\n    deps:\n      - ${{d}}\n",
    "  s{i}:\n    cmd: echo ${{nope}}\n",
    "  s{i}:\n    cmd: echo ${{lr..x}}\n",
    "  s{i}:\n    cmd: echo \\${{lr}} done\n",
    "  s{i}:\n    cmd: echo ${{train.dir}}\n    outs:\n      - ${{train.dir}}/model{i}\n",
    "  s{i}:\n    foreach: ${{models}}\n    do:\n      cmd: echo ${{item}}\n",
    "  s{i}:\n    foreach: ${{lr}}\n    do:\n      cmd: echo ${{item}}\n",
    "  s{i}:\n    foreach:\n      a: 1\n      b: 2\n    do:\n      cmd: echo ${{key}} ${{item}}\n",
    "  s{i}:\n    foreach: [x, y]\n    do:\n      cmd: echo ${{item}} ${{key}}\n",
    "  s{i}:\n    matrix:\n      m: ${{models}}\n      k: [1, 2]\n    cmd: echo ${{item.k}} ${{key}}\n",
    "  s{i}:\n    matrix:\n      m: ${{lr}}\n    cmd: echo ${{item.m}}\n",
    "  s{i}:\n    cmd: echo ${{lr}}\n    vars:\n      - lr: 3\n",
    "  s{i}:\n    cmd: echo ${{mine}}\n    vars:\n      - mine: 1\n",
    "  s{i}:\n    wdir: conf\n    cmd: echo ${{here}}\n    vars:\n      - local.yaml\n",
    "  s{i}:\n    cmd: echo ${{here}}\n    vars:\n      - local.yaml\n",
    "  s{i}:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${{item}}\n      vars:\n        - item: 3\n",
    "  s{i}:\n    cmd: echo 1\n    params:\n      - lr\n      - nope\n",
    "  s{i}:\n    foreach:\n      ${{train.dir}}: 1\n    do:\n      cmd: echo ${{key}}\n",
    "  s{i}:\n    cmd:\n      - echo ${{lr}}\n      - echo ${{d}}\n",
    "  s{i}:\n    wdir: ${{train.dir}}\n    cmd: echo 1\n",
    "  s{i}:\n    foreach: [conf]\n    do:\n      wdir: ${{item}}\n      cmd: echo ${{here}}\n"
    "      vars: [local.yaml]\n",
    "  s{i}:\n    cmd: echo ${{ lr }} ${{d.y[1]}} ${{models[-1]}}\n",
    "  s{i}:\n    foreach: ${{d}}\n    do:\n      cmd: echo ${{key}} ${{item}}\n",
    "  s{i}:\n    matrix:\n      m: ${{d}}\n    cmd: echo ${{key}} ${{item.m}}\n",
    "  s{i}:\n    matrix:\n      m: abc\n      n: [1]\n    cmd: echo ${{item.m}} ${{key}}\n",  # characters
    "  s{i}:\n    matrix:\n      m: ${{train.dir}}\n    cmd: echo ${{item.m}}\n",
]
ARTIFACTS = [
    "  m{i}:\n    path: ${{train.dir}}/m.pkl\n",
    "  m{i}:\n    path: models/${{models[0]}}.pkl\n    type: model\n",
    "  m{i}:\n    path: ${{nope}}/x\n",
    "  m{i}:\n    path: out/${{lr}}-${{flag}}.bin\n",
    "  m{i}:\n    path: plain/m{i}.pkl\n    desc: ${{batch}}\n",
]


def _cases() -> list[dict[str, Any]]:
    rng = random.Random(14)
    cases: list[dict[str, Any]] = []
    for number in range(150):
        files = dict(OTHER_FILES)
        params = PARAMS[number % len(PARAMS)] if number < 20 else rng.choice(PARAMS[:3] * 5 + PARAMS[3:])
        if params is not None:
            files["params.yaml"] = params
        text = VARS[number % len(VARS)] if number < 30 else rng.choice(VARS[:3] * 6 + VARS[3:])
        stages = [rng.choice(STAGES).format(i=i) for i in range(rng.randint(0, 2))]
        if number < 2 * len(STAGES):
            stages = [STAGES[number // 2].format(i=0)]
        if stages:
            text += "stages:\n" + "".join(stages)
        artifacts = [rng.choice(ARTIFACTS).format(i=i) for i in range(rng.randint(0, 2))]
        if artifacts:
            text += "artifacts:\n" + "".join(artifacts)
        files["dvc.yaml"] = text or "stages: {}\n"
        cases.append({"files": files})
    # Files DVC loads, most of them: valid stages and artifacts over the first params.yaml, some in a sub-folder
    # (its own params.yaml, vars relative to it).
    valid_stages = [STAGES[i] for i in (0, 1, 2, 7, 8, 9, 11, 12, 13, 16)]
    for number in range(60):
        folder = "sub/" if number % 3 == 0 else ""
        files = {folder + name: text for name, text in OTHER_FILES.items()}
        files[folder + "params.yaml"] = str(PARAMS[1])
        text = rng.choice([*VARS[:3], VARS[5], VARS[12]])
        stages = [rng.choice(valid_stages).format(i=i) for i in range(rng.randint(1, 3))]
        artifacts = [rng.choice([ARTIFACTS[i] for i in (0, 1, 3)]).format(i=i) for i in range(rng.randint(1, 3))]
        files[folder + "dvc.yaml"] = text + "stages:\n" + "".join(stages) + "artifacts:\n" + "".join(artifacts)
        cases.append({"files": files})
    return cases


def _dvcyaml(case: dict[str, Any]) -> str:
    return str(next(name for name in case["files"] if name.endswith("dvc.yaml")))


CASES = _cases()


# DVC's error message -> the code of the problem we must report for it (DVC raises the first error it meets).
_EXPECTED = [
    ("interpolating is not allowed", "dvc-vars-interpolated"),
    ("does not exist", "dvc-vars-file-missing"),
    ("could not find '", "dvc-vars-key-missing"),
    ("cannot redefine", "dvc-vars-conflict"),
    ("partially", "dvc-vars-conflict"),
    ("reserved key", "dvc-vars-conflict"),
    ("expected a dictionary", "dvc-vars-file-invalid"),
    ("unable to read", "dvc-vars-file-invalid"),
    ("ParseException", "dvc-variable-syntax"),
    ("Cannot interpolate", "dvc-variable-type"),
    ("Could not find '", "dvc-variable-undefined"),
    ("expected list/dictionary", "dvc-foreach-type"),
    ("is not iterable", "dvc-foreach-type"),
    ("unhashable type", "dvc-variable-type"),
]


def _expected_code(error: str) -> str:
    return next(code for text, code in _EXPECTED if text in error)


@pytest.fixture(scope="module")
def dvc_reads() -> list[dict[str, Any]]:
    if gr.venv_python("dvc367") is None:
        pytest.skip(gr.missing_venv_message("dvc367"))
    return dvc_runner.run_dvc(CASES)


def _ours(tmp_path: Path, files: dict[str, str], rel: str) -> tuple[list[Any], dict[str, str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    document = parse_dvc(files[rel])
    place = Place(RepoView(tmp_path), posixpath.dirname(rel), rel)
    problems = variable_problems(document.top, document.stages, place, document.entries)
    context = top_context(document.top, place)
    paths = {}
    for entry in document.entries:
        field = entry.field("path")
        if field is not None and isinstance(entry.name, str):
            resolved = resolve_text(str(field[1].value), context)
            paths[resolve_text(entry.name, context) or entry.name] = resolved or ""
    return problems, paths


@pytest.mark.parametrize("index", range(len(CASES)))
def test_variables_agree_with_dvc(index: int, dvc_reads: list[dict[str, Any]], tmp_path: Path) -> None:
    case = CASES[index]
    read = dvc_reads[index]
    rel = _dvcyaml(case)
    verdict = read["verdicts"][rel]
    problems, paths = _ours(tmp_path, case["files"], rel)
    refusing = [(p.code, p.message) for p in problems if refuses(p.code, "dvc")]
    shown = f"\n{rel}:\n{case['files'][rel]}\nparams: {case['files'].get(rel.replace('dvc.yaml', 'params.yaml'))!r}"
    assert verdict.get("kind") not in ("schema", "yaml"), f"the generator wrote a case DVC's schema refuses: {shown}"
    dvc_refuses = not verdict["ok"]
    assert dvc_refuses == bool(refusing), (
        f"DVC {'refuses' if dvc_refuses else 'loads'} it ({verdict.get('error')}), we report {refusing}{shown}"
    )
    if dvc_refuses:
        code = _expected_code(verdict["error"])
        assert code in {c for c, _ in refusing}, f"DVC: {verdict['error']}, we report {refusing}{shown}"
    else:
        dvc_paths = {name: fields.get("path") for name, fields in (read["artifacts"].get(rel) or {}).items()}
        assert paths == dvc_paths, shown
