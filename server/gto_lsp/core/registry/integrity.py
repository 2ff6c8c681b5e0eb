"""Registry integrity (pure): what in GTO's tags breaks GTO or misleads people, each with a code of core/codes.py,
a message naming the problem and what to do, and the git commands that fix it where a fix is safe.

Public API::

    tag_problems(tags, known) -> list[RegistryProblem]       # tags GTO ignores (looking like its own) or fails on
    artifact_problems(art, declared_at_head) -> list[...]     # registered twice, versions sharing a staged commit,
                                                              # stages on deprecated/deregistered,
                                                              # tags of an artifact declared nowhere at HEAD
    undeclared_versions(art, declared) -> list[...]           # a version whose commit does not declare the artifact
    order_problems(art, is_ancestor) -> list[...]             # a higher version on an ancestor of a lower one's commit
    safe_deletion(refs, head, art, candidates) -> ref or None # a tag whose deletion leaves GTO's state unchanged

Only the commands in `RegistryProblem.fix` are ever applied (`check --registry --fix`): local `git tag -d` of a tag
whose deletion GTO cannot notice (the replay without it gives the same state) or of a tag that makes GTO fail on
every command and carries nothing GTO reads. `publish` (the push) is shown, never run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Optional

from gto_lsp.core.codes import severity
from gto_lsp.core.names import NAME
from gto_lsp.core.registry.replay import parse_registry
from gto_lsp.core.registry.state import ArtifactRegistry, HeadInfo, TagRef, VersionInfo, multiple_versions
from gto_lsp.core.registry.tags import name_to_tag, parse_tag, semver_key

__all__ = [
    "MAX_PROBLEMS",
    "RegistryProblem",
    "artifact_problems",
    "commands_text",
    "order_problems",
    "safe_deletion",
    "tag_problems",
    "undeclared_versions",
]

MAX_PROBLEMS = 1_000  # problems reported per kind (10,000 broken tags: the first 1,000, then a count)
MAX_SHOWN = 120  # characters of a tag name a message quotes (tag names may be 10 kB)
MAX_REPLAYS = 200  # duplicate registrations whose fix is checked by a replay of the artifact's tags

# A ref name that reads as a GTO tag up to its first `@` or `#` ("dir=name@", "name#").
_LOOKS_GTO = re.compile(rf"(?P<artifact>(?:[a-zA-Z0-9_./-]+=)?{NAME})[@#]")
REGISTER_TWICE = "Multiple registrations are not supported currently. How you got in here?"


@dataclass(frozen=True)
class RegistryProblem:
    code: str
    message: str
    artifact: Optional[str] = None
    version: Optional[str] = None
    tags: tuple[str, ...] = ()  # the refs (under refs/tags/) the problem is about
    fix: tuple[tuple[str, ...], ...] = ()  # git argument lists that fix it locally (safe to apply)
    publish: tuple[tuple[str, ...], ...] = ()  # git argument lists that publish the fix (shown, never run)

    @property
    def severity(self) -> str:
        return severity(self.code, "registry")

    def json(self) -> dict[str, object]:
        """The problem as the editor's answers carry it (registry view, `gto/registry`)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "version": self.version,
            "tags": list(self.tags),
            "fix": [" ".join(("git", *map(shlex.quote, c))) for c in self.fix],
        }


def shown(name: str) -> str:
    """A tag name as a message quotes it: cut, control characters escaped."""
    cut = name if len(name) <= MAX_SHOWN else name[:MAX_SHOWN] + "..."
    return cut.encode("unicode_escape").decode("ascii") if not cut.isprintable() else cut


def commands_text(commands: Iterable[tuple[str, ...]]) -> str:
    return "; ".join("`" + " ".join(("git", *map(shlex.quote, c))) + "`" for c in commands)


def _tag_delete(name: str) -> tuple[str, ...]:
    return ("tag", "-d", "--", name) if name.startswith("-") else ("tag", "-d", name)  # not read as an option


def _delete_hint(name: str) -> str:
    """`git tag -d NAME` to copy, or how to write it when the name is too long or strange to quote."""
    if shown(name) != name:
        return "`git tag -d` with its full name (`git tag -l`)"
    return commands_text([_tag_delete(name)])


def _deletion(ref: str) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    return (_tag_delete(ref),), (("push", "origin", f":refs/tags/{ref}"),)


# --- tags ------------------------------------------------------------------------------------------------------


def tag_problems(tags: Mapping[str, TagRef], known: Iterable[str]) -> list[RegistryProblem]:
    """Tags GTO fails on (every command) and tags that look like GTO's for a known artifact but that GTO ignores
    (a version or stage people believe exists). `known`: artifact names (registered or declared)."""
    known_tags = {name_to_tag(n) for n in known}
    found: list[RegistryProblem] = []
    skipped = 0
    for name, ref in tags.items():
        if len(found) >= MAX_PROBLEMS:
            skipped += 1
            continue
        problem = _tag_problem(name, ref, known_tags)
        if problem is not None:
            found.append(problem)
    if skipped:
        found.append(RegistryProblem("tag-unparsable", f"{skipped:,} more tags with problems are not listed."))
    return found


def _tag_problem(name: str, ref: TagRef, known_tags: set[str]) -> Optional[RegistryProblem]:
    tag = parse_tag(name) if len(name) <= 4 * 1024 else None  # GTO's grammar holds no longer name it writes
    if tag is not None and tag.action == "created":
        fix, publish = _deletion(name)
        return RegistryProblem(
            "tag-unreadable",
            f"Tag `{shown(name)}`: GTO fails on every command with `Unexpected error: 'action'` (it cannot read "
            f"`@created` tags). Delete it: {_delete_hint(name)}, then push its deletion"
            + (f" ({commands_text(publish)})." if shown(name) == name else "."),
            tag.artifact,
            tags=(name,),
            fix=fix,
            publish=publish,
        )
    in_object = parse_tag(ref.object_name) if ref.annotated and len(ref.object_name) <= 4 * 1024 else None
    if tag is not None and ref.annotated and (in_object is None or in_object.action == "created"):
        return RegistryProblem(
            "tag-unreadable",
            f"Tag `{shown(name)}` points to a tag object named `{shown(ref.object_name)}`: GTO reads the name in "
            f"the object and fails on every command with `Cannot parse tag name '{shown(ref.object_name)}'`. "
            f"Delete the ref ({_delete_hint(name)}, then push its deletion) and create "
            "the tag again with `gto register`/`gto assign`.",
            tag.artifact,
            tags=(name,),
        )
    if tag is not None and not ref.annotated:
        return RegistryProblem(
            "tag-lightweight",
            f"Tag `{shown(name)}` is a lightweight tag: GTO reads only annotated tags and ignores it. Delete it "
            f"({_delete_hint(name)}) and create it with `gto register`/`gto assign` (or "
            "`git tag -a`).",
            tag.artifact,
            tags=(name,),
        )
    if tag is None:
        looks = _LOOKS_GTO.match(name)
        if looks is None or looks["artifact"] not in known_tags:
            return None
        artifact = looks["artifact"].replace("=", ":")
        return RegistryProblem(
            "tag-unparsable",
            f"Tag `{shown(name)}` looks like a GTO tag of `{artifact}` but GTO cannot parse it and ignores it "
            "(GTO's tags: `NAME@vX.Y.Z`, `NAME@vX.Y.Z!`, `NAME#STAGE`, `NAME#STAGE!`, `NAME@deprecated`, each "
            "optionally ending `#N`). If it is meant for GTO, delete it "
            f"({_delete_hint(name)}) and create it with `gto register`/`gto assign`.",
            artifact,
            tags=(name,),
        )
    return None


# --- one artifact ----------------------------------------------------------------------------------------------


def _registrations(version: VersionInfo) -> list[str]:
    """The names (in the tag objects) of a version's registration tags, oldest first."""
    return [e.tag for e in version.events if e.kind == "register" and e.tag]


def artifact_problems(
    art: ArtifactRegistry,
    declared_at_head: Optional[bool],
    fixes: Optional[Mapping[str, Optional[str]]] = None,
) -> list[RegistryProblem]:
    """Registered twice, stages on a deprecated artifact or a deregistered version, and (when `declared_at_head`
    is False) tags of an artifact no annotations file declares. `fixes`: for a version with two registrations,
    the ref whose deletion is safe (safe_deletion's answer, by version); None: not checked (the editor), the
    message points to `check --registry`."""
    found: list[RegistryProblem] = []
    for v in art.versions[: MAX_PROBLEMS * 10]:
        regs = _registrations(v)
        if len(regs) > 1:
            found.append(_twice(art.name, v, regs, fixes))
        if v.stages and (not v.active or art.deprecated):
            found.append(_stage_on_deprecated(art, v))
    found.extend(_shared_commits(art))
    if declared_at_head is False and art.registered and not art.deprecated:
        found.append(
            RegistryProblem(
                "artifact-undeclared",
                f"`{art.name}` has GTO tags but no annotations file declares it at HEAD (artifacts.yaml or the "
                "dvc.yaml of its folder): GTO still lists it, without type, path or description. Annotate it "
                f"(`gto-lsp annotate {art.name} --path ...`), or deprecate it (`gto deprecate {art.name}`) if it "
                "is retired.",
                art.name,
            )
        )
    return found


def _twice(name: str, v: VersionInfo, regs: list[str], fixes: Optional[Mapping[str, Optional[str]]]) -> RegistryProblem:
    listed = ", ".join(f"`{shown(t)}`" for t in regs[:5]) + (f" and {len(regs) - 5} more" if len(regs) > 5 else "")
    text = (
        f"Version {v.version} of `{name}` is registered {len(regs)} times ({listed}): `gto show {name}` fails with "
        f'"{REGISTER_TWICE}".'
    )
    if fixes is None or v.version not in fixes:
        return RegistryProblem(
            "version-registered-twice",
            text + " `gto-lsp check --registry` says which tag can be deleted without changing what GTO shows "
            "(`--fix` deletes it locally).",
            name,
            v.version,
            tuple(regs),
        )
    safe = fixes[v.version]
    if safe is None:
        return RegistryProblem(
            "version-registered-twice",
            text + " Deleting one of these tags would change what GTO shows (a deregistration between them, or "
            "stages): keep the registration you mean and delete the others by hand (`git tag -d TAG`, then "
            "`git push origin :refs/tags/TAG`).",
            name,
            v.version,
            tuple(regs),
        )
    fix, publish = _deletion(safe)
    return RegistryProblem(
        "version-registered-twice",
        text + f" Delete the later tag (GTO's state stays the same): {commands_text(fix)}, then "
        f"{commands_text(publish)}.",
        name,
        v.version,
        tuple(regs),
        fix,
        publish,
    )


def _shared_commits(art: ArtifactRegistry) -> list[RegistryProblem]:
    """Commits holding several registered versions and a stage tag: GTO fails on every command."""
    by_commit: dict[str, list[VersionInfo]] = {}
    for v in art.versions:
        if v.registered:
            by_commit.setdefault(v.commit, []).append(v)
    found: list[RegistryProblem] = []
    for commit, versions in by_commit.items():
        staged = any(e.kind in ("assign", "unassign") for v in versions for e in v.events)
        if len(versions) < 2 or not staged or len(found) >= MAX_PROBLEMS:
            continue
        names = [v.version for v in versions]
        regs = [t for v in versions for t in _registrations(v)]
        found.append(
            RegistryProblem(
                "versions-share-commit",
                f"{multiple_versions(art.name, names)} GTO fails on every command: commit {commit[:7]} holds "
                f"{len(names)} versions of `{art.name}` and a stage tag. Keep the version you mean and delete the "
                "other versions' registration tags (`git tag -d TAG`, then `git push origin :refs/tags/TAG`; "
                "deregistering is not enough: GTO still counts them).",
                art.name,
                names[0],
                tuple(regs[:20]),
            )
        )
    return found


def _stage_on_deprecated(art: ArtifactRegistry, v: VersionInfo) -> RegistryProblem:
    stages = ", ".join(v.stages[:10])
    if not v.active:
        why = f"version {v.version} is deregistered, so `gto show` no longer lists {stages} on it"
    else:
        why = f"`{art.name}` is deprecated, so `gto show` hides it though its stages stay assigned"
    unassign = "; ".join(f"`gto deprecate {art.name} {v.version} {s}`" for s in v.stages[:3])
    return RegistryProblem(
        "stage-on-deprecated",
        f"Stage {stages} of `{art.name}` is still assigned to version {v.version}: {why}. Tools reading the "
        f"stage tags (`{name_to_tag(art.name)}#{v.stages[0]}`) still find it. Unassign it: {unassign}.",
        art.name,
        v.version,
    )


def undeclared_versions(art: ArtifactRegistry, declared: Mapping[str, bool]) -> list[RegistryProblem]:
    """Active registered versions whose commit does not declare the artifact (`declared`: commit -> whether the
    artifacts.yaml or the dvc.yaml that names the artifact declares it there; a commit not in it is unknown)."""
    found: list[RegistryProblem] = []
    for v in art.versions:
        if len(found) >= MAX_PROBLEMS:
            break
        if v.registered and v.active and declared.get(v.commit) is False:
            found.append(
                RegistryProblem(
                    "version-undeclared",
                    f"Version {v.version} of `{art.name}` is registered on commit {v.commit[:7]}, where no "
                    "annotations file declares it: GTO shows no type, path or description for that version and "
                    f"`dvc artifacts get` cannot find it. Register versions on commits that annotate "
                    f"`{art.name}`.",
                    art.name,
                    v.version,
                )
            )
    return found


def order_pairs(art: ArtifactRegistry) -> list[tuple[VersionInfo, VersionInfo]]:
    """(lower, next higher) active registered versions on different commits, by SemVer."""
    versions = [v for v in art.versions if v.registered and v.active and semver_key(v.version) is not None]
    versions.sort(key=lambda v: semver_key(v.version) or ())
    return [(low, high) for low, high in zip(versions, versions[1:]) if low.commit != high.commit]


def order_problems(art: ArtifactRegistry, is_ancestor: Callable[[str, str], Optional[bool]]) -> list[RegistryProblem]:
    """A version whose commit is an ancestor of the next lower version's commit (`is_ancestor(a, b)`: whether
    commit a is an ancestor of b; None when unknown)."""
    found: list[RegistryProblem] = []
    for low, high in order_pairs(art):
        if len(found) >= MAX_PROBLEMS:
            break
        if is_ancestor(high.commit, low.commit):
            found.append(
                RegistryProblem(
                    "version-order",
                    f"Version {high.version} of `{art.name}` (commit {high.commit[:7]}) is older in git than "
                    f"{low.version} (commit {low.commit[:7]}, which descends from it): `@latest` names "
                    f"{high.version}, the older code. If that is not meant, deregister the wrong version "
                    f"(`gto deregister {art.name} {high.version}`) and register the newer commit with a higher "
                    "version.",
                    art.name,
                    high.version,
                )
            )
    return found


# --- safe fixes ------------------------------------------------------------------------------------------------


def _summary(art: Optional[ArtifactRegistry]) -> object:
    if art is None:
        return None
    versions = tuple((v.version, v.commit, v.active, v.stages, v.registered) for v in art.versions)
    return (art.latest, tuple(art.stages.items()), art.deprecated, versions, art.error)


def artifact_lines(refs: bytes, name: str) -> list[bytes]:
    """The for-each-ref lines of one artifact's tags (by the name in the tag object, else the ref name)."""
    key = name_to_tag(name).encode("utf-8", "surrogateescape")
    prefixes = (key + b"@", key + b"#")
    out = []
    for line in refs.split(b"\n"):
        fields = line.split(b"\0", 5)
        tagged = fields[4] if len(fields) > 4 and fields[4] else fields[0]
        if fields[0].startswith(prefixes) or tagged.startswith(prefixes):
            out.append(line)
    return out


def safe_deletion(
    lines: list[bytes], head: Optional[HeadInfo], art: ArtifactRegistry, candidates: list[str]
) -> Optional[str]:
    """The first of `candidates` (ref names) whose deletion leaves the artifact's state as GTO computes it the
    same (its versions, stages, latest, deprecation), replaying the artifact's tags (`lines`) without it."""
    before = _summary(parse_registry(b"\n".join(lines), head).artifacts.get(art.name))
    for ref in candidates:
        kept = [ln for ln in lines if ln.split(b"\0", 1)[0] != ref.encode("utf-8", "surrogateescape")]
        if len(kept) == len(lines):
            continue  # no such ref
        if _summary(parse_registry(b"\n".join(kept), head).artifacts.get(art.name)) == before:
            return ref
    return None


def twice_candidates(v: VersionInfo, refs_of: Callable[[str], list[str]]) -> list[str]:
    """The refs to try deleting for a version registered twice: the newest registration's first."""
    regs = _registrations(v)
    return [ref for tag in regs[::-1] for ref in refs_of(tag)]
