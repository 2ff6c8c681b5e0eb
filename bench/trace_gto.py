"""gto-lsp with timers around its phases, for finding where the benchmark's time goes (nothing in server/ changes).

Serve (what bench_lsp.py starts with `--gto-command`):
    GTO_TRACE=/tmp/trace.jsonl .venv/bin/python bench/trace_gto.py
        [wraps the functions below, logs each call's start and duration, and every collection of the garbage
        collector's oldest generation, as JSON lines, then runs `gto_lsp serve`]
Report:
    .venv/bin/python bench/trace_gto.py --report /tmp/trace.jsonl
        [per diagnostics run (`publish_for`), grouped by the version it published: open (version 1) and the
        edits after it; each wrapped function's median and max ms per run, and the collections during the runs]

A name missing from the server (renamed since) is reported on stderr and skipped.
"""

from __future__ import annotations

import functools
import gc
import importlib
import inspect
import json
import os
import statistics
import sys
import time
from typing import Any, Callable

# (module, attribute path): what runs between an edit and its diagnostics, and at open
TARGETS = (
    ("gto_lsp.lsp.features.diagnostics", "publish_for"),
    ("gto_lsp.lsp.features.diagnostics", "_git_ready"),
    ("gto_lsp.lsp.features.diagnostics", "problems_of"),
    ("gto_lsp.core.formats.gto.format", "check"),
    ("gto_lsp.lsp.features.diagnostics", "publish"),
    ("gto_lsp.lsp.features.diagnostics", "publish_config"),
    ("gto_lsp.lsp.session.server", "GtoLanguageServer.view"),
    ("gto_lsp.lsp.session.server", "GtoLanguageServer.settings_for"),
    ("gto_lsp.lsp.session.server", "GtoLanguageServer.facts"),
    ("gto_lsp.lsp.session.server", "GtoLanguageServer.text_document_publish_diagnostics"),
    ("gto_lsp.core.formats.gto.format", "parse"),
    ("gto_lsp.core.formats.dvc.format", "parse_dvc"),
    ("gto_lsp.core.formats.dvc.format", "check_dvc"),
    ("gto_lsp.lsp.session.repos", "RepoState.current_head"),
    ("gto_lsp.lsp.session.repos", "RepoState.missing_head_paths"),
    ("gto_lsp.lsp.session.repos", "RepoState.warm_head"),
    ("gto_lsp.lsp.session.repos", "RepoState.load_facts"),
    ("gto_lsp.lsp.positions", "LspTextDocument._apply_incremental_change"),
    ("gto_lsp.lsp.positions", "LineIndex.__init__"),
    ("gto_lsp.lsp.positions", "LineIndex.spliced"),
    ("gto_lsp.lsp.positions", "LspTextDocument.too_big"),
    ("gto_lsp.core.repo.safe_read", "shape_of"),
    ("gto_lsp.lsp.features.completion", "complete"),
    ("gto_lsp.lsp.features.hover", "hover"),
)


def _serve() -> None:
    log = open(os.environ.get("GTO_TRACE", "/dev/stderr"), "a", buffering=1)  # noqa: SIM115

    def record(name: str, start: float, end: float, **extra: Any) -> None:
        log.write(json.dumps({"fn": name, "t": start, "ms": (end - start) * 1000, **extra}) + "\n")

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    record(name, start, time.perf_counter())

            return run_async

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                extra = {}
                if name.endswith("publish_diagnostics") and args:
                    extra = {"version": getattr(args[-1], "version", None)}
                record(name, start, time.perf_counter(), **extra)

        return run

    for module_name, path in TARGETS:
        owner: Any = importlib.import_module(module_name)
        *parents, attr = path.split(".")
        try:
            for parent in parents:
                owner = getattr(owner, parent)
            setattr(owner, attr, timed(path.rsplit(".", 1)[-1] if not parents else path, getattr(owner, attr)))
        except AttributeError:
            print(f"trace_gto: {module_name}.{path} not found, not timed", file=sys.stderr)

    started: list[float] = []

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started and info.get("generation") == 2:
            record("gc.gen2", started[0], time.perf_counter(), collected=info.get("collected"))

    gc.callbacks.append(on_gc)
    from gto_lsp.cli import main

    sys.exit(main(["serve"]))


def _report(path: str) -> None:
    with open(path) as handle:
        calls = [json.loads(line) for line in handle if line.strip()]
    for call in calls:
        call["end"] = call["t"] + call["ms"] / 1000
    runs = sorted((c for c in calls if c["fn"] == "publish_for"), key=lambda c: c["t"])
    inner = sorted((c for c in calls if c["fn"] != "publish_for"), key=lambda c: c["t"])
    groups: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        within = [c for c in inner if run["t"] <= c["t"] and c["end"] <= run["end"] + 1e-6]
        versions = [c.get("version") for c in within if c["fn"].endswith("publish_diagnostics")]
        version = versions[0] if versions else None
        label = "from disk" if version is None else "open (v1)" if version == 1 else "edits (v2+)"
        run["inner"] = within
        groups.setdefault(label, []).append(run)
    for label, members in groups.items():
        print(
            f"\n{label}: {len(members)} diagnostics runs, publish_for median {_med(members):.1f} ms, max "
            f"{max(m['ms'] for m in members):.1f} ms"
        )
        names: dict[str, list[float]] = {}
        for member in members:
            totals: dict[str, float] = {}
            for call in member["inner"]:
                totals[call["fn"]] = totals.get(call["fn"], 0.0) + call["ms"]
            for name, total in totals.items():
                names.setdefault(name, []).append(total)
        for name, values in sorted(names.items(), key=lambda item: -statistics.median(item[1])):
            print(
                f"  {name:<55} median {statistics.median(values):8.1f} ms  max {max(values):8.1f} ms"
                f"  (in {len(values)} of {len(members)} runs)"
            )
    outside = [c for c in calls if c["fn"] not in ("publish_for",) and not any(c in r["inner"] for r in runs)]
    names = {}
    for call in outside:
        names.setdefault(call["fn"], []).append(call["ms"])
    if names:
        print("\noutside the diagnostics runs (per call):")
        for name, values in sorted(names.items(), key=lambda item: -sum(item[1])):
            print(
                f"  {name:<55} {len(values):5d} calls  median {statistics.median(values):8.1f} ms"
                f"  max {max(values):8.1f} ms  total {sum(values):8.0f} ms"
            )


def _med(members: list[dict[str, Any]]) -> float:
    times: list[float] = [m["ms"] for m in members]
    return statistics.median(times)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        _report(sys.argv[2])
    else:
        _serve()
