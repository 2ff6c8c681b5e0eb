"""One version of an artifact as committed: the commit (author, date, message), the artifact's annotation at that
commit (`describe --rev`'s reading), and the metrics and params files its dvc.yaml names, flattened to dotted
keys; rendered as hover Markdown and as plain text made for a side-by-side diff of two versions.

Git runs here (blocking: call in a worker thread), through `RepoFacts.run` / `file_at_rev`. Bounded: files over
MAX_FILE_BYTES are skipped, at most MAX_KEYS keys per file, at most MAX_FILES files.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from gto_lsp.core.edits import GTOError
from gto_lsp.core.formats.dvc.edit import describe as describe_dvc
from gto_lsp.core.formats.dvc.pipeline.params import parse_params
from gto_lsp.core.formats.gto.edit import describe
from gto_lsp.core.repo.run import norm_relpath

if TYPE_CHECKING:
    from gto_lsp.core.repo.reader import RepoFacts

MAX_FILE_BYTES = 1_000_000
MAX_KEYS = 2_000
MAX_FILES = 20
DVC_FILE = "dvc.yaml"
PARAMS_FILE = "params.yaml"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    date: float
    subject: str
    body: str


@dataclass(frozen=True)
class Values:
    """A metrics or params file at the commit, flattened; `more`: keys left out past MAX_KEYS."""

    file: str
    values: dict[str, Any]
    more: int = 0
    error: Optional[str] = None  # why it could not be read (too large, not parsable)


@dataclass(frozen=True)
class Details:
    commit: CommitInfo
    annotation: Optional[tuple[str, dict[str, Any]]]  # (file, fields)
    metrics: list[Values] = field(default_factory=list)
    params: list[Values] = field(default_factory=list)


def commit_info(facts: RepoFacts, sha: str) -> Optional[CommitInfo]:
    """The commit's author, date and message: one `git log -1`."""
    res = facts.run("log", "-1", "--no-color", "--format=%H%x00%an%x00%ae%x00%at%x00%s%x00%b", sha, "--")
    parts = res.out.decode("utf-8", "replace").split("\0")
    if res.status != 0 or len(parts) != 6:
        return None
    full, author, email, when, subject, body = parts
    return CommitInfo(full.strip(), author, email, float(when or 0), subject, body.strip("\n"))


def flatten(data: Any, limit: int = MAX_KEYS) -> tuple[dict[str, Any], int]:
    """{dotted.key: scalar} of nested mappings and lists (`a.0.b`), at most `limit` keys; and how many more."""
    out: dict[str, Any] = {}
    more = 0
    todo: list[tuple[str, Any]] = [("", data)]
    while todo:  # bounded: every value is visited once, and the parsers bound the values a file gives
        prefix, value = todo.pop()
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            if len(out) < limit:
                out[prefix] = value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
            else:
                more += 1
            continue
        todo.extend((f"{prefix}.{k}" if prefix else str(k), v) for k, v in reversed(items))
    return out, more


def sizes(facts: RepoFacts, sha: str, paths: list[str]) -> dict[str, int]:
    """The size of each of `paths` that is a file at the commit: one `git ls-tree` for all of them."""
    if not paths:
        return {}
    res = facts.run("ls-tree", "-z", "-l", "--full-tree", sha, "--", *paths)
    found: dict[str, int] = {}
    for record in res.out.decode("utf-8", "surrogateescape").split("\0") if res.status == 0 else ():
        head, _, path = record.partition("\t")
        parts = head.split()
        if len(parts) == 4 and parts[1] == "blob" and parts[3].isdigit():
            found[path] = int(parts[3])
    return found


def blob_text(
    facts: RepoFacts, sha: str, path: str, limit: int = MAX_FILE_BYTES, size: Optional[int] = -1
) -> tuple[Optional[str], str]:
    """(text, why not) of a file at the commit: "absent", or refused over `limit` bytes (`size`: known already,
    None for absent)."""
    if size == -1:
        size = sizes(facts, sha, [path]).get(path)
    if size is None:
        return None, "absent"
    if size > limit:
        return None, f"larger than {limit:,} bytes"
    return facts.file_at_rev(sha, path), ""


def _values(facts: RepoFacts, sha: str, path: str, size: Optional[int]) -> Optional[Values]:
    text, why = blob_text(facts, sha, path, size=size)
    if text is None:
        return None if why == "absent" else Values(path, {}, error=why)
    parsed = parse_params(path, text)
    if parsed.data is None:
        return Values(path, {}, error=parsed.detail or parsed.error)
    values, more = flatten(parsed.data)
    return Values(path, values, more)


def _paths(value: Any, folder: str) -> list[str]:
    """The files a `metrics:` / `params:` list names, from the repository root (`${...}` left out)."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str) and "${" not in item:
            path = norm_relpath(posixpath.join(folder, item))
            if path is not None:
                out.append(path)
    return out


def _stage_params(stages: Any, folder: str) -> list[str]:
    """The params files the stages read: `params.yaml` for a bare key, the file of a `{file: [keys]}` item."""
    out: list[str] = []
    for stage in stages.values() if isinstance(stages, dict) else []:
        if not isinstance(stage, dict) or not isinstance(stage.get("params"), list):
            continue
        wdir = stage.get("wdir") if isinstance(stage.get("wdir"), str) else ""
        base = posixpath.join(folder, str(wdir))
        for item in stage["params"]:
            names = [PARAMS_FILE] if isinstance(item, str) else [k for k in item if isinstance(k, str)]
            out.extend(_paths(names, base) if isinstance(item, (str, dict)) else [])
    return out


def _annotation(facts: RepoFacts, sha: str, name: str, index: str) -> Optional[tuple[str, dict[str, Any]]]:
    """The artifact's entry at the commit, as `describe --rev` reads it: artifacts.yaml, else the root dvc.yaml;
    `dir:name` from dir/dvc.yaml."""
    folder, _, bare = name.rpartition(":")
    candidates = [(posixpath.join(folder, DVC_FILE), True)] if folder else [(index, False), (DVC_FILE, True)]
    for file, dvc in candidates:
        try:
            text = facts.file_at_rev(sha, file)
            fields = describe_dvc(text, bare) if dvc else describe(text, bare)
        except GTOError:
            continue
        if fields is not None:
            return file, json.loads(json.dumps(fields, default=str))
    return None


def version_details(facts: RepoFacts, sha: str, name: str, index: str) -> Optional[Details]:
    """Everything the view shows of one version (None when `sha` is no commit)."""
    info = commit_info(facts, sha)
    if info is None:
        return None
    folder = name.rpartition(":")[0]
    metrics: list[str] = []
    params: list[str] = []
    dvc_files = list(dict.fromkeys([DVC_FILE, posixpath.join(folder, DVC_FILE)]))
    known = sizes(facts, info.sha, dvc_files)
    for dvc_file in dvc_files:
        text, _ = blob_text(facts, info.sha, dvc_file, size=known.get(dvc_file))
        data = parse_params(dvc_file, text).data if text is not None else None
        if data is None:
            continue
        where = posixpath.dirname(dvc_file)
        metrics += _paths(data.get("metrics"), where)
        params += _paths(data.get("params"), where) + _stage_params(data.get("stages"), where)

    files = list(dict.fromkeys(metrics + params))[:MAX_FILES]
    known = sizes(facts, info.sha, files)

    def read(paths: list[str]) -> list[Values]:
        found = (_values(facts, info.sha, path, known.get(path)) for path in dict.fromkeys(paths) if path in files)
        return [values for values in found if values is not None]

    return Details(info, _annotation(facts, info.sha, name, index), read(metrics), read(params))


# --- rendering ---------------------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def as_text(details: Details) -> str:
    """A plain YAML-like rendering (sorted keys) of the annotation, metrics and params: two versions' texts diff."""
    lines: list[str] = []
    if details.annotation is not None:
        file, fields = details.annotation
        lines.append(f"annotation ({file}):")
        lines += [f"  {key}: {json.dumps(fields[key], ensure_ascii=False, sort_keys=True)}" for key in sorted(fields)]
    for title, files in (("metrics", details.metrics), ("params", details.params)):
        for found in files:
            lines.append(f"{title} ({found.file}):")
            if found.error:
                lines.append(f"  # not read: {found.error}")
            lines += [f"  {key}: {_scalar(found.values[key])}" for key in sorted(found.values)]
            if found.more:
                lines.append(f"  # … {found.more:,} more")
    return "\n".join(lines) + ("\n" if lines else "")


def as_markdown(name: str, version: str, details: Details, tags: list[str]) -> str:
    """Hover text: the commit, the tags, then the annotation, metrics and params as tables."""
    info = details.commit
    head = f"**{name}** `{version}` · commit `{info.sha[:7]}` by {info.author}"
    parts = [head, f"*{_md(info.subject)}*" if info.subject else ""]
    if tags:
        parts.append("Tags: " + ", ".join(f"`{t}`" for t in tags))
    if details.annotation is not None:
        file, fields = details.annotation
        parts.append(_table(f"Annotation ({file})", {k: fields[k] for k in fields}, 0))
    for title, files in (("Metrics", details.metrics), ("Params", details.params)):
        for found in files:
            parts.append(_table(f"{title} ({found.file})", found.values, found.more, found.error))
    return "\n\n".join(p for p in parts if p)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(title: str, values: dict[str, Any], more: int, error: Optional[str] = None) -> str:
    rows = [f"**{_md(title)}**"]
    if error:
        rows.append(f"not read: {_md(error)}")
    if values:
        rows += ["", "| key | value |", "|---|---|"]
        rows += [f"| {_md(str(k))} | {_md(_scalar(v))} |" for k, v in values.items()]
    if more:
        rows.append(f"\n… {more:,} more")
    return "\n".join(rows)
