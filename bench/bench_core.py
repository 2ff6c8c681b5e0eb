"""Benchmark of the core against its targets and, side by side, against GTO 1.10.1's own core.

Run: .venv/bin/python bench/bench_core.py [--sizes 1000,10000] [--repeat 30] [--dvc-sizes 1000,10000]
Prints, for each size: first full check (the collector off, as in the server; its CPU split in parse and check),
check after a one-line edit (median), annotate of one entry (editor path: document already parsed; CLI path: from
text), with the target and the ratio to GTO 1.10.1's annotate (`RepoIndexManager.add` in its own virtualenv, timed
inside that process) and to ruamel.yaml's round-trip load.
Then, for each dvc.yaml size (bench_dvc.py's file: 50 stages, then the artifacts): first parse_dvc + check_dvc
and the same after a one-line edit, against the same targets and DVC 3.67.1's own `Repo.artifacts.read()`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from bench_dvc import make_dvc_workspace  # noqa: E402
from gto_lsp.core.edits import AnnotateRequest  # noqa: E402
from gto_lsp.core.formats.dvc.document import DvcDocument, parse_dvc  # noqa: E402
from gto_lsp.core.formats.dvc.rules import check_dvc  # noqa: E402
from gto_lsp.core.formats.gto.check import check  # noqa: E402
from gto_lsp.core.formats.gto.document import Document, parse  # noqa: E402
from gto_lsp.core.formats.gto.edit import annotate  # noqa: E402
from gto_lsp.core.repo.fs import RepoView  # noqa: E402
from gto_lsp.core.yaml.nodes import HAVE_LIBYAML  # noqa: E402

T = TypeVar("T")

TARGETS: dict[int, dict[str, Optional[float]]] = {
    1000: {"first": 150.0, "edit": 10.0, "annotate": 20.0},
    10000: {"first": None, "edit": 50.0, "annotate": 100.0},
}


def make_file(count: int) -> str:
    parts = []
    for i in range(count):
        parts.append(
            f"model-{i:05d}:\n  custom: '{{\"a\": {i}}}'\n"
            f"  description: Random forest model number {i} trained on the big dataset\n"
            f"  labels:\n  - ml\n  - team-{i % 7}\n  path: models/m{i}/model.pkl\n  type: model\n"
        )
    return "".join(parts)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def timed_first(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU ms of each of `repeat` runs of `fn`, the collector off as the server runs a first parse and
    check (lsp/session/collector.py's parse_paused): a collection walking the growing parse is not the code's time.
    The garbage of a run is collected before the next, untimed."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        finally:
            gc.enable()
    gc.collect()
    return walls, cpus


def timed_edits(text: str, size: int, repeat: int, document: T, reparse: Callable[[str, T], T]) -> list[float]:
    """`repeat` one-line edits in the middle entry's description, each re-parsed from the previous document and
    checked by `reparse`. First, as the language server does after a large first parse, the collector is frozen:
    the long-lived nodes leave its generations, so a full collection does not stall an edit."""
    edited = [
        text.replace(f"model number {size // 2} trained", f"model number {size // 2} v{i} trained")
        for i in range(repeat)
    ]
    gc.freeze()
    current = [document]
    count = [0]

    def edit_once() -> None:
        count[0] += 1
        current[0] = reparse(edited[count[0] % repeat], current[0])

    return timed(edit_once, repeat)


GTO_SCRIPT = r"""
import sys, time, json, os
from gto.index import RepoIndexManager
repo = sys.argv[1]
times = []
for i in range(int(sys.argv[2])):
    start = time.perf_counter()
    with RepoIndexManager.from_url(repo) as index:
        index.add("model-00500", type="model", path=None, must_exist=False, allow_same_path=True,
                  labels=["bench%d" % i], description="", custom=None, update=True)
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps(times))
"""


def gto_annotate_ms(text: str, repeat: int) -> Optional[float]:
    python = ROOT / ".cache" / "gto-venvs" / "gto110" / "bin" / "python"
    if not python.exists() or repeat < 1:  # --gto-repeat 0: GTO not run
        return None
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["git", "init", "-q", tmp], check=True)
        Path(tmp, "artifacts.yaml").write_text(text)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GTO_", "PYTHON"))}
        result = subprocess.run(
            [str(python), "-c", GTO_SCRIPT, tmp, str(repeat)], capture_output=True, text=True, env=env
        )
        if result.returncode != 0:
            print("GTO run failed:", result.stderr[-500:], file=sys.stderr)
            return None
        times: list[float] = json.loads(result.stdout.strip().splitlines()[-1])
        return statistics.median(times)


DVC_SCRIPT = r"""
import sys, time, json
from dvc.repo import Repo
repo = Repo(sys.argv[1])
times = []
for i in range(int(sys.argv[2])):
    repo._reset()  # forget what was read, as between two commands
    start = time.perf_counter()
    found = repo.artifacts.read()
    times.append((time.perf_counter() - start) * 1000)
assert sum(len(v) for v in found.values()) == int(sys.argv[3]), "DVC did not read every artifact"
print(json.dumps(times))
"""


def dvc_read_ms(repo: Path, count: int, repeat: int) -> Optional[float]:
    """DVC 3.67.1's `Repo.artifacts.read()` (YAML load, schema of the whole file, `${}` resolution), median ms,
    in the dvc367 venv of scripts/gto-venvs.sh; None when that venv is missing."""
    python = ROOT / ".cache" / "gto-venvs" / "dvc367" / "bin" / "python"
    if not python.exists() or repeat <= 0:
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GTO_", "PYTHON"))}
    env["DVC_NO_ANALYTICS"] = "1"
    result = subprocess.run(
        [str(python), "-c", DVC_SCRIPT, str(repo), str(repeat), str(count)], capture_output=True, text=True, env=env
    )
    if result.returncode != 0:
        print("DVC run failed:", result.stderr[-500:], file=sys.stderr)
        return None
    times: list[float] = json.loads(result.stdout.strip().splitlines()[-1])
    return statistics.median(times)


def ruamel_roundtrip_ms(text: str) -> float:
    from ruamel.yaml import YAML

    yaml = YAML()
    start = time.perf_counter()
    yaml.load(text)
    return (time.perf_counter() - start) * 1000


def row(label: str, value: float, target: Optional[float], peer: Optional[float] = None, peer_name: str = "") -> str:
    verdict = "" if target is None else ("ok" if value <= target else "OVER")
    target_text = "-" if target is None else f"<= {target:.0f} ms"
    ratio = f"  {peer / value:6.1f}x faster than {peer_name} ({peer:.0f} ms)" if peer else ""
    return f"  {label:<34} {value:9.2f} ms   target {target_text:<10} {verdict:<4}{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--gto-repeat", type=int, default=3)
    parser.add_argument("--dvc-sizes", default="1000,10000", help="dvc.yaml sizes ('' for none)")
    parser.add_argument("--dvc-repeat", type=int, default=3, help="runs of DVC's own read (0: none)")
    args = parser.parse_args()
    print(f"libyaml: {HAVE_LIBYAML}   python {sys.version.split()[0]}")
    for size in (int(s) for s in args.sizes.split(",") if s):
        bench_size(size, args.repeat, args.gto_repeat)
    for size in (int(s) for s in args.dvc_sizes.split(",") if s):
        bench_dvc_size(size, args.repeat, args.dvc_repeat)


def bench_size(size: int, repeat: int, gto_repeat: int) -> None:
    text = make_file(size)
    targets = TARGETS.get(size, {"first": None, "edit": None, "annotate": None})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i in range(size):
            (root / "models" / f"m{i}").mkdir(parents=True, exist_ok=True)
            (root / "models" / f"m{i}" / "model.pkl").touch()
        parse_cpu: list[float] = []

        def first_read() -> None:
            start = time.process_time()
            read = parse(text)
            parse_cpu.append((time.process_time() - start) * 1000)
            check(read, repo=RepoView(root=root))

        first, first_cpu = timed_first(first_read, 5)
        check_cpu = [whole - part for whole, part in zip(first_cpu, parse_cpu)]
        document = parse(text)
        view = RepoView(root=root)
        check(document, repo=view)

        def reparse(edited: str, previous: Document) -> Document:
            out = parse(edited, previous)
            check(out, repo=view)
            return out

        edits = timed_edits(text, size, repeat, document, reparse)
        request = AnnotateRequest(name=f"model-{size // 2:05d}", labels=("new-label",), description="Updated")
        editor_annotate = timed(lambda: annotate(text, request, previous=document), repeat)
        cli_annotate = timed(lambda: annotate(text, request), 5)
    gto = gto_annotate_ms(text, gto_repeat)
    ruamel = ruamel_roundtrip_ms(text) if size <= 1000 else None
    print(f"\n{size} artifacts ({len(text) / 1024:.0f} KB):")
    print(row("first full check", statistics.median(first), targets["first"], ruamel, "ruamel round-trip load"))
    print(row("  its CPU: parse (median of 5)", statistics.median(parse_cpu), None))
    print(row("  its CPU: check (median of 5)", statistics.median(check_cpu), None))
    print(row("check after a one-line edit (median)", statistics.median(edits), targets["edit"]))
    print(
        row(
            "annotate, editor (parsed doc)",
            statistics.median(editor_annotate),
            targets["annotate"],
            gto,
            "GTO 1.10.1 annotate",
        )
    )
    print(row("annotate, CLI (from text)", statistics.median(cli_annotate), None, gto, "GTO 1.10.1 annotate"))


def bench_dvc_size(size: int, repeat: int, dvc_repeat: int) -> None:
    """parse_dvc + check_dvc of a dvc.yaml of 50 stages and `size` artifacts (bench_dvc.py's file, without its
    error), paths checked against the files on disk; DVC's own read of the same file side by side."""
    targets = TARGETS.get(size, {"first": None, "edit": None})
    with tempfile.TemporaryDirectory() as tmp:
        repo, _, text = make_dvc_workspace(Path(tmp), size, leftover=False)  # DVC wants git
        first, _ = timed_first(lambda: check_dvc(parse_dvc(text), repo=RepoView(root=repo)), 5)
        document = parse_dvc(text)
        view = RepoView(root=repo)
        problems = check_dvc(document, repo=view)
        assert not problems, problems[:3]

        def reparse(edited: str, previous: DvcDocument) -> DvcDocument:
            out = parse_dvc(edited, previous)
            check_dvc(out, repo=view)
            return out

        edits = timed_edits(text, size, repeat, document, reparse)
        dvc = dvc_read_ms(repo, size, dvc_repeat)
        gc.unfreeze()
    print(f"\ndvc.yaml: 50 stages, {size} artifacts ({len(text) / 1024:.0f} KB):")
    print(row("first parse_dvc + check_dvc", statistics.median(first), targets["first"], dvc, "DVC's artifacts.read"))
    print(row("parse + check after an edit (median)", statistics.median(edits), targets["edit"]))


if __name__ == "__main__":
    main()
