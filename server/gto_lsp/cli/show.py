"""show: GTO 1.10.1's `gto show` (gto/cli.py show, gto/api.py _show_registry and _show_versions): the whole
registry or one artifact's versions, as a table (`fancy_outline`, or `--plain`), `--json`, or one field per line
(`--name`, `--version`, `--stage`, `--ref`), with `--ro`, `--av`, `--vs`, `--sort` and `-d`, from GTO's model
that core/registry/replay.py replays from the tags. `show NAME --json` adds what the tags and commits say beyond
the state (authors, messages, the artifact's annotation at each version's commit), read in two git passes."""

from __future__ import annotations

import argparse
import functools
import json
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, EXIT_PROBLEMS, CliError
from gto_lsp.cli.repository import registry_of, repo_root, stages_of
from gto_lsp.core.messages import cannot_find_artifact

if TYPE_CHECKING:
    from gto_lsp.core.registry.replay import GtoArtifact, GtoStage, GtoVersion
    from gto_lsp.core.registry.show_facts import Details
    from gto_lsp.core.registry.state import Event

NOTHING = "Nothing found in the current workspace"
MULTIPLE_REGISTRATIONS = "Multiple registrations are not supported currently. How you got in here?"
_ADDITION = {"register": True, "deregister": False, "assign": True, "unassign": False}


class Options(NamedTuple):
    """`gto show`'s options that shape the state (not the output's format)."""

    registered_only: bool = False
    deprecated: bool = False
    per_version: int = -1  # --av
    per_stage: int = 1  # --vs
    sort: str = "timestamp"


def _vstages(art: GtoArtifact, opts: Options) -> dict[str, list[GtoStage]]:
    try:
        return art.get_vstages(opts.registered_only, opts.per_version, opts.per_stage, opts.sort)
    except ValueError as error:  # GTO's WrongArgs
        raise CliError(str(error)) from error


def used_stages(model: Mapping[str, GtoArtifact]) -> list[str]:
    """GTO's registry.get_stages() without `.gto` stages: every stage with an active assignment, sorted."""
    return sorted({s for art in model.values() for s in art.get_vstages()})


def registry_state(
    model: Mapping[str, GtoArtifact], stages: list[str], opts: Options, short: bool = False
) -> dict[str, Any]:
    """`gto show --json` ({name: {version, stage, registered, active}}, GTO's order); `short` cuts every version to
    7 characters, as the table does."""

    def cut(value: str) -> str:
        return value[:7] if short else value

    state: dict[str, Any] = {}
    for name, art in model.items():
        if not (art.active or opts.deprecated):
            continue
        latest = art.get_versions()
        vstages = _vstages(art, opts) if stages else {}  # GTO asks per stage column: not at all without one
        state[name] = {
            "version": cut(latest[0].name) if latest else None,
            "stage": {s: ", ".join(cut(v.version) for v in vstages.get(s, [])) or None for s in stages},
            "registered": art.registered,
            "active": art.active,
        }
    return state


def show_json(registry: Any, stages: Optional[tuple[str, ...]], deprecated: bool) -> dict[str, Any]:
    """`gto show --json` with the default options (`-d` aside)."""
    columns = list(stages) if stages is not None else used_stages(registry.model)
    return registry_state(registry.model, columns, Options(deprecated=deprecated))


# --- one artifact's versions ------------------------------------------------------------------------------


def _when(ev: Event, details: Details) -> Any:
    from gto_lsp.core.registry.history import timestamp

    if ev.kind == "commit":
        info = details.commits.get(ev.commit)
        return timestamp(ev.time, info.offset if info else 0)
    tag = details.tags.get(ev.tag or "")
    return timestamp(ev.time, tag.offset if tag else 0)


def _authored(ev: Event, details: Details) -> tuple[str, str, str]:
    """(author, author_email, message) of an event."""
    if ev.kind == "commit":
        info = details.commits.get(ev.commit)
        return (info.author, info.author_email, info.message) if info else ("", "", "")
    tag = details.tags.get(ev.tag or "")
    return (tag.author, tag.author_email, tag.message) if tag else ("", "", "")


def _event(artifact: str, ev: Event, details: Details, named: bool) -> dict[str, Any]:
    """A tag event as GTO's model_dump (`named`: with its "event", as VStage.dict_state adds it)."""
    from gto_lsp.core.registry.history import EVENT_NAMES, PRIORITY

    author, email, message = _authored(ev, details)
    out: dict[str, Any] = {
        "priority": PRIORITY[ev.kind],
        "addition": _ADDITION[ev.kind],
        "artifact": artifact,
        "created_at": _when(ev, details).isoformat(),
        "author": author,
        "author_email": email,
        "message": message,
        "commit_hexsha": ev.commit,
        "tag": ev.tag,
        "version": ev.version,
    }
    if ev.stage is not None:
        out["stage"] = ev.stage
    if named:
        out["event"] = EVENT_NAMES[ev.kind]
    return out


@functools.lru_cache(maxsize=256)  # one parse per distinct file: versions share their index file
def _annotation(text: str, name: str) -> Optional[dict[str, Any]]:
    """The artifact's fields in an artifacts.yaml as GTO's model dumps them (every field), None when absent."""
    from gto_lsp.core.formats.gto.check import full_values, values_of
    from gto_lsp.core.formats.gto.document import parse

    document = parse(text)
    target = document.find(name)
    return None if target is None else full_values(values_of(document, target))


def _commit_event(artifact: str, ev: Event, details: Details) -> dict[str, Any]:
    info = details.commits.get(ev.commit)
    text = details.index_files.get(ev.commit)
    found = None if text is None else _annotation(text, artifact)
    return {
        "priority": 0,
        "addition": True,
        "artifact": artifact,
        "created_at": _when(ev, details).isoformat(),
        "author": info.author if info else "",
        "author_email": info.author_email if info else "",
        "message": info.message if info else "",
        "commit_hexsha": ev.commit,
        "version": ev.version,
        "enrichments": [] if found is None else [{"source": "gto", "artifact": found}],
        "committer": info.committer if info else "",
        "committer_email": info.committer_email if info else "",
    }


def _authoring(ev: Optional[Event], details: Details) -> dict[str, Any]:
    if ev is None:
        return {"created_at": None, "author": None, "author_email": None, "message": None, "ref": None}
    author, email, message = _authored(ev, details)
    return {
        "created_at": _when(ev, details).isoformat(),
        "author": author,
        "author_email": email,
        "message": message,
        "ref": ev.tag if ev.tag is not None else ev.commit,
    }


def _stage_json(art: str, vs: GtoStage, details: Details) -> dict[str, Any]:
    newest = vs.ordered()[-1]
    return {
        "artifact": art,
        "commit_hexsha": vs.commit,
        "version": vs.version,
        "stage": vs.stage,
        "assignments": [_event(art, e, details, True) for e in vs.of_kind("assign")],
        "unassignments": [_event(art, e, details, True) for e in vs.of_kind("unassign")],
        "is_active": vs.active,
        "activated_at": _when(newest, details).isoformat() if newest.kind == "assign" else None,
        **_authoring(vs.authoring, details),
    }


def version_json(art: str, v: GtoVersion, stages: list[GtoStage], details: Details) -> dict[str, Any]:
    """GTO's Version.dict_state() with `stages` as _get_versions sets them (the keys in GTO's order)."""
    return {
        "artifact": art,
        "commit_hexsha": v.commit,
        "version": v.name,
        "enrichments": [_commit_event(art, e, details) for e in v.commits],
        "registrations": [_event(art, e, details, False) for e in v.regs],
        "deregistrations": [_event(art, e, details, False) for e in v.deregs],
        "stages": [_stage_json(art, s, details) for s in stages],
        "is_active": v.active,
        "activated_at": _when(v.activated_at, details).isoformat() if v.activated_at else None,
        **_authoring(v.authoring, details),
        "discovered": v.discovered,
    }


def listed_versions(art: GtoArtifact, shortcut: Any, opts: Options) -> list[tuple[GtoVersion, list[GtoStage]]]:
    """_show_versions' list: the versions `gto show NAME` prints, each with its stages, the shortcut applied."""
    vstages = _vstages(art, opts)
    by_version: dict[str, list[GtoStage]] = {}
    for found in vstages.values():
        for vs in found:
            by_version.setdefault(vs.version, []).append(vs)
    if not (art.active or opts.deprecated):
        return []
    versions = [
        (v, by_version.get(v.name, []))
        for v in art.get_versions(
            active_only=not opts.deprecated, include_non_explicit=not opts.registered_only, include_discovered=True
        )
    ]
    if shortcut is None:
        return versions
    if shortcut.latest:
        return versions[:1]
    if shortcut.version:
        return [p for p in versions if p[0].name == shortcut.version]
    if shortcut.stage:
        return [p for p in versions for s in p[1] if s.stage == shortcut.stage]
    return versions


# --- output -----------------------------------------------------------------------------------------------


def _is_hexsha(value: str) -> bool:
    from gto_lsp.core.registry.history import is_hexsha

    return is_hexsha(value)


def _version_rows(art: GtoArtifact, listed: list[tuple[GtoVersion, list[GtoStage]]], details: Details) -> list[Any]:
    def cut(value: str) -> str:
        return value[:7] if _is_hexsha(value) else value

    name = art.name if art.registered else f"*{art.name}"
    rows = []
    for v, stages in listed:
        authoring = v.authoring
        ref = (authoring.tag if authoring.tag is not None else authoring.commit) if authoring else ""
        if len(v.regs) > 1:
            raise CliError(MULTIPLE_REGISTRATIONS)
        created = _when(authoring, details) if authoring else None
        shown = ", ".join(dict.fromkeys(s.stage for s in stages))
        rows.append({"artifact": name, "version": cut(v.name), "stage": shown, "created_at": created, "ref": cut(ref)})
    return rows


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.cli.common import emoji_fail
    from gto_lsp.cli.history import table

    formats = [args.json, args.plain, args.show_name, args.show_version, args.show_stage, args.show_ref]
    if sum(map(bool, formats)) > 1:
        raise CliError("Unexpected error: Only one output format allowed")
    root = repo_root(args.repo)
    registry = registry_of(root)
    code = EXIT_OK
    if registry.error:
        print(
            emoji_fail() + f"GTO cannot read this registry: every gto command fails with `{registry.error}`. "
            "The state below is what the tags say.",
            file=args.err,
        )
        code = EXIT_PROBLEMS
    opts = Options(args.registered_only, args.deprecated, args.per_version, args.per_stage, args.sort)
    model: Mapping[str, GtoArtifact] = registry.model
    field = next((f for f, on in zip(("name", "version", "stage", "ref"), formats[2:]) if on), None)
    if args.name:
        from gto_lsp.core.config import read_config
        from gto_lsp.core.registry.show_facts import read_details
        from gto_lsp.core.registry.tags import parse_shortcut

        shortcut = parse_shortcut(args.name)
        name = shortcut.name if shortcut else args.name
        art = model.get(name)
        if art is None:
            raise CliError(cannot_find_artifact(name))
        listed = listed_versions(art, shortcut, opts)
        commits = sorted({v.commit for v in art.versions if v.commit})
        details = read_details(root, commits, read_config(root).index, args.json)
        if args.json:
            print(json.dumps([version_json(art.name, v, s, details) for v, s in listed], indent=4), file=out)
            return code
        rows = _version_rows(art, listed, details)
    else:
        stages = stages_of(root)
        columns = list(stages) if stages is not None else used_stages(model)
        state = registry_state(model, columns, opts, short=not args.json)
        if args.json:
            print(json.dumps(state, indent=4), file=out)
            return code
        rows = [
            {
                "name": n if d["registered"] else f"*{n}",
                "latest": d["version"],
                **{f"#{s}": d["stage"][s] for s in columns},
            }
            for n, d in sorted(state.items())
        ]
    if field is not None:
        if not rows:
            return code
        if field not in rows[0]:
            raise CliError(f"Cannot apply --{field}")
        for row in rows:
            print(str(row[field]).rstrip("\r\n"), file=out)
        return code
    if not rows:
        print(NOTHING, file=out)
        return code
    header = list(rows[0])
    print(table([[row[k] for k in header] for row in rows], header, plain=args.plain), file=out)
    return code
