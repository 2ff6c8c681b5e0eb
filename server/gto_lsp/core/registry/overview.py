"""The registry view's model: every artifact GTO's tags know plus every artifact an annotations file declares,
each with its registry state (as `gto show` prints it) and where it is annotated.

Pure: the caller gives the registry states (a mapping name -> ArtifactRegistry, the session's lazy one) and the
parsed annotations files with their format (`Format`: the one door to a file format, no branching here).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from gto_lsp.core.names import is_valid_name
from gto_lsp.core.problems import Span
from gto_lsp.core.registry.tag_info import TAG_INFO_FORMAT, TagInfo, parse_tag_info
from gto_lsp.core.registry.tags import name_to_tag
from gto_lsp.core.yaml.blocks import BlockCache

if TYPE_CHECKING:
    from gto_lsp.core.formats import Format
    from gto_lsp.core.registry.state import ArtifactRegistry, Event
    from gto_lsp.core.repo.reader import RepoFacts

MAX_ANNOTATIONS = 20_000  # entries read per annotations file (a 1.5 MB file holds about 18,000)


@dataclass(frozen=True, eq=False)
class Annotation:
    """One entry of an annotations file: the artifact's full name, where its name is written, its values (compared
    by identity: the adapter keys its ranges by it)."""

    name: str
    file: str  # relative to the repository root
    span: Span  # of the entry's name
    values: dict[str, Any]  # type, path (from the root), description, labels: annotate's names


@dataclass(frozen=True)
class ArtifactRow:
    name: str
    registered: bool
    deprecated: bool
    latest: Optional[str]
    stages: dict[str, str]
    version_count: int
    annotations: tuple[Annotation, ...] = field(default=())

    def as_json(self, ranges: Mapping[Annotation, Any], uris: Mapping[str, str]) -> dict[str, Any]:
        """The contract's RegistryArtifact; `ranges` and `uris` come from the adapter (LSP positions, uris)."""
        values = self.annotations[0].values if self.annotations else {}

        def text(key: str) -> Optional[str]:
            value = values.get(key)
            return value if isinstance(value, str) else None

        return {
            "name": self.name,
            "tagName": name_to_tag(self.name),
            "registered": self.registered,
            "deprecated": self.deprecated,
            "latest": self.latest,
            "stages": dict(self.stages),
            "versionCount": self.version_count,
            "type": text("type"),
            "path": text("path"),
            "description": text("description"),
            "labels": [str(label) for label in values.get("labels") or ()],
            "annotations": [{"file": a.file, "uri": uris[a.file], "range": ranges[a]} for a in self.annotations],
        }


class AnnotationReader:
    """Reads the annotations of parsed files, keeping each entry's values while its parsed block lives (an edit
    re-reads only the entries it touched; 400 entries' values took 30 ms per view refresh)."""

    def __init__(self) -> None:
        self._values: BlockCache[tuple[str, dict[str, Any]]] = BlockCache()

    def annotations_of(self, fmt: Format, parsed: Any, file: str) -> list[Annotation]:
        """The entries GTO would read as artifacts in one parsed annotations file (`file` relative to the root)."""
        folder = posixpath.dirname(file)
        out: list[Annotation] = []
        for entry in fmt.entries(parsed)[:MAX_ANNOTATIONS]:
            block = entry.block
            known = self._values.get(id(block))
            if known is None or known[0] != folder:
                if block.key is None or not entry.name_is_string or not is_valid_name(str(entry.name)):
                    continue
                try:
                    values = fmt.request_values(parsed, entry, folder)
                except Exception:  # an entry the format cannot read values from is still an annotation
                    values = {}
                known = self._values.keep(block, (folder, values))
            out.append(Annotation(fmt.full_name(folder, str(entry.name)), file, entry.name_span, known[1]))
        return out


def annotations_of(fmt: Format, parsed: Any, file: str) -> list[Annotation]:
    """The annotations of one parsed file, read afresh."""
    return AnnotationReader().annotations_of(fmt, parsed, file)


CANDIDATE_SUFFIXES = ("dvc.yaml", "/.dvc/config")  # what dvc_files needs: the files, and nested DVC repositories


def candidate_paths(paths: Iterable[str]) -> list[str]:
    """The paths `dvc_files` looks at, among a listing of the repository (100,000 paths: ~10 ms)."""
    return [p for p in paths if p.endswith(CANDIDATE_SUFFIXES)]


def list_candidates(facts: RepoFacts) -> list[str]:
    """Those paths straight from git (tracked and untracked, not ignored) when the full listing is not at hand:
    one pathspec-limited `git ls-files` (blocking)."""
    res = facts.run(
        "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
        ":(glob)**/dvc.yaml", ":(glob)**/.dvc/config",
    )  # fmt: skip
    return (
        sorted(set(p for p in res.out.decode("utf-8", "surrogateescape").split("\0") if p)) if res.status == 0 else []
    )


def rows(registry: Mapping[str, ArtifactRegistry], annotations: Iterable[Annotation]) -> list[ArtifactRow]:
    """Every artifact with tags or annotations, sorted by name; an artifact's annotations in the files' order."""
    where: dict[str, list[Annotation]] = {}
    for annotation in annotations:
        where.setdefault(annotation.name, []).append(annotation)
    out = []
    for name in sorted({*registry, *where}):
        art = registry.get(name)
        tagged = art is not None and art.registered
        out.append(
            ArtifactRow(
                name=name,
                registered=tagged,
                deprecated=bool(art is not None and art.deprecated),
                latest=art.latest if art is not None else None,
                stages=dict(art.stages) if art is not None else {},
                version_count=sum(1 for v in art.versions if v.registered and v.active) if art is not None else 0,
                annotations=tuple(where.get(name, ())),
            )
        )
    return out


def stage_columns(configured: Optional[Sequence[str]], registry: Mapping[str, ArtifactRegistry]) -> list[str]:
    """The view's stage columns: `.gto`'s `stages:` when set, else every stage any tag ever named, sorted."""
    if configured is not None:
        return list(configured)
    return sorted({e.stage for art in registry.values() for e in art.events if e.stage})


def registry_error(registry: Mapping[str, ArtifactRegistry]) -> Optional[str]:
    """GTO's message when it cannot read this registry at all (every artifact carries the same one)."""
    return next((art.error for art in registry.values() if art.error), None)


# --- one artifact's versions and events ------------------------------------------------------------------------

EVENT_KINDS = ("register", "deregister", "assign", "unassign", "deprecate")


def event_json(event: Event, notes: Mapping[str, TagInfo]) -> dict[str, Any]:
    note = notes.get(event.tag or "")
    return {
        "kind": event.kind,
        "time": event.time,
        "commit": event.commit,
        "version": event.version,
        "stage": event.stage,
        "tag": event.tag,
        "tagger": note.author if note is not None else None,
        "taggerEmail": note.author_email if note is not None else None,
        "message": note.message if note is not None else None,
    }


def tag_events(events: Iterable[Event]) -> list[Event]:
    """The tag events among GTO's (no commit events), newest first (GTO's replay order, reversed)."""
    return [e for e in events if e.kind in EVENT_KINDS][::-1]


def versions_json(art: ArtifactRegistry, notes: Mapping[str, TagInfo]) -> dict[str, Any]:
    """The contract's artifactVersions answer (without ok/message)."""
    return {
        "name": art.name,
        "versions": [
            {
                "version": v.version,
                "commit": v.commit,
                "active": v.active,
                "registered": v.registered,
                "stages": list(v.stages),
                "createdAt": v.created_at,
                "events": [event_json(e, notes) for e in tag_events(v.events)],
            }
            for v in art.versions
            if v.registered or v.stages or tag_events(v.events)
        ],
        "events": [event_json(e, notes) for e in tag_events(art.events)],
    }


def tag_patterns(name: str) -> list[str]:
    """for-each-ref patterns of one artifact's GTO tags (`NAME@...`, `NAME#...`)."""
    tag = name_to_tag(name)
    return [f"refs/tags/{tag}@*", f"refs/tags/{tag}#*"]


MAX_NOTES = 100_000  # tags of one artifact whose notes are read (10,000 tags: about 10 ms)


def read_tag_notes(facts: RepoFacts, name: str) -> dict[str, TagInfo]:
    """The tagger and message of one artifact's GTO tags: one pattern-limited `git for-each-ref` (blocking)."""
    res = facts.run("for-each-ref", f"--count={MAX_NOTES}", f"--format={TAG_INFO_FORMAT}", *tag_patterns(name))
    return parse_tag_info(res.out) if res.status == 0 else {}
