"""Run many real-GTO operations in ONE subprocess of a GTO venv (each subprocess costs ~0.3-1 s).

``run_batch(which, jobs)`` sends a list of jobs to a script run by the venv's python and returns one
result per job, in order. Every job runs with the process's CWD set to its repo, a fresh index manager
for every step (as a separate CLI/shim call would have), and the harness environment of
``gto_runner.gto_env`` plus the job's own ``env``.

A job is ``{"repo": <dir>, "text": <initial artifacts.yaml or None>, "steps": [...], "env": {...}}``.
``text`` None deletes the file; the key ``"text"`` missing leaves the file as it is. The file is written
byte for byte (no newline translation), UTF-8. Steps:

* ``{"op": "read"}`` (gto110): the working-tree file through ``RepoIndexManager.get_index()``, as
  ``gto_runner.read_with_gto110`` does: ``{"ok", "state", "error", "error_type", "exists"}``.
* ``{"op": "add", "kw": {...}}`` (gto110): ``RepoIndexManager.add(update=True, commit=False, push=False,
  **kw)``, as ``gto_runner.annotate_with_gto110_core`` does.
* ``{"op": "remove", "name": n}`` (gto110): ``RepoIndexManager.remove(n)``.
* ``{"op": "cli", "args": [...]}`` (gto028): the real ``gto`` CLI in-process (typer's CliRunner):
  ``{"exit_code", "output"}``.

add/remove/cli steps return ``{"ok", "error", "text"}`` (``text``: the file after the step, None if absent;
``error``: GTO's message as the CLI prints it, without the emoji); a successful add/remove also returns
``state``, GTO's in-memory state after the call (what it wrote, before any write/read round trip).
Exceptions are reported the way GTO's CLI does: a GTOException prints its message, anything else
``Unexpected error: <e>``.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from compat import gto_runner as gr

_SCRIPT = r"""
import base64, contextlib, datetime, json, os, sys, traceback
from typing import Any

__ENCODE__

def file_text(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")

def index_path(repo):
    return os.path.join(repo, "artifacts.yaml")

@contextlib.contextmanager
def job_env(env):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

def error_text(e):
    from gto.exceptions import GTOException
    if isinstance(e, GTOException):
        return str(e)
    return "Unexpected error: %s" % e

def step_110(repo, step):
    from gto.index import RepoIndexManager
    op = step["op"]
    if op == "read":
        try:
            with RepoIndexManager.from_url(repo) as manager:
                exists = os.path.exists(manager.index_path())
                index = manager.get_index()
                # dict(a), not model_dump(): the values as read (a recursive `custom` cannot be dumped)
                state = {n: dict(a) for n, a in index.state.items()}
            return {"ok": True, "state": state, "exists": exists}
        except Exception as e:
            return {"ok": False, "error": error_text(e), "error_type": type(e).__name__}
    try:
        with RepoIndexManager.from_url(repo) as manager:
            if op == "add":
                manager.add(update=True, commit=False, push=False, **step["kw"])
            elif op == "remove":
                manager.remove(commit=False, push=False, name=step["name"])
            else:
                raise ValueError("unknown op %r" % op)
            # GTO's state after the call, as annotate made it (before any write/read round trip)
            state = {n: dict(a) for n, a in manager.current.state.items()}
        out = {"ok": True, "error": None, "state": state}
    except Exception as e:
        out = {"ok": False, "error": error_text(e), "error_type": type(e).__name__}
    out["text"] = file_text(index_path(repo))
    return out

_runner = None

def step_028(repo, step):
    global _runner
    from typer.testing import CliRunner
    import gto.cli
    if _runner is None:
        _runner = CliRunner()
    res = _runner.invoke(gto.cli.app, step["args"], catch_exceptions=True)
    output = res.output
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        output += "".join(traceback.format_exception(res.exception))
    return {"ok": res.exit_code == 0, "exit_code": res.exit_code, "output": output,
            "error": output.strip() if res.exit_code else None, "text": file_text(index_path(repo))}

def fresh_yaml():
    # GTO's YAML object (gto.config.yaml, imported into other gto modules) keeps state across loads: a
    # `%YAML 1.x` directive read once is written on every later dump, and 1.1 stays on for later loads. A real
    # GTO call is one process, so every step gets a fresh object.
    from ruamel.yaml import YAML
    fresh = {}
    for name, module in list(sys.modules.items()):
        old = getattr(module, "yaml", None) if (name == "gto" or name.startswith("gto.")) else None
        if isinstance(old, YAML):
            if id(old) not in fresh:
                new = YAML(typ="safe", pure=True)
                new.default_flow_style = old.default_flow_style
                fresh[id(old)] = new
            module.yaml = fresh[id(old)]

def run_job(job):
    repo = job["repo"]
    os.chdir(repo)
    if "text" in job:
        path = index_path(repo)
        if job["text"] is None:
            if os.path.exists(path):
                os.remove(path)
        else:
            with open(path, "wb") as f:
                f.write(job["text"].encode("utf-8", "surrogateescape"))
    results = []
    with job_env(job.get("env") or {}):
        for step in job["steps"]:
            fresh_yaml()
            try:
                if step["op"] == "cli":
                    results.append(step_028(repo, step))
                else:
                    results.append(step_110(repo, step))
            except BaseException as e:
                results.append({"ok": False, "error": "batch crash: " + "".join(traceback.format_exception(e))})
    return results

jobs = json.load(open(sys.argv[1], encoding="utf-8"))
out = [run_job(job) for job in jobs]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(encode(out), f)
"""


def encode(o: Any, seen: Any = None) -> Any:
    """A JSON-ready copy of a value GTO or we read: YAML values JSON cannot hold (only possible inside `custom`)
    become tagged dicts, mapping keys become strings as json.dumps would make them, a recursive alias
    becomes {"$recursive": true}. The batch script uses the same function."""
    import base64
    import datetime
    import json

    seen = set() if seen is None else seen
    if isinstance(o, (str, int, float, bool)) or o is None:
        return o
    if isinstance(o, datetime.datetime):
        return {"$datetime": o.isoformat()}
    if isinstance(o, datetime.date):
        return {"$date": o.isoformat()}
    if isinstance(o, bytes):
        return {"$bytes": base64.b64encode(o).decode()}
    if isinstance(o, (set, frozenset)):
        return {"$set": sorted(map(repr, o))}
    if id(o) in seen:
        return {"$recursive": True}
    if isinstance(o, dict):
        seen = seen | {id(o)}
        plain = (int, float, bool, type(None))
        return {
            (k if isinstance(k, str) else json.dumps(k) if isinstance(k, plain) else repr(k)): encode(v, seen)
            for k, v in o.items()
        }
    if isinstance(o, (list, tuple)):
        seen = seen | {id(o)}
        return [encode(v, seen) for v in o]
    return {"$repr": repr(o)}


def jsonable(value: Any) -> Any:
    """`value` as it comes back from the batch (through JSON with `encode`)."""
    return json.loads(json.dumps(encode(value)))


def _script() -> str:
    return _SCRIPT.replace("__ENCODE__", inspect.getsource(encode))


def available(*which: gr.Which) -> bool:
    return all(gr.venv_python(w) is not None for w in which)


def run_batch(
    which: gr.Which, jobs: Sequence[Mapping[str, Any]], env: Optional[Mapping[str, str]] = None, timeout: float = 600
) -> list[list[dict[str, Any]]]:
    """Run `jobs` in one subprocess of the `which` venv; one list of step results per job."""
    python = gr.venv_python(which)
    if python is None:
        raise RuntimeError(gr.missing_venv_message(which))
    if not jobs:
        return []
    with tempfile.TemporaryDirectory(prefix="gto-batch-") as tmp:
        src, dst = Path(tmp) / "jobs.json", Path(tmp) / "results.json"
        src.write_text(json.dumps(list(jobs)), encoding="utf-8")
        proc = subprocess.run(
            [str(python), "-c", _script(), str(src), str(dst)],
            cwd=tmp,
            env=gr.gto_env(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0 or not dst.exists():
            raise RuntimeError(f"GTO batch ({which}) failed with exit {proc.returncode}:\n{proc.stderr[-4000:]}")
        results: list[list[dict[str, Any]]] = json.loads(dst.read_text(encoding="utf-8"))
    return results


def read_many(repo: Path, texts: Sequence[Optional[str]]) -> list[gr.ReadResult]:
    """GTO 1.10.1's reader verdict on each text, all in one subprocess (same as `gr.read_with_gto110`)."""
    jobs = [{"repo": str(repo), "text": t, "steps": [{"op": "read"}]} for t in texts]
    out = []
    for (res,) in run_batch("gto110", jobs):
        out.append(
            gr.ReadResult(
                ok=res["ok"],
                state=res.get("state"),
                error=res.get("error"),
                error_type=res.get("error_type"),
                exists=res.get("exists"),
            )
        )
    return out
