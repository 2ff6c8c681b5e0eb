"""Hover: a field key shows its documentation (the format's field table); an artifact name shows its entry and
its registry state from GTO's git tags (latest version, each stage's version, deprecated), like `gto show NAME`.
In dvc.yaml a name also shows its full name (`sub/dir:name` below the root) and how tags spell it."""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING, Mapping, Optional

from lsprotocol import types

from gto_lsp.core.completion import indent_of
from gto_lsp.core.formats import Format
from gto_lsp.core.formats.dvc.files import full_name, tag_name
from gto_lsp.core.problems import Pos, Span
from gto_lsp.lsp.features import navigation
from gto_lsp.lsp.locate import contains, entry_at, field_at
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.registry.details import CommitInfo
    from gto_lsp.core.registry.state import ArtifactRegistry

_FIELD_LINE = re.compile(r"^(\s+|.*[{,]\s*)([A-Za-z_]+)\s*:")
MAX_SHAPE_LINE = 4096  # characters of a line read by its shape (hover on a line the parser could not read)
_NAME_LINE = re.compile(r"^([^\s#:'\"{\[-][^:#]*?|'[^']*'|\"[^\"]*\")\s*:(\s|$)")


def registry_text(name: str, registry: Optional[Mapping[str, ArtifactRegistry]], git_note: Optional[str]) -> str:
    if registry is None:
        return git_note or "Registry state unknown: git is not available here."
    entry = registry.get(name)
    if entry is None or not entry.registered:
        return f"No GTO tags for `{name}`: it is annotated but not registered (`gto register {name}`)."
    lines = ["| | version |", "|---|---|", f"| latest | {entry.latest or '-'} |"]
    for stage, version in entry.stages.items():
        lines.append(f"| #{stage} | {version} |")
    text = "\n".join(lines)
    if entry.deprecated:
        text = f"**Deprecated** (`{name}@deprecated`).\n\n" + text
    # As `gto show NAME` lists them: active registered versions only (deregistered ones are not versions).
    active = [v.version for v in entry.versions if v.active and v.registered]
    if active:
        text += f"\n\nVersions: {', '.join(active[:8])}" + (" ..." if len(active) > 8 else "")
    if entry.error:
        text = f"**GTO cannot read this registry**: every `gto` command fails with `{entry.error}`.\n\n" + text
    return text + problems_text(entry)


MAX_HOVER_PROBLEMS = 5  # registry problems a hover lists (the Registry view and `check --registry` list all)


def problems_text(entry: ArtifactRegistry) -> str:
    """The artifact's registry problems the tags alone show (integrity.py), one line each."""
    from gto_lsp.core.registry.integrity import artifact_problems

    found = artifact_problems(entry, None)
    if not found:
        return ""
    lines = [f"- {p.severity} `{p.code}`: {p.message}" for p in found[:MAX_HOVER_PROBLEMS]]
    if len(found) > MAX_HOVER_PROBLEMS:
        lines.append(f"- ... and {len(found) - MAX_HOVER_PROBLEMS} more (`gto-lsp check --registry`)")
    return "\n\n**Registry problems**\n\n" + "\n".join(lines)


async def _registry(
    ls: GtoLanguageServer, view: View
) -> tuple[Optional[Mapping[str, ArtifactRegistry]], Optional[str]]:
    if view.root is None:
        return None, "Not in a git repository: no registry."
    settings = await ls.settings_for(view.path)
    if not ls.state.trusted:
        return None, "Registry state hidden: the workspace is not trusted, so git is not run."
    if not settings.git_enabled:
        return None, "Registry state hidden: `gto.git.enabled` is off."
    facts = await ls.facts(view.repo, settings)
    if facts is None:
        return None, "Registry state unknown: git cannot read this repository."
    # One artifact is shown: its tags alone are parsed, not the whole registry's.
    known = view.repo.registry_known()
    if known is not None:
        return known, None
    return await asyncio.to_thread(view.repo.registry_lazy), None


# Commit details by sha: a commit never changes, so hovering the same artifact again runs no git.
_COMMITS: dict[str, Optional[CommitInfo]] = {}
MAX_COMMITS = 512


async def latest_text(view: View, name: str, registry: Optional[Mapping[str, ArtifactRegistry]]) -> str:
    """The latest version's commit (sha, author, date, subject): one `git log -1` per commit, then remembered."""
    entry = registry.get(name) if registry is not None else None
    facts = view.repo.facts_ready()
    if entry is None or not entry.latest or facts is None:
        return ""
    commit = next((v.commit for v in entry.versions if v.version == entry.latest), None)
    if commit is None:
        return ""
    if commit not in _COMMITS:
        from gto_lsp.core.registry.details import commit_info  # runs git: imported once git is allowed

        if len(_COMMITS) >= MAX_COMMITS:
            _COMMITS.clear()
        _COMMITS[commit] = await asyncio.to_thread(commit_info, facts, commit)
    info = _COMMITS[commit]
    if info is None:
        return ""
    day = time.strftime("%Y-%m-%d", time.gmtime(info.date))
    subject = info.subject.replace("*", "\\*")[:200]
    return f"\n\nLatest `{entry.latest}`: commit `{info.sha[:7]}` by {info.author}, {day}: *{subject}*"


def _cut(line: str, width: int = 200) -> str:
    return line if len(line) <= width else line[:width] + " ..."


def _entry_text(view: View, first: int, last: int) -> str:
    lines = [_cut(view.lines.line(n)) for n in range(first, min(last, first + 30) + 1)]
    if last > first + 30:
        lines.append("  ...")
    return "\n".join(lines)


def _markup(ls: GtoLanguageServer, markdown: str) -> types.MarkupContent:
    formats = []
    try:
        hover_caps = ls.client_capabilities.text_document
        formats = list((hover_caps.hover.content_format or []) if hover_caps and hover_caps.hover else [])
    except Exception:
        formats = []
    if formats and types.MarkupKind.Markdown not in formats:
        return types.MarkupContent(kind=types.MarkupKind.PlainText, value=markdown)
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown)


def names_text(folder: str, name: str) -> str:
    """A dvc.yaml artifact's full name and its spelling in GTO's git tags."""
    full = full_name(folder, name)
    tag = tag_name(full)
    return (
        f"**{full}** (full name)\n\nTags: `{tag}@v1.0.0` (version), `{tag}#prod#1` (stage); "
        f"`dvc artifacts get . {full}`"
    )


async def hover(ls: GtoLanguageServer, params: types.HoverParams) -> Optional[types.Hover]:
    view = ls.view(params.text_document.uri)
    fmt = view.format if view is not None else None
    if view is None or fmt is None:
        return None
    pos = view.lines.pos(params.position)
    entry = entry_at(fmt.entries(view.parsed), pos)
    if entry is None:
        layout = fmt.layout(view.parsed, view.lines.lines)  # the parse says where entries are (O(1) in dvc.yaml)
        if layout is None or not layout.holds(pos.line):
            explained = navigation.explain(ls, view, fmt, params.position)
            if explained is None:
                return None
            return types.Hover(contents=_markup(ls, explained[0]), range=explained[1])
        return await _hover_by_line(ls, view, fmt, pos, layout.indent)
    if contains(entry.name_span, pos):
        if fmt.names_qualified and not entry.name_is_string:
            return None  # only a string has a full name
        name = str(entry.name)
        registry, note = await _registry(ls, view)
        body = names_text(view.folder, name) + "\n\n" if fmt.names_qualified else ""
        body += f"```yaml\n{_entry_text(view, entry.first_line, entry.last_line)}\n```\n\n"
        full = fmt.full_name(view.folder, name)
        body += f"**Registry** (git tags)\n\n{registry_text(full, registry, note)}"
        body += await latest_text(view, full, registry)
        return types.Hover(contents=_markup(ls, body), range=view.lines.range(entry.name_span))
    hit = field_at(entry, pos)
    if hit is not None and hit.on_key:
        doc = fmt.field_doc(hit.name)
        if doc is None:
            return None
        return types.Hover(contents=_markup(ls, doc), range=view.lines.range(hit.key_span))
    return None


async def _hover_by_line(
    ls: GtoLanguageServer, view: View, fmt: Format, pos: Pos, indent: int
) -> Optional[types.Hover]:
    """A line the parser could not read: field keys and names by their shape (names at column `indent`)."""
    text = view.lines.line(pos.line)
    if len(text) > MAX_SHAPE_LINE:
        return None  # no key or name is that long; a regex scan of a 1 MB line would take minutes
    for match in re.finditer(r"([A-Za-z_]+)\s*:", text):
        if match.start(1) <= pos.col <= match.end(1) and _FIELD_LINE.match(text[: match.end()]):
            if fmt.section is not None and indent_of(text) <= indent:
                break  # a name in dvc.yaml's section, not a field
            doc = fmt.field_doc(match.group(1))
            if doc is not None:
                span = Span(Pos(pos.line, match.start(1)), Pos(pos.line, match.end(1)))
                return types.Hover(contents=_markup(ls, doc), range=view.lines.range(span))
    name_match = _NAME_LINE.match(text[indent:]) if text[:indent] == " " * indent else None
    if name_match and indent <= pos.col <= indent + name_match.end(1):
        name = name_match.group(1).strip().strip("'\"")
        registry, note = await _registry(ls, view)
        span = Span(Pos(pos.line, indent), Pos(pos.line, indent + name_match.end(1)))
        full = fmt.full_name(view.folder, name)
        head = names_text(view.folder, name) if fmt.names_qualified else f"**{name}**"
        return types.Hover(
            contents=_markup(ls, f"{head}\n\n{registry_text(full, registry, note)}"),
            range=view.lines.range(span),
        )
    return None
