"""core.migrate (artifacts.yaml -> dvc.yaml) at growing sizes: it must be linear (it re-parsed the file once per
moved entry: 400 entries took 6 s and 13,000 never finished).

Run: .venv/bin/python bench/bench_migrate.py [--sizes 1000,4000,13000] [--runs 3]

Each size is an artifacts.yaml in GTO's layout (type, path, description, labels; every 4th entry `virtual: false`,
every 10th with a comment) moved into a dvc.yaml that has a stage. Printed: the median seconds over the runs, the
milliseconds per entry (flat when linear) and the time of each part: the parse and check of artifacts.yaml,
the reading of each entry's values, the new dvc.yaml section and its read-back, the removal from artifacts.yaml.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from gto_lsp.core import migrate as migrate_module

DVC = "stages:\n  train:\n    cmd: python train.py\n    outs:\n      - models\n"


def artifacts_yaml(n: int) -> str:
    out = []
    for i in range(n):
        comment = "  # checked by hand" if i % 10 == 0 else ""
        out.append(
            f"m{i}:{comment}\n  description: model number {i}\n  labels:\n  - ml\n  - v{i % 7}\n"
            f"  path: models/m{i}.pkl\n  type: model\n" + ("  virtual: false\n" if i % 4 == 0 else "")
        )
    return "".join(out)


def timed(parts: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            parts[name] = parts.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,4000,13000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # The parts, timed by wrapping the functions migrate calls (nested calls are counted in their caller only).
    parts: dict[str, float] = {}
    for name, part in (
        ("read_checked", "read and check artifacts.yaml"),
        ("values_of", "values of each entry"),
        ("insert_entries", "dvc.yaml section, read back"),
        ("remove_entries", "removal from artifacts.yaml"),
    ):
        setattr(migrate_module, name, timed(parts, part, getattr(migrate_module, name)))
    print(f"{'entries':>8} {'seconds':>8} {'ms/entry':>9}  parts (s)")
    for n in (int(s) for s in args.sizes.split(",")):
        text = artifacts_yaml(n)
        times = []
        for _ in range(args.runs):
            parts.clear()
            start = time.perf_counter()
            result = migrate_module.migrate(text, DVC)
            times.append(time.perf_counter() - start)
            assert len(result.moved) == n and result.emptied
        seconds = statistics.median(times)
        shown = ", ".join(f"{k} {v:.2f}" for k, v in parts.items())
        print(f"{n:>8} {seconds:>8.2f} {1000 * seconds / n:>9.2f}  {shown}", flush=True)


if __name__ == "__main__":
    main()
