"""Run read-only GTO commands on ready repositories, in a GTO venv's python (standard library and GTO only):

    python history_script.py JOBS.json OUT.json     # JOBS: [[args, ...], ...] (each args a list, -r included)

GTO is imported once; the jobs (one per repository) are shared by two forked workers, each command run through
click's CliRunner in-process. OUT gets, per job, [{"code", "out", "err"}, ...] in the order of its commands.

The commands only read, so GTO's registry state of a repository (GitRegistry.get_state, ~0.5 s of enrichment
reads per command) is computed once per repository and worker, by GTO, and handed to the next commands as a deep
copy (or its exception raised again): the same answers, a tenth of the time."""

from __future__ import annotations

import copy
import json
import multiprocessing
import sys
from typing import Any

_COMMAND: Any = None
_STATES: dict[Any, Any] = {}


def _memoize_state() -> None:
    from gto.registry import GitRegistry

    compute = GitRegistry.get_state

    def get_state(self: Any, all_branches: bool = False, all_commits: bool = False) -> Any:
        key = (self.scm.root_dir, all_branches, all_commits)
        if key not in _STATES:
            try:
                _STATES[key] = (compute(self, all_branches=all_branches, all_commits=all_commits), None)
            except Exception as exc:  # GTO cannot read this registry: every command fails the same way
                _STATES[key] = (None, exc)
        state, error = _STATES[key]
        if error is not None:
            raise error
        return copy.deepcopy(state)

    GitRegistry.get_state = get_state


def _run(job: list[list[str]]) -> list[dict[str, Any]]:
    from click.testing import CliRunner

    results = []
    for args in job:
        res = CliRunner().invoke(_COMMAND, args, catch_exceptions=True)
        err = res.stderr
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            err += f"\nCRASH {type(res.exception).__name__}: {res.exception}"
        results.append({"code": res.exit_code, "out": res.stdout, "err": err})
    return results


def main(jobs_path: str, out_path: str, workers: int = 2) -> None:
    global _COMMAND
    import gto.cli

    _COMMAND = gto.cli.app
    _memoize_state()
    with open(jobs_path, encoding="utf-8") as f:
        jobs = json.load(f)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_run, jobs, chunksize=1)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
