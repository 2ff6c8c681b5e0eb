"""history: GTO 1.10.1's `gto history [NAME]` (a journal of the registry's tag events, newest first; a table,
`--plain` or `--json`) from the state core/registry computes from the tags."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any, Optional, Sequence, TextIO

from gto_lsp.cli.common import EXIT_OK, CliError

NOTHING = "Nothing found in the current workspace"
COLUMNS = ("timestamp", "artifact", "event", "version", "stage", "commit", "ref")
_MISSING = "-"


# --- tabulate's rules, as GTO prints its tables (tablefmt fancy_outline or plain, missingval "-") --------------


def _cell_type(value: Any) -> int:
    """tabulate's type rank of a cell: 0 missing, 1 bool, 2 int, 3 float, 5 text (a datetime is text)."""
    if value is None or value == "":
        return 0
    if not isinstance(value, str):
        return 5
    if value in ("True", "False"):
        return 1
    try:
        int(value)
        return 2
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return 5
    # an overflow ("1e999") is text; "inf" and "nan" themselves are numbers
    if (math.isinf(number) or math.isnan(number)) and value.lower() not in ("inf", "-inf", "nan"):
        return 5
    return 3


def _after_point(text: str) -> int:
    # tabulate's _afterpoint: digits after the point (or the exponent) of a float, -1 otherwise
    if _cell_type(text) != 3:
        return -1
    pos = text.rfind(".")
    pos = text.lower().rfind("e") if pos < 0 else pos
    return len(text) - pos - 1 if pos >= 0 else -1


def _format(value: Any, column: int) -> str:
    if value is None:
        return _MISSING
    if column == 3 and isinstance(value, str) and value:
        try:
            return format(float(value), "g")
        except ValueError:
            return value
    return str(value)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str], plain: bool = False) -> str:
    """tabulate(rows, header, tablefmt="fancy_outline" or "plain", missingval="-") for one-line cells: numbers
    (int-like or float-like text in every cell of a column) right-aligned on their decimal point, the rest left."""
    columns = list(zip(*rows)) if rows else [() for _ in header]
    texts: list[list[str]] = []
    numeric: list[bool] = []
    for cells in columns:
        kind = 1  # tabulate starts from bool; text (5) is the most generic: no need to look further
        for cell in cells:
            kind = max(kind, _cell_type(cell))
            if kind == 5:
                break
        shown = [_format(c, kind) for c in cells]
        if kind in (2, 3):
            points = [_after_point(s) for s in shown]
            most = max(points, default=-1)
            shown = [s + " " * (most - p) for s, p in zip(shown, points)]
        texts.append(shown)
        numeric.append(kind in (2, 3))
    widths = [max([len(h) + 2] + [len(s) for s in col]) for h, col in zip(header, texts)]

    def pad(text: str, width: int, right: bool) -> str:
        return text.rjust(width) if right else text.ljust(width)

    head = [pad(h, w, n) for h, w, n in zip(header, widths, numeric)]
    body = [[pad(col[i], w, n) for col, w, n in zip(texts, widths, numeric)] for i in range(len(rows))]
    if plain:
        return "\n".join("  ".join(cells).rstrip() for cells in [head, *body])

    def bar(left: str, mid: str, right: str) -> str:
        return left + mid.join("═" * (w + 2) for w in widths) + right

    lines = [bar("╒", "╤", "╕"), "│ " + " │ ".join(head) + " │", bar("╞", "╪", "╡")]
    lines += ["│ " + " │ ".join(cells) + " │" for cells in body]
    return "\n".join([*lines, bar("╘", "╧", "╛")])


# --- the command ----------------------------------------------------------------------------------------------


def readable_registry(root: Any) -> Any:
    """The registry of the repository at `root`, or CliError with GTO's words where GTO cannot read it: a `.gto`
    it refuses (before anything else), a registry it fails on."""
    from gto_lsp.cli.repository import registry_of

    refuse_wrong_config(root)
    registry = registry_of(root)
    if registry.error:
        raise CliError(registry.error)
    return registry


def refuse_wrong_config(root: Any) -> None:
    """GTO reads `.gto` first for every command, and refuses them all when it has a problem."""
    from gto_lsp.core.config import read_config
    from gto_lsp.core.messages import wrong_config

    if read_config(root).problems:
        raise CliError(wrong_config(str(root)))


def history_output(root: Any, name: Optional[str], as_json: bool, plain: bool, ascending: bool) -> str:
    """What `gto history` prints for the repository at `root` (raises CliError where GTO fails)."""
    from gto_lsp.core.registry.history import history_rows
    from gto_lsp.core.registry.tag_info import read_tag_info

    registry = readable_registry(root)
    rows = history_rows(
        registry,
        name,
        ascending=ascending,
        tag_info=read_tag_info(root),
        truncate_hexsha=not as_json,
        as_datetime=not as_json,
    )
    if as_json:
        return json.dumps(rows, indent=4)
    if not rows:
        return NOTHING
    return table([[row[c] for c in COLUMNS] for row in rows], COLUMNS, plain)


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.cli.repository import repo_root

    if args.json and args.plain:
        raise CliError("--json and --plain are two output formats: use one of them")
    print(history_output(repo_root(args.repo), args.name, args.json, args.plain, args.ascending), file=out)
    return EXIT_OK


def add_parsers(sub: Any, repo_option: Any) -> None:
    p = sub.add_parser("history", help="Show a journal of registry operations (the tag events), as `gto history`")
    p.add_argument("name", nargs="?", default=None, help="Artifact name to show. If empty, show all.")
    repo_option(p)
    p.add_argument("--json", action="store_true", help="Print output in json format")
    p.add_argument("--plain", action="store_true", help="Print table in grep-able format")
    p.add_argument("--ascending", "--asc", action="store_true", help="Show the oldest first")
    p.set_defaults(run=cmd_history)
