"""Real DVC 3.67.1's pipeline of each case: its stages, their outputs and the DAG, many cases per subprocess.

Imported by the tests, ``run_graphs(cases)`` sends the cases to this file run as a script by the dvc367 venv's
python (JSON on stdin, JSON on stdout). A case is ``{"files": {relpath: text}}``; each case gets its own fresh
folder (``Repo.init(no_scm=True)``), its files written byte for byte, and DVC's index is read:

* ``{"ok": True, "stages": {address: {"outs": [path from the root], "deps": [address of the stages it depends
  on]}}}``, where an address is DVC's (``train``, ``train@0``, ``sub/dvc.yaml:train``) and the edges are
  ``index.graph``'s (a stage -> the stages whose outputs it reads);
* ``{"ok": False, "type": <exception class>, "error": str(exc)}`` when reading the index or building the graph
  fails (OutputDuplicationError, OverlappingOutputPathsError, CyclicGraphError...).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

TIMEOUT = 600.0


def run_graphs(cases: Sequence[Mapping[str, Any]], timeout: float = TIMEOUT) -> list[dict[str, Any]]:
    """DVC 3.67.1's pipeline of every case, all in one subprocess of the dvc367 venv."""
    from compat.dvc_runner import run_script

    return run_script(Path(__file__).resolve(), cases, timeout)


def _pipeline(root: Path) -> dict[str, Any]:
    from dvc.repo import Repo

    repo = Repo(str(root))
    try:
        errors: list[str] = []

        def refuse(path: str, exc: Exception) -> None:
            errors.append(f"{path}: {type(exc).__name__}: {exc}")
            raise exc

        repo.stage_collection_error_handler = refuse
        index = repo.index
        stages = list(index.stages)
        graph = index.graph
        out: dict[str, Any] = {}
        for stage in stages:
            outs = sorted(Path(os.path.relpath(o.fs_path, root)).as_posix() for o in stage.outs)
            deps = sorted({s.addressing for s in graph.successors(stage)})
            out[stage.addressing] = {"outs": outs, "deps": deps}
        return {"ok": True, "stages": out}
    except Exception as exc:  # every refusal is the answer
        return {"ok": False, "type": type(exc).__name__, "error": str(exc)}
    finally:
        repo.close()


def _main() -> None:
    import logging

    from dvc.repo import Repo

    logging.disable(logging.CRITICAL)
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="case-") as tmp:
            root = Path(tmp)
            Repo.init(str(root), no_scm=True).close()
            for rel, text in case["files"].items():
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.encode("utf-8"))
            os.chdir(root)  # DVC's addresses are relative to the working folder
            results.append(_pipeline(root))
            os.chdir(tempfile.gettempdir())
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    _main()
