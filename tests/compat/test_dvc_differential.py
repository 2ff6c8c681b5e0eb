"""Differential tests: our dvc.yaml support against the real DVC 3.67.1 (issue 7).

1. Reader verdict: DVC refuses a dvc.yaml (what `dvc status` meets building the index: YAML, the schema, `${}`
   resolution) exactly when the dvc format's check reports a problem whose code refuses the file for "dvc"; each
   error of DVC's schema has a problem with the matching code on that artifact; the verdicts are `dvc status`'s
   exit code.
2. Values: for every file DVC loads (no `${}` in its artifacts), `read_values` and `describe_dvc` give what DVC
   reads (empty values dropped on both sides).
3. Names: DVC's `Can't use 'X' as artifact name (ID).` warnings are our `invalid-name` problems.
4. annotate/remove: DVC reads the result with exactly the values asked for (GTO's merge: type/path/desc/meta
   replaced when given, labels the sorted union) and still loads the file; every byte outside the target entry
   stays (an appended entry is an insertion at a line boundary). Single calls, sequences, and calls on mutated files.
4b. Paths: `resolve_path` is where `dvc.api.artifacts_show` (at a tag) finds the artifact.
5. migrate: DVC reads the new dvc.yaml with description -> desc, custom -> meta, virtual dropped (hand cases and every
   third artifacts.yaml of the GTO matrix), paths rebased for a sub-folder dvc.yaml; entries without
   a path are skipped, reported and left in artifacts.yaml.

The verdict is the format's whole check (issue 14): every section, `${}` resolved from the case's params files, the
pipeline. Known differences on exotic YAML (xfail, listed in KNOWN below with
the reason; README "Compatibility notes" names them): `!!omap` entries and sections, a `!!set` section, a recursive
alias, a BOM in mid-file, a bare CR in a flow collection, a comment glued to a block header (`|#c`).

All DVC calls of a group run in one subprocess (dvc_runner.py). A failure prints the input, DVC's answer and ours.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, cast

import pytest
from ruamel.yaml import YAML

from compat import batch, dvc_runner
from compat import cases as C
from compat import dvc_cases as D
from compat import gto_runner as gr
from compat.test_differential import _assert_inserted, _assert_style_kept, _call, _line_starts, _show
from gto_lsp.core.codes import CheckSettings, refuses
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, GTOError
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.edit import annotate as annotate_dvc
from gto_lsp.core.formats.dvc.edit import describe as describe_dvc
from gto_lsp.core.formats.dvc.edit import remove as remove_dvc
from gto_lsp.core.formats.dvc.files import resolve_path
from gto_lsp.core.formats.dvc.format import DVC
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import read_values
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.formats.gto.edit import describe
from gto_lsp.core.migrate import migrate
from gto_lsp.core.names import is_valid_name
from gto_lsp.core.repo.fs import RepoView

pytestmark = pytest.mark.compat

READ_CASES = D.read_cases()
FILE_KEYS = [(c, rel) for c in READ_CASES for rel in c.dvcfiles]
ANNOTATE_KEYS = [(f, i) for f in D.ANNOTATE_FILES for i in range(len(D.ANNOTATE_OPS))]
WARNING = re.compile(r"^Can't use '(.*)' as artifact name \(ID\)\.$", re.S)
EMPTY: tuple[Any, ...] = (None, "", [], {})


def _need() -> None:
    if gr.venv_python("dvc367") is None:
        pytest.skip(gr.missing_venv_message("dvc367"))


def _folder(rel: str) -> str:
    return posixpath.dirname(rel)


def _problems(text: str, rel: str = "dvc.yaml") -> list[Any]:
    return _call(check_dvc, _call(parse_dvc, text), repo=None, folder=_folder(rel))


def _full_problems(case: D.DvcCase, rel: str, root: Path) -> list[Any]:
    """The whole file's problems as the server and `gto-lsp check` find them (every section, `${}` from the
    case's params files, the pipeline), the case's files written under `root`."""
    for name, text in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    document = parse_dvc(case.files[rel])
    settings = CheckSettings(paths=False)  # what DVC refuses; a missing file is not a refusal
    return DVC.check(document, RepoView(root), Config(), _folder(rel), settings)


def _refusals(problems: list[Any]) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in problems if refuses(p.code, "dvc")]


def _dvc_says(verdict: dict[str, Any]) -> str:
    if verdict["ok"]:
        return "loads it"
    details = "; ".join(
        f"{e['msg']} @ {' -> '.join(e['path'])}" if "msg" in e else f"{e['problem']} (line {e['line']})"
        for e in verdict["errors"]
    )
    return f"refuses it ({verdict['kind']}): {verdict['error']}" + (f" [{details}]" if details else "")


def _normal(values: Any) -> dict[str, dict[str, Any]]:
    """{name: {field: value}} without the empty values (DVC's own writer drops them too)."""
    return {name: {k: v for k, v in fields.items() if v not in EMPTY} for name, fields in (values or {}).items()}


def _case_repro(case: D.DvcCase, rel: str) -> str:
    others = {r: t for r, t in case.files.items() if r != rel}
    return f"\ncase {case.id}, {rel}: {_show(case.files[rel])}" + (f"\nother files: {others}" if others else "")


# --- 1-3. the reader -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reads() -> dict[str, dict[str, Any]]:
    _need()
    results = D.run_cases(READ_CASES)
    for case, res in results.items():
        assert "crash" not in res, f"{case}: {res['crash']}"
    return results


KNOWN: dict[str, str] = {
    "entry-omap": "`!!omap` entries: DVC reads an ordered map as a mapping, we report entry-not-mapping",
    "section-omap": "`!!omap` section: DVC reads an ordered map as a mapping, we report section-not-mapping",
    "section-set": "`!!set` section: DVC's schema names it differently",
    "alias-recursive-meta": "a recursive alias: DVC crashes (recursion), we do not report it",
    "layout-bom-mid-line": "a BOM in mid-file: DVC reads it as part of a key, we drop it",
    "layout-cr-in-flow": "a bare CR inside a flow collection: ruamel reads it as a line break, libyaml does not",
    "layout-block-header-comment-no-space": "`|#c`: ruamel refuses a comment glued to a block header, libyaml reads it",
    "mut-102": "`|#c`: ruamel refuses a comment glued to a block header, libyaml reads it",
}


def _known(case: D.DvcCase) -> None:
    """A mismatch listed in KNOWN is an expected failure with its reason."""
    if case.id in KNOWN:
        pytest.xfail(KNOWN[case.id])


@pytest.mark.parametrize("key", FILE_KEYS, ids=[f"{c.id}:{rel}" for c, rel in FILE_KEYS])
def test_reader_verdict(key: tuple[D.DvcCase, str], reads: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """DVC refuses the file <=> the format's check reports a problem that refuses it for DVC (`${}` included)."""
    case, rel = key
    verdict = reads[case.id]["verdicts"][rel]
    problems = _full_problems(case, rel, tmp_path)
    refusals = _refusals(problems)
    repro = (
        _case_repro(case, rel)
        + f"\nDVC 3.67.1: {_dvc_says(verdict)}"
        + f"\nours: {refusals or 'no refusing problem'}; all: {[(p.code, p.severity) for p in problems]}"
    )
    if bool(refusals) != (not verdict["ok"]):
        _known(case)
    assert bool(refusals) == (not verdict["ok"]), "reader verdict differs" + repro


def _codes_for(error: dict[str, Any]) -> tuple[set[str], Optional[str]]:
    """The problem codes that say what a DVC schema error says, and the artifact it is about (None: any)."""
    msg, path = error["msg"], error["path"]
    if path[:1] != ["artifacts"]:
        return {"top-not-mapping", "yaml-syntax"}, None  # outside the section: not ours beyond the top level
    if len(path) == 1:
        return {"section-not-mapping"}, None
    if len(path) == 2:
        return ({"entry-not-mapping"}, path[1]) if msg == "expected a dictionary" else ({"name-not-string"}, None)
    if msg == "required key not provided":
        return {"missing-path"}, path[1]
    if msg == "extra keys not allowed":
        return {"extra-key"}, path[1]
    return {"wrong-type"}, path[1]  # expected str / expected a list, of a field or a label


@pytest.mark.parametrize("key", FILE_KEYS, ids=[f"{c.id}:{rel}" for c, rel in FILE_KEYS])
def test_schema_errors_named(key: tuple[D.DvcCase, str], reads: dict[str, dict[str, Any]]) -> None:
    """Every error of DVC's schema has a problem of ours with the matching code on that artifact."""
    case, rel = key
    verdict = reads[case.id]["verdicts"][rel]
    if verdict.get("kind") != "schema":
        pytest.skip("not a schema error")
    problems = _problems(case.files[rel], rel)
    missing = []
    for error in verdict["errors"]:
        codes, name = _codes_for(error)
        if not any(p.code in codes and (name is None or str(p.artifact) == name) for p in problems):
            missing.append(f"{error['msg']} @ {' -> '.join(error['path'])}: want {sorted(codes)} on {name!r}")
    if missing:
        _known(case)
    assert not missing, (
        "DVC's schema errors without a matching problem:\n  "
        + "\n  ".join(missing)
        + _case_repro(case, rel)
        + f"\nours: {[(p.code, p.artifact) for p in problems]}"
    )


@pytest.mark.parametrize("key", FILE_KEYS, ids=[f"{c.id}:{rel}" for c, rel in FILE_KEYS])
def test_reader_values(key: tuple[D.DvcCase, str], reads: dict[str, dict[str, Any]]) -> None:
    """What DVC reads from a file it loads is read_values (no `${}` cases: DVC resolves them)."""
    case, rel = key
    res = reads[case.id]
    if not res["verdicts"][rel]["ok"]:
        pytest.skip("DVC refuses the file (test_reader_verdict covers it)")
    if case.interp:
        pytest.skip("${} interpolation: DVC reads resolved values, we read the text")
    assert res["read_error"] is None, res["read_error"]
    theirs = _normal(res["artifacts"].get(rel, {}))
    ours = _normal(batch.jsonable(_call(read_values, _call(parse_dvc, case.files[rel]))))
    if ours != theirs:
        _known(case)
    assert ours == theirs, f"values differ\nours: {ours}\nDVC:  {theirs}" + _case_repro(case, rel)
    if _refusals(_problems(case.files[rel], rel)):
        return  # describe refuses the file (test_reader_verdict reports the disagreement)
    for name, fields in theirs.items():  # describe (the CLI's `describe NAME`) reads the same
        described = batch.jsonable(_call(describe_dvc, case.files[rel], name))
        assert _normal({name: described})[name] == fields, (
            f"describe_dvc({name!r}) = {described}, DVC reads {fields}" + _case_repro(case, rel)
        )


@pytest.mark.parametrize("case", READ_CASES, ids=[c.id for c in READ_CASES])
def test_invalid_names(case: D.DvcCase, reads: dict[str, dict[str, Any]]) -> None:
    """DVC warns about a name (files it loads) <=> we report invalid-name on it."""
    res = reads[case.id]
    warned = sorted(WARNING.sub(r"\1", w) for w in res["warnings"])
    assert all(WARNING.match(w) for w in res["warnings"]), res["warnings"]
    ours = sorted(
        str(p.artifact)
        for rel in case.dvcfiles
        if res["verdicts"][rel]["ok"]
        for p in _problems(case.files[rel], rel)
        if p.code == "invalid-name"
    )
    repro = "".join(_case_repro(case, rel) for rel in case.dvcfiles) + f"\nDVC warns: {warned}\nours: {ours}"
    if case.interp:
        # an interpolated name is checked by DVC once resolved; we must not flag what DVC accepts
        assert set(ours) <= set(warned), "invalid-name on a name DVC accepts" + repro
        return
    assert ours == warned, "invalid-name differs from DVC's warnings" + repro


STATUS_CASES = [c for k, c in enumerate(READ_CASES) if c.id.startswith(("nested-", "top-")) or k % 80 == 0]


def test_verdicts_are_what_dvc_status_meets() -> None:
    """The runner's verdicts (one Repo per batch, re-read after `_reset()`) are what `dvc status` (DVC's own
    command line, a fresh Repo) meets: exit 0 exactly when every dvc.yaml of the case loads."""
    _need()
    cases = [{"files": c.files, "cli": ["status"]} for c in STATUS_CASES]
    wrong = []
    for case, res in zip(STATUS_CASES, dvc_runner.run_dvc(cases)):
        loads = all(v["ok"] for v in res["verdicts"].values())
        if (res["cli"]["rc"] == 0) != loads:
            wrong.append(f"{case.id}: dvc status exit {res['cli']['rc']}, verdicts {res['verdicts']}")
    assert len(STATUS_CASES) > 40
    assert not wrong, "\n".join(wrong)


def test_matrix_size() -> None:
    assert len(READ_CASES) > 500
    kinds = {c.id.split("-")[0] for c in READ_CASES}
    assert {"field", "entry", "section", "name", "layout", "syntax", "interp", "nested", "among"} <= kinds


# --- 4. annotate / remove ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One call of ours: the file before (None: absent), the call, our result (text or error)."""

    rel: str
    before: Optional[str]
    op: C.Op
    text: Optional[str]
    error: Optional[str]


def _step(rel: str, before: Optional[str], op: C.Op) -> Step:
    try:
        if op.kind == "remove":
            return Step(rel, before, op, _call(remove_dvc, before, op.name).text, None)
        return Step(rel, before, op, _call(annotate_dvc, before, AnnotateRequest(**op.kw())).text, None)
    except GTOError as error:
        return Step(rel, before, op, None, error.message)
    except AssertionError as hang:  # _call's hang report
        return Step(rel, before, op, None, str(hang))


def _expected(before: dict[str, dict[str, Any]], op: C.Op) -> dict[str, dict[str, Any]]:
    """DVC's reading after the call, from its reading before (empty values dropped)."""
    state = {name: dict(fields) for name, fields in before.items()}
    if op.kind == "remove":
        state.pop(op.name, None)
        return state
    old = state.get(op.name, {})
    new = dict(old)
    for key, value in (("type", op.type), ("path", op.path), ("desc", op.description), ("meta", op.custom)):
        if value:
            new[key] = batch.jsonable(value)
    labels = sorted(set(old.get("labels") or []).union(op.labels))
    new["labels"] = labels
    state[op.name] = new
    return _normal(state)


SEQUENCES = D.annotate_sequences()


@pytest.fixture(scope="module")
def annotated() -> dict[str, Any]:
    """Our result of every single call and of every sequence, and DVC's reading of every text before and after a
    call, all in one batch."""
    _need()
    singles = {(f, i): _step(f.rel, f.text, D.ANNOTATE_OPS[i]) for f, i in ANNOTATE_KEYS}
    sequences = {}
    for seq in SEQUENCES:
        steps, text = [], seq.file.text
        for op in seq.ops:
            steps.append(_step(seq.file.rel, text, op))
            text = steps[-1].text if steps[-1].text is not None else text
        sequences[seq.id] = steps
    texts = {
        (step.rel, t): None
        for step in [*singles.values(), *(s for steps in sequences.values() for s in steps)]
        for t in (step.before, step.text)
        if t is not None
    }
    cases = [D.DvcCase(f"t{k}", {rel: text}) for k, (rel, text) in enumerate(texts)]
    readings = D.run_cases(cases)
    dvc = {key: readings[f"t{k}"] for k, key in enumerate(texts)}
    return {"singles": singles, "sequences": sequences, "dvc": dvc}


def _check_step(step: Step, dvc: dict[tuple[str, str], dict[str, Any]]) -> None:
    """DVC reads our result with the values asked for; only the target entry's lines changed."""
    op, original, rel = step.op, step.before, step.rel
    before = dvc[(rel, original)] if original is not None else None
    loads = before is None or before["verdicts"][rel]["ok"]
    state = _normal(before["artifacts"].get(rel, {})) if before is not None else {}
    repro = (
        f"\ninput ({rel}): {_show(original)}\nrequest: {op.cli()}"
        f"\nDVC on the input: {_dvc_says(before['verdicts'][rel]) if before else 'no file'}"
        f"\nours: {step.error if step.text is None else _show(step.text)}"
    )
    allowed = []
    if not is_valid_name(op.name):
        allowed.append("the name is invalid")
    if op.kind == "add" and op.name not in state and not op.path:
        allowed.append("a new artifact without a path")
    if op.kind == "remove" and op.name not in state:
        allowed.append("no such artifact")
    if not loads:
        allowed.append("DVC refuses the input")
    if step.text is None:
        assert allowed, "annotate/remove refused a valid call" + repro
        return
    assert loads or allowed, "unreachable"
    assert not ({"the name is invalid", "no such artifact", "a new artifact without a path"} & set(allowed)), (
        "the call succeeded where it must fail (" + ", ".join(allowed) + ")" + repro
    )
    after = dvc[(rel, step.text)]
    verdict = after["verdicts"][rel]
    assert verdict["ok"], f"DVC cannot read our result: {_dvc_says(verdict)}" + repro
    got = _normal(after["artifacts"].get(rel, {}))
    if loads:
        expected = _expected(state, op)
        assert got == expected, f"DVC reads our result as\n  {got}\nexpected\n  {expected}" + repro
    elif op.kind == "add":  # a file DVC refused that the call made valid (`artifacts:` with no value)
        want = _expected({}, op)[op.name]
        assert got.get(op.name) == want, f"DVC reads {op.name} as {got.get(op.name)}, expected {want}" + repro
    if original is None or not loads:
        return
    if op.kind == "add" and op.name not in state and not _is_flow(original):
        _assert_inserted(original, step.text, repro)
        return
    only = op.kind == "remove" and len(state) == 1
    start, end = _entry_span(original, op.name, whole_section=only)
    assert step.text.startswith(original[:start]), "the text before the entry changed" + repro
    assert step.text.endswith(original[end:]), "the text after the entry changed" + repro
    assert len(step.text) >= start + len(original) - end, "the text around the entry overlaps" + repro
    _assert_style_kept(original, step.text, repro)


@pytest.mark.parametrize("key", ANNOTATE_KEYS, ids=[f"{f.id}-{D.ANNOTATE_OPS[i].cli()}" for f, i in ANNOTATE_KEYS])
def test_annotate(key: tuple[D.AnnotateFile, int], annotated: dict[str, Any]) -> None:
    """One call on a hand-written file (or none)."""
    _check_step(annotated["singles"][key], annotated["dvc"])


@pytest.mark.parametrize("seq", SEQUENCES, ids=[s.id for s in SEQUENCES])
def test_annotate_sequence(seq: D.AnnotateSequence, annotated: dict[str, Any]) -> None:
    """Calls in a row, each on our previous result."""
    failures = []
    for k, step in enumerate(annotated["sequences"][seq.id]):
        try:
            _check_step(step, annotated["dvc"])
        except AssertionError as failure:
            failures.append(f"step {k + 1}: {failure}")
    assert not failures, f"{len(failures)} of {len(seq.ops)} steps wrong:\n" + "\n".join(failures)


def _entry_span(text: str, name: str, whole_section: bool = False) -> tuple[int, int]:
    """Offsets of the entry's lines in a file DVC loads, found by ruamel (not by our parser): from its key line to
    its last content line. A flow section counts as one entry (its lines); `whole_section` starts at the
    `artifacts:` line (removing the only entry may rewrite it to `artifacts: {}`)."""
    data = YAML(typ="rt").load(text)
    starts = _line_starts(text)
    lines = [_line_text(text, k) for k in range(len(starts))]
    top = list(data)
    at = top.index("artifacts")
    section_line = data.lc.key("artifacts")[0]
    stop = data.lc.key(top[at + 1])[0] if at + 1 < len(top) else len(lines)
    section = data["artifacts"]
    if _is_flow(text) or whole_section:
        first = section_line
    else:
        names = list(section)
        k = names.index(name)
        first = section.lc.key(name)[0]
        if k + 1 < len(names):
            stop = section.lc.key(names[k + 1])[0]
    last = stop - 1
    while last > first and (lines[last].strip() == "" or lines[last].lstrip().startswith("#")):
        last -= 1
    return starts[first], starts[last + 1] if last + 1 < len(starts) else len(text)


def _is_flow(text: str) -> bool:
    """The input's section is in flow style (`artifacts: {}` included): a new entry goes inside its braces."""
    data = YAML(typ="rt").load(text)
    if not isinstance(data, dict) or not isinstance(data.get("artifacts"), dict):
        return False
    line = _line_text(text, data.lc.key("artifacts")[0])  # type: ignore[attr-defined]  # ruamel's CommentedMap
    return line.split(":", 1)[1].lstrip().startswith("{")


def _line_text(text: str, line: int) -> str:
    starts = _line_starts(text)
    return text[starts[line] : starts[line + 1] if line + 1 < len(starts) else len(text)]


MUTATION_OPS = (
    C.add("rf", labels=["cc"], description="new"),
    C.add("new", path="n.pkl", type="t"),
    C.add("nn", path="p2", custom={"a": 1}),
    C.rm("rf"),
    C.rm("nn"),
)


def test_annotate_on_mutations(reads: dict[str, dict[str, Any]]) -> None:
    """Annotate/remove on the first 25 line-mutated files DVC loads (odd comments, indents, flow entries)."""
    loaded = [c for c in READ_CASES if c.id.startswith("mut-") and reads[c.id]["verdicts"]["dvc.yaml"]["ok"]][:25]
    steps = [_step("dvc.yaml", c.files["dvc.yaml"], op) for c in loaded for op in MUTATION_OPS]
    texts = {("dvc.yaml", t): None for step in steps for t in (step.before, step.text) if t is not None}
    readings = D.run_cases([D.DvcCase(f"t{k}", {rel: text}) for k, (rel, text) in enumerate(texts)])
    dvc = {key: readings[f"t{k}"] for k, key in enumerate(texts)}
    failures = []
    for step in steps:
        try:
            _check_step(step, dvc)
        except AssertionError as failure:
            failures.append(str(failure))
    assert len(loaded) == 25
    assert not failures, f"{len(failures)} of {len(steps)} calls wrong:\n" + "\n".join(failures)


# --- 4b. where DVC's lookups find the path -------------------------------------------------------------------------


def test_path_resolution() -> None:
    """resolve_path(path, folder) (what our path checks look at) is where `dvc.api.artifacts_show` finds the
    artifact, for paths we do not flag as escaping the repository or as URLs (DVC clamps and mangles those)."""
    _need()
    cases = [D.path_case(folder) for folder in D.PATH_FOLDERS]
    results = dvc_runner.run_dvc([{"files": c.files, "show": names} for c, names in cases])
    wrong = []
    for folder, (_, names), res in zip(D.PATH_FOLDERS, cases, results):
        for path, name in zip(D.PATHS, names):
            ours = resolve_path(path, folder)
            found = res["show"][name]
            if ours.problem in ("escapes", "url", "interpolated"):
                continue
            if ours.resolved != found:
                wrong.append(f"{path!r} in {_dvc_file(folder)}: DVC finds {found!r}, ours {ours}")
    assert not wrong, "\n".join(wrong)


# --- 5. migrate ----------------------------------------------------------------------------------------------------


def _dvc_file(folder: str) -> str:
    return f"{folder}/dvc.yaml" if folder else "dvc.yaml"


def _full(folder: str, name: str) -> str:
    return f"{folder}:{name}" if folder else name


@pytest.fixture(scope="module")
def migrated() -> dict[str, Any]:
    _need()
    ours = {c.id: _call(migrate, c.gto, c.dvc, folder=c.folder) for c in D.MIGRATE_CASES}
    cases = [
        {
            "files": {_dvc_file(c.folder): ours[c.id].dvc.text},
            # artifacts_show where the paths were rebased (a root dvc.yaml keeps them as GTO wrote them)
            "show": [_full(c.folder, n) for n in c.expected] if c.folder else [],
        }
        for c in D.MIGRATE_CASES
    ]
    return {"ours": ours, "dvc": dict(zip([c.id for c in D.MIGRATE_CASES], dvc_runner.run_dvc(cases)))}


@pytest.mark.parametrize("case", D.MIGRATE_CASES, ids=[c.id for c in D.MIGRATE_CASES])
def test_migrate(case: D.MigrateCase, migrated: dict[str, Any]) -> None:
    res = migrated["ours"][case.id]
    dvc = migrated["dvc"][case.id]
    rel = _dvc_file(case.folder)
    repro = (
        f"\nartifacts.yaml: {_show(case.gto)}\n{rel}: {_show(case.dvc)}"
        f"\nours: {rel} {_show(res.dvc.text)}\n      artifacts.yaml {_show(res.gto.text)}"
        f"\n      skipped {res.skipped}"
    )
    verdict = dvc["verdicts"][rel]
    assert verdict["ok"], f"DVC cannot read the migrated dvc.yaml: {_dvc_says(verdict)}" + repro
    got = _normal(dvc["artifacts"].get(rel, {}))
    assert got == _normal(case.expected), f"DVC reads\n  {got}\nexpected\n  {case.expected}" + repro
    described = {str(a.name): cast(dict[str, Any], describe(case.gto, str(a.name))) for a in parse(case.gto).artifacts}
    gto_paths = {name: values.get("path") for name, values in described.items()}
    for name in sorted(set(gto_paths) - set(case.skipped)) if case.folder else []:  # artifacts_show: GTO's path
        found = dvc["show"][_full(case.folder, name)]
        want = posixpath.normpath(cast(str, gto_paths[name]))
        assert found == want, f"artifacts_show({_full(case.folder, name)!r}) finds {found}, GTO had {want}" + repro
    assert sorted(name for name, _ in res.skipped) == sorted(case.skipped), "skipped entries differ" + repro
    left = sorted(str(a.name) for a in parse(res.gto.text).artifacts) if res.gto.text is not None else []
    assert left == sorted(case.skipped), "artifacts.yaml should keep exactly the skipped entries" + repro
    if case.dvc is not None and _is_flow(case.dvc):  # the flow section is the target (rewritten in block style)
        start, end = _entry_span(case.dvc, "", whole_section=True)
        assert res.dvc.text.startswith(case.dvc[:start]), "the text before the section changed" + repro
        assert res.dvc.text.endswith(case.dvc[end:]), "the text after the section changed" + repro
    elif case.dvc is not None:
        _assert_inserted(case.dvc, res.dvc.text, repro)


def test_migrate_gto_matrix() -> None:
    """Every third artifacts.yaml of the GTO differential tests (hand-written files and the reader matrix) that we
    read, migrated into a dvc.yaml with stages: DVC loads it and reads each moved entry as GTO's fields (our
    describe, which test_differential compares with GTO 1.10.1) in DVC's names."""
    _need()
    inputs = [*C.HAND_FILES.values(), *(c.text for c in C.read_cases())][::3]
    runs = []
    for text in inputs:
        try:
            res = _call(migrate, text, D.STAGES)
        except GTOError:
            continue  # a file we refuse to read (the reader tests compare that with GTO)
        skipped = {name for name, _ in res.skipped}
        expected = {}
        for artifact in parse(text).artifacts:
            name = str(artifact.name)
            if name not in skipped:
                fields = describe(text, name) or {}
                expected[name] = {
                    "path": fields.get("path"),
                    "desc": fields.get("description"),
                    "type": fields.get("type"),
                    "labels": fields.get("labels"),
                    "meta": fields.get("custom"),
                }
        runs.append((text, res, _normal(batch.jsonable(expected))))
    readings = D.run_cases([D.DvcCase(f"m{k}", {"dvc.yaml": res.dvc.text}) for k, (_, res, _) in enumerate(runs)])
    wrong = []
    for k, (text, _, expected) in enumerate(runs):
        reading = readings[f"m{k}"]
        verdict = reading["verdicts"]["dvc.yaml"]
        got = _normal(reading["artifacts"].get("dvc.yaml", {})) if verdict["ok"] else _dvc_says(verdict)
        if got != expected:
            wrong.append(f"artifacts.yaml {_show(text)}\n  DVC reads {got}\n  expected {expected}")
    assert len(runs) > 150
    assert not wrong, f"{len(wrong)} of {len(runs)} migrations wrong:\n" + "\n".join(wrong)
