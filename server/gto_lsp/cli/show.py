"""show: GTO 1.10.1's `gto show` (the whole registry, or one artifact's versions; a table or `--json`) from the
state core/registry computes from the tags."""

from __future__ import annotations

import argparse
import json
from typing import Any, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, EXIT_PROBLEMS, CliError
from gto_lsp.cli.repository import registry_of, repo_root, stages_of
from gto_lsp.core.messages import cannot_find_artifact


def show_json(registry: Any, stages: Optional[tuple[str, ...]], deprecated: bool) -> dict[str, Any]:
    """`gto show --json`: {name: {version, stage: {stage: version}, registered, active}}."""
    columns = list(stages) if stages is not None else sorted({s for a in registry.artifacts.values() for s in a.stages})
    arts = registry.artifacts
    return {
        name: {
            "version": art.latest,
            "stage": {s: art.stages.get(s) for s in columns},
            "registered": art.registered,
            "active": not art.deprecated,
        }
        for name, art in ((n, arts[n]) for n in registry.order or arts)
        if deprecated or not art.deprecated
    }


def _versions_json(art: Any, versions: Any) -> list[dict[str, Any]]:
    return [
        {
            "artifact": art.name,
            "version": v.version,
            "commit_hexsha": v.commit,
            "is_active": v.active,
            "registered": v.registered,
            "stages": list(v.stages),
            "created_at": v.created_at,
        }
        for v in versions
    ]


def _fancy(rows: list[list[str]], header: list[str]) -> str:
    """tabulate's `fancy_outline`, as `gto show` prints its tables."""
    widths = [max([len(h) + 2] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]

    def bar(left: str, mid: str, right: str) -> str:
        return left + mid.join("═" * (w + 2) for w in widths) + right

    def line(cells: list[str]) -> str:
        return "│ " + " │ ".join(c.ljust(w) for c, w in zip(cells, widths)) + " │"

    return "\n".join([bar("╒", "╤", "╕"), line(header), bar("╞", "╪", "╡"), *map(line, rows), bar("╘", "╧", "╛")])


def _short(version: str) -> str:
    """A commit sha as the table shows it (7 characters); versions stay whole (GTO cuts them to 7 as well)."""
    return version[:7] if len(version) == 40 and all(c in "0123456789abcdef" for c in version) else version


def _authoring(version: Any) -> tuple[float, str]:
    """(time, ref) of the event `gto show NAME` names: the newest registration, else the newest event."""
    events = [e for e in version.events if e.kind == "register"] or list(version.events)
    if not events:
        return version.created_at, _short(version.commit)
    last = events[-1]
    return last.time, last.tag or _short(last.commit)


def _version_rows(art: Any, versions: Any) -> list[list[str]]:
    from datetime import datetime, timezone

    name = art.name if art.registered else f"*{art.name}"
    rows = []
    for v in versions:
        when, ref = _authoring(v)
        shown = [s for s, picked in art.stages.items() if picked == v.version]
        created = str(datetime.fromtimestamp(when, timezone.utc))
        rows.append([name, _short(v.version), ", ".join(shown), created, ref])
    return rows


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.cli.common import emoji_fail

    root = repo_root(args.repo)
    registry = registry_of(root)
    stages = stages_of(root)
    code = EXIT_OK
    if registry.error:
        print(
            emoji_fail() + f"GTO cannot read this registry: every gto command fails with `{registry.error}`. "
            "The state below is what the tags say.",
            file=args.err,
        )
        code = EXIT_PROBLEMS
    nothing = "Nothing found in the current workspace"
    if args.name:
        from gto_lsp.core.registry.tags import parse_shortcut

        shortcut = parse_shortcut(args.name)
        name = shortcut.name if shortcut else args.name
        art = registry.artifacts.get(name)
        if art is None:
            raise CliError(cannot_find_artifact(name))
        hidden = art.deprecated and not args.deprecated
        listed = [v for v in art.versions if args.deprecated or v.active]
        if shortcut and shortcut.latest:
            listed = listed[:1]
        elif shortcut and shortcut.version:
            listed = [v for v in listed if v.version == shortcut.version]
        elif shortcut and shortcut.stage:
            listed = [v for v in listed if art.stages.get(shortcut.stage) == v.version]
        if hidden:
            listed = []
        if args.json:
            print(json.dumps(_versions_json(art, listed), indent=4), file=out)
            return code
        rows = _version_rows(art, listed)
        header = ["artifact", "version", "stage", "created_at", "ref"]
        print(_fancy(rows, header) if rows else nothing, file=out)
        return code
    state = show_json(registry, stages, args.deprecated)
    if args.json:
        print(json.dumps(state, indent=4), file=out)
        return code
    columns = list(stages) if stages is not None else sorted({s for d in state.values() for s in d["stage"]})
    rows = [
        [name if d["registered"] else f"*{name}", _short(d["version"] or "-")]
        + [_short(d["stage"].get(s) or "-") for s in columns]
        for name, d in sorted(state.items())
    ]
    print(_fancy(rows, ["name", "latest"] + [f"#{s}" for s in columns]) if rows else nothing, file=out)
    return code
