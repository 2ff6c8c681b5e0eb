"""Real DVC 3.67.1 (the ``dvc367`` venv of ``scripts/gto-venvs.sh``) reading ``dvc.yaml`` files, many cases per
subprocess (importing dvc costs ~0.5 s).

Imported by the tests, ``run_dvc(cases)`` sends a list of cases to this same file run as a script by the venv's
python (JSON on stdin, JSON on stdout) and returns one result per case, in order. A case is
``{"files": {relpath: text}}``: in the batch's repository (``git init`` + ``dvc init``, made once per batch), every
file is written byte for byte (UTF-8, no newline translation), DVC forgets what it read before
(``Repo._reset()``, as between two operations of one process), and is asked:

* ``verdicts``: for every file named ``dvc.yaml`` in the case, what ``dvc status`` meets when it builds the index
  (``collect_files`` -> ``Index.from_file``: YAML load, the schema of the whole file, then ``${}`` resolution of
  artifacts and stages), recorded by ``stage_collection_error_handler`` during ``read()``:
  ``{"ok": True}`` or ``{"ok": False, "kind": "yaml" | "schema" | "resolve" | "other", "error": str(exc),
  "errors": [...], "type": <exception class>}``; for a schema error, ``errors`` lists voluptuous' errors as
  ``{"msg", "path"}``; for a YAML error, ruamel's ``{"problem", "context", "line", "column"}`` (1-based).
* ``artifacts``: ``Repo(root).artifacts.read()`` with the files DVC refuses skipped (by that handler),
  ``{dvcyaml: {name: fields}}`` where ``fields`` are the keys as DVC resolved them from the file (before
  ``Artifact(**fields)`` adds its defaults); ``read_error`` when ``read()`` itself raised (then each file's verdict
  comes from its own ``Index.from_file``).
* ``warnings``: what ``read()`` logged at WARNING or above (the invalid-name warnings,
  ``Can't use 'Bad.Name' as artifact name (ID).``).
* ``show`` (when the case has ``"show": [full names]``): ``dvc.api.artifacts_show(name)["path"]`` for each (the
  files committed, each name tagged ``v0.0.1``), or ``{"error": ...}``.
* ``cli`` (when the case has ``"cli": ["status"]``): ``{"rc", "log"}`` of that command run through DVC's own
  entry point (``dvc.cli.main``) in the case's repository, to check that ``verdicts`` are what the CLI meets.

Everything the case wrote is deleted after it (the repository goes back to what ``dvc init`` left).

Values JSON cannot hold come back through ``batch.encode`` (``{"$date": ...}`` and so on).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

TIMEOUT = 600.0


def run_dvc(cases: Sequence[Mapping[str, Any]], timeout: float = TIMEOUT) -> list[dict[str, Any]]:
    """DVC 3.67.1's reading of every case, all in one subprocess of the dvc367 venv."""
    return run_script(Path(__file__).resolve(), cases, timeout)


def run_script(script: Path, cases: Sequence[Mapping[str, Any]], timeout: float = TIMEOUT) -> list[dict[str, Any]]:
    """`script` run by the dvc367 venv's python on the cases (JSON on stdin), one result per case (JSON on stdout)."""
    from compat import gto_runner as gr

    python = gr.venv_python("dvc367")
    if python is None:
        raise RuntimeError(gr.missing_venv_message("dvc367"))
    if not cases:
        return []
    env = {"DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": tempfile.gettempdir()}
    with tempfile.TemporaryDirectory(prefix="dvc-batch-") as tmp:
        proc = gr._run([str(python), str(script)], Path(tmp), env, timeout, json.dumps(list(cases)))
    if proc.exit_code != 0:
        raise RuntimeError(f"DVC batch ({script.name}) failed with exit {proc.exit_code}:\n{proc.stderr[-4000:]}")
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    assert len(results) == len(cases), (len(results), len(cases))
    return results


# --- the script side (runs in the dvc367 venv) -------------------------------------------------------------------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _init(root: Path) -> None:
    from dvc.repo import Repo

    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    Repo.init(str(root)).close()


def _error(exc: BaseException) -> dict[str, Any]:
    from dvc.parsing import ResolveError
    from dvc.utils.strictyaml import YAMLSyntaxError, YAMLValidationError

    out: dict[str, Any] = {"ok": False, "error": str(exc), "type": type(exc).__name__, "errors": []}
    if isinstance(exc, YAMLValidationError):
        out["kind"] = "schema"
        out["errors"] = [{"msg": e.error_message, "path": [str(p) for p in e.path]} for e in exc.exc.errors]
    elif isinstance(exc, YAMLSyntaxError):
        out["kind"] = "yaml"
        cause = exc.exc.__cause__
        mark = getattr(cause, "problem_mark", None)
        out["errors"] = [
            {
                "problem": str(getattr(cause, "problem", None) or cause),
                "context": getattr(cause, "context", None),
                "line": mark.line + 1 if mark is not None else None,
                "column": mark.column + 1 if mark is not None else None,
            }
        ]
    elif isinstance(exc, ResolveError):
        out["kind"] = "resolve"
    else:
        out["kind"] = "other"
    return out


def _write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogateescape"))


def _clean(root: Path, keep: set[str]) -> None:
    """Back to the repository as `dvc init` left it: everything at the top but `keep` (.git, .dvc, ...) goes."""
    for entry in root.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _run_case(repo: Any, case: Mapping[str, Any], capture: _Capture, keep: set[str]) -> dict[str, Any]:
    """One case in the batch's repository: DVC re-reads everything after `repo._reset()`, as it does between two
    locked operations of one process (a fresh Repo per case costs 25 ms in DVC's state database)."""
    from dvc.repo.index import Index

    root = Path(repo.root_dir)
    _write(root, case["files"])
    out: dict[str, Any] = {"verdicts": {}, "artifacts": None, "warnings": [], "read_error": None}
    dvcfiles = sorted(rel for rel in case["files"] if os.path.basename(rel) == "dvc.yaml")
    refused: dict[str, Exception] = {}
    try:
        # read() builds the index as `dvc status` does (collect_files -> Index.from_file for every dvc.yaml); the
        # handler records each file DVC refuses and skips it, so one load of each file gives verdicts and values.
        repo._reset()
        repo.stage_collection_error_handler = lambda path, exc: refused.__setitem__(path.replace(os.sep, "/"), exc)
        capture.messages = []
        try:
            found = repo.artifacts.read()
            out["artifacts"] = {f: {n: dict(fields) for n, fields in arts.items()} for f, arts in _raw(repo, found)}
            out["verdicts"] = {rel: _error(refused[rel]) if rel in refused else {"ok": True} for rel in dvcfiles}
        except Exception as exc:  # not a DvcException (a crash in a constructor): each file on its own
            out["read_error"] = _error(exc)
            repo._reset()
            for rel in dvcfiles:
                try:
                    Index.from_file(repo, str(root / rel))
                    out["verdicts"][rel] = {"ok": True}
                except Exception as file_exc:
                    out["verdicts"][rel] = _error(file_exc)
        out["warnings"] = capture.messages
        if case.get("show"):
            out["show"] = _show(root, case["show"])
        if case.get("cli"):
            out["cli"] = _cli(repo, case["cli"], capture)
    finally:
        _clean(root, keep)
    return out


def _show(root: Path, names: list[str]) -> dict[str, Any]:
    """`dvc.api.artifacts_show(name)` for each full name, after committing the case's files and tagging each name
    `NAME@v0.0.1` (annotated, `:` spelled `=` as GTO does): the commit's path DVC's lookups resolve, or
    ``{"error": ...}``. The tags are deleted afterwards."""
    from dvc.api import artifacts_show

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)

    git("add", "-A")
    git("commit", "-q", "--allow-empty", "-m", "case")
    tags = [name.replace(":", "=") + "@v0.0.1" for name in names]
    out: dict[str, Any] = {}
    try:
        for tag in tags:
            git("tag", "-a", tag, "-m", tag)
        for name in names:
            try:
                out[name] = artifacts_show(name, repo=str(root))["path"]
            except Exception as exc:
                out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        git("tag", "-d", *tags)
    return out


def _cli(repo: Any, args: list[str], capture: _Capture) -> dict[str, Any]:
    """`dvc ARGS` through DVC's own command line entry point, in-process, in the case's repository: its exit code
    and what it logged (errors and warnings)."""
    from dvc.cli import main as dvc_main

    repo._reset()
    capture.messages = []
    rc = dvc_main(list(args))
    return {"rc": rc, "log": capture.messages}


def _raw(repo: Any, found: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """read()'s files with each artifact's fields as resolved from the file (what `Artifact(**fields)` got)."""
    raw = {repo.fs.relpath(f, repo.root_dir): arts for f, arts in repo.index._artifacts.items()}
    assert sorted(raw) == sorted(found), (raw, found)
    return [(f, raw[f]) for f in sorted(raw)]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from compat.batch import encode

    cases = json.load(sys.stdin)
    answer, sys.stdout = sys.stdout, sys.stderr  # DVC prints (`dvc init`'s notice): keep stdout for the answer
    capture = _Capture()
    root_logger = logging.getLogger()
    root_logger.addHandler(capture)
    root_logger.setLevel(logging.WARNING)
    results = []
    with tempfile.TemporaryDirectory(prefix="dvc-batch-") as tmp:
        from dvc.repo import Repo

        root = Path(tmp) / "repo"
        _init(root)
        os.chdir(root)
        with Repo(str(root)) as repo:
            keep = set(os.listdir(root))
            for case in cases:
                try:
                    results.append(_run_case(repo, case, capture, keep))
                except Exception:  # reported per case, the batch goes on
                    import traceback

                    results.append({"crash": traceback.format_exc()})
        os.chdir(tmp)
    json.dump(encode(results), answer)


if __name__ == "__main__":
    main()
