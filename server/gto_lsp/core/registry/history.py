"""GTO 1.10.1's journal of registry operations (`gto history [NAME] --json`, and the rows of its table), and the
events `gto check-ref` finds, from the replayed registry. Pure: tag authors and messages come in as TagInfo."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, Optional

from gto_lsp.core.registry.state import Event, Registry
from gto_lsp.core.registry.tag_info import TagInfo

__all__ = ["EVENT_NAMES", "PRIORITY", "event_json", "events_newest_first", "history_rows", "is_hexsha", "timestamp"]

# GTO's event classes (base.py): the kind's class name, lowered, and its priority (history's tie-break).
EVENT_NAMES = {
    "deprecate": "deprecation",
    "register": "registration",
    "deregister": "deregistration",
    "assign": "assignment",
    "unassign": "unassignment",
}
PRIORITY = {"deprecate": 2, "register": 3, "deregister": 4, "assign": 5, "unassign": 6}
_HEX = frozenset("0123456789abcdefABCDEF")
_NO_INFO = TagInfo("", "", "", 0)


def is_hexsha(value: str) -> bool:
    """GTO's `^[0-9a-fA-F]{40}$`."""
    return len(value) == 40 and all(c in _HEX for c in value)


def timestamp(time: float, offset: int) -> datetime:
    """The tagger date as GTO holds it: aware, in the tagger's time zone."""
    return datetime.fromtimestamp(time, tz=timezone(timedelta(seconds=offset)))


def events_newest_first(registry: Registry) -> Iterable[tuple[str, Event]]:
    """(artifact, event) in the order GTO's Artifact.get_events() lists them, artifact by artifact in GTO's order.

    ArtifactRegistry.events is the stable ascending sort GTO reverses: reversing it gives GTO's list exactly."""
    for name in registry.order or tuple(registry.artifacts):
        art = registry.artifacts.get(name)
        if art is None:
            continue
        for ev in reversed(art.events):
            yield name, ev


def event_json(artifact: str, ev: Event, info: Optional[TagInfo]) -> dict[str, Any]:
    """GTO's BaseEvent.dict_state(exclude={priority, addition}) as `gto check-ref --json` prints it."""
    info = info or _NO_INFO
    out: dict[str, Any] = {
        "artifact": artifact,
        "created_at": timestamp(ev.time, info.offset).isoformat(),
        "author": info.author,
        "author_email": info.author_email,
        "message": info.message,
        "commit_hexsha": ev.commit,
        "tag": ev.tag,
    }
    if ev.kind != "deprecate":
        out["version"] = ev.version
    if ev.kind in ("assign", "unassign"):
        out["stage"] = ev.stage
    out["event"] = EVENT_NAMES[ev.kind]
    return out


def history_rows(
    registry: Registry,
    name: Optional[str] = None,
    *,
    ascending: bool = False,
    tag_info: Optional[Mapping[str, TagInfo]] = None,
    truncate_hexsha: bool = False,
    as_datetime: bool = False,
) -> list[dict[str, Any]]:
    """The objects of `gto history [NAME] --json` (GTO 1.10.1's api.history): one per tag event (commit events
    hidden), newest first unless `ascending`, ties broken as GTO's stable sorts break them.

    Keys: timestamp (ISO text; the datetime itself with `as_datetime`, as the table prints it), artifact, event,
    priority, version, stage, commit, author, author_email, message, ref. `truncate_hexsha` cuts shas to 7
    characters, as the table does. `tag_info` maps a tag object's name to its tagger and message."""
    infos = tag_info or {}

    def short(value: str) -> str:
        return value[:7] if truncate_hexsha and is_hexsha(value) else value

    rows: list[tuple[float, int, dict[str, Any]]] = []
    for artifact, ev in events_newest_first(registry):
        if ev.kind == "commit" or ev.kind not in PRIORITY:
            continue
        info = infos.get(ev.tag or "", _NO_INFO)
        when = timestamp(ev.time, info.offset)
        ref = ev.tag if ev.tag is not None else ev.commit
        row = {
            "timestamp": when if as_datetime else when.isoformat(),
            "artifact": artifact,
            "event": EVENT_NAMES[ev.kind],
            "priority": PRIORITY[ev.kind],
            "version": short(ev.version) if ev.kind != "deprecate" and ev.version is not None else None,
            "stage": ev.stage if ev.kind in ("assign", "unassign") else None,
            "commit": short(ev.commit),
            "author": info.author,
            "author_email": info.author_email,
            "message": info.message,
            "ref": short(ref) if ref == ev.commit else ref,
        }
        rows.append((ev.time, PRIORITY[ev.kind], row))
    rows.sort(key=lambda r: (r[0], r[1]))  # stable, as GTO's sorted()
    if not ascending:
        rows.reverse()
    return [row for _, _, row in rows if name is None or name == "" or row["artifact"] == name]
