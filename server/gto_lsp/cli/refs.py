"""stages and check-ref: GTO 1.10.1's `gto stages` (the stages `.gto` allows, or those in use) and `gto check-ref`
(the event a GTO tag made), from the state core/registry computes from the tags."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, CliError, emoji_fail

_OUTPUT_FLAGS = ("json", "name", "version", "event", "stage")


def used_stages(registry: Any) -> list[str]:
    """GTO's `stages --used`: every stage active on an active version of any artifact, sorted (deprecated
    artifacts included)."""
    return sorted({stage for art in registry.artifacts.values() for stage in art.stages})


def stages_list(root: Path, allowed: bool, used: bool) -> Optional[list[str]]:
    """`gto stages`: `.gto`'s stages (None when it sets none) with `allowed`; the stages in use with `used`; by
    default `.gto`'s when it sets them, else those in use. Raises CliError where GTO fails."""
    from gto_lsp.cli.history import readable_registry, refuse_wrong_config
    from gto_lsp.cli.repository import stages_of

    refuse_wrong_config(root)
    if allowed and used:
        raise CliError("--allowed and --used ask for two different lists: use one of them")
    configured = stages_of(root)
    if allowed or (configured is not None and not used):
        return list(configured) if configured is not None else None
    return used_stages(readable_registry(root))


def cmd_stages(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.cli.repository import repo_root

    found = stages_list(repo_root(args.repo), args.allowed, args.used)
    if args.json:
        print(json.dumps(found, indent=4), file=out)
    else:
        for stage in found or ():
            print(stage, file=out)
    return EXIT_OK


def check_ref_events(root: Path, ref: str) -> list[dict[str, Any]]:
    """The events (as `check-ref --json` prints them) that the GTO tag `ref` made: none when `ref` is no tag of
    GTO's format. Raises CliError where GTO fails (a registry it cannot read)."""
    from gto_lsp.cli.history import refuse_wrong_config
    from gto_lsp.cli.repository import registry_of
    from gto_lsp.core.registry.history import event_json, events_newest_first
    from gto_lsp.core.registry.tag_info import read_tag_info
    from gto_lsp.core.registry.tags import parse_tag

    refuse_wrong_config(root)
    tag_name = ref[len("refs/tags/") :] if ref.startswith("refs/tags/") else ref
    registry = registry_of(root)
    parsed = parse_tag(tag_name) if tag_name in registry.tags else None
    if parsed is None:
        return []
    if registry.error:
        raise CliError(registry.error)
    found = [
        (name, ev)
        for name, ev in events_newest_first(registry)
        if name == parsed.artifact and ev.kind != "commit" and ev.tag == tag_name
    ]
    infos = read_tag_info(root) if found else {}
    return [event_json(name, ev, infos.get(tag_name)) for name, ev in found]


def _sentence(event: dict[str, Any]) -> str:
    """GTO's str() of an event."""
    art, kind = event["artifact"], event["event"]
    if kind == "deprecation":
        return f'Artifact "{art}" was deprecated'
    version = f'version "{event["version"]}" of artifact "{art}"'
    if kind == "registration":
        return f"V{version[1:]} was registered"
    if kind == "deregistration":
        return f"V{version[1:]} was deregistered"
    if kind == "assignment":
        return f'Stage "{event["stage"]}" was assigned to {version}'
    return f'Stage "{event["stage"]}" was unassigned from {version}'


def cmd_check_ref(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.cli.repository import repo_root

    asked = [f"--{flag}" for flag in _OUTPUT_FLAGS if getattr(args, f"show_{flag}")]
    if len(asked) > 1:
        raise CliError(f"{' and '.join(asked)} are different outputs: use at most one of them")
    events = check_ref_events(repo_root(args.repo), args.ref)
    if len(events) > 1:
        raise CliError("Checking refs that created 1+ events is not supported")
    if not events:
        return EXIT_OK
    event = events[0]
    if args.show_json:
        print(json.dumps(event, indent=4), file=out)
    elif asked:
        key = {"--name": "artifact", "--version": "version", "--stage": "stage", "--event": "event"}[asked[0]]
        if event.get(key):
            print(event[key], file=out)
    else:
        ok = "✅ " if emoji_fail() else ""  # GTO's emojis come and go together (GTO_EMOJIS)
        print(f"{ok} {_sentence(event)}", file=out)
    return EXIT_OK


def add_parsers(sub: Any, repo_option: Any) -> None:
    p = sub.add_parser("stages", help="Print the stages of the registry (from .gto, or those in use), as `gto stages`")
    repo_option(p)
    p.add_argument("--allowed", action="store_true", help="Show allowed stages from config")
    p.add_argument("--used", action="store_true", help="Show stages that were ever used (from all git tags)")
    p.add_argument("--json", action="store_true", help="Print output in json format")
    p.set_defaults(run=cmd_stages)

    p = sub.add_parser(
        "check-ref", help="Find out the artifact version registered/assigned with a git tag, as `gto check-ref`"
    )
    p.add_argument("ref", help="Git reference to analyze")
    repo_option(p)
    p.add_argument("--json", dest="show_json", action="store_true", help="Print output in json format")
    p.add_argument("--name", dest="show_name", action="store_true", help="Show artifact name")
    p.add_argument("--version", dest="show_version", action="store_true", help="Output artifact version")
    p.add_argument("--event", dest="show_event", action="store_true", help="Show event")
    p.add_argument("--stage", dest="show_stage", action="store_true", help="Show artifact stage")
    p.set_defaults(run=cmd_check_ref)
