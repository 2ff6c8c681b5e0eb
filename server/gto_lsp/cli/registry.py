"""register, assign, deprecate and show: GTO 1.10.1's registry commands on core/registry (tags only, no GTO).

Texts and exit codes are GTO 1.10.1's (`❌ ` + GTO's message on stderr, exit 1; usage errors exit 2). Where
GTO fails badly this does the sensible thing instead (README, compatibility notes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, EXIT_PROBLEMS, CliError
from gto_lsp.core.messages import cannot_find_artifact, not_a_repository, unknown_revision

if TYPE_CHECKING:
    from gto_lsp.core.registry.plan import TagPlan
    from gto_lsp.core.registry.state import Registry
    from gto_lsp.core.registry.write import Replan

_SIMPLE = {"auto": None, "true": True, "false": False}


def _simple(value: str) -> Optional[bool]:
    if value not in _SIMPLE:
        raise argparse.ArgumentTypeError(f"Only one of {list(_SIMPLE)} is allowed")
    return _SIMPLE[value]


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/:@\s]+@[^/:\s]+:")
_CLONES: set[Path] = set()  # repositories cloned from a URL given to -r: their tags are pushed back to it
_CLONE_PREFIX = "gto-lsp-clone-"  # + "<pid>-": a folder whose process is gone is swept by the next clone


def _sweep(tmp: str) -> None:
    """Remove the clone folders of processes that are gone: one killed with SIGKILL ran no clean-up."""
    import shutil

    from gto_lsp.core.repo.lock import alive

    with contextlib.suppress(OSError), os.scandir(tmp) as entries:
        for entry in entries:
            match = re.match(rf"{_CLONE_PREFIX}(\d+)-", entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            pid = int(match[1])
            if pid != os.getpid() and not alive(pid) and entry.stat(follow_symlinks=False).st_uid == os.getuid():
                shutil.rmtree(entry.path, ignore_errors=True)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds: the running git is killed, atexit removes the clone


def _clone(url: str) -> Path:
    """GTO's `-r URL`: a temporary clone, removed when the process ends (also on SIGTERM, SIGHUP and Ctrl-C; after
    SIGKILL, by the next clone); its new tags are pushed to `url`. A remote that does not answer is given up after
    GTOLSP_GIT_TIMEOUT seconds (core.git.run_network)."""
    import atexit
    import shutil
    import signal
    import tempfile

    from gto_lsp.core.repo.run import run_network

    tmp = tempfile.gettempdir()
    _sweep(tmp)
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _exit_on_signal)
    folder = Path(tempfile.mkdtemp(prefix=f"{_CLONE_PREFIX}{os.getpid()}-", dir=tmp))
    atexit.register(shutil.rmtree, folder, True)
    res = run_network(folder, "clone", "-q", "--", url, str(folder / "repo"))
    if res.status != 0:
        why = res.err.strip() if res.err.startswith("Timeout:") else ""
        raise CliError(f"Unexpected error: Failed to clone repo '{url}' to '{folder}'" + (f": {why}" if why else ""))
    root = folder / "repo"
    _CLONES.add(root)
    return root


def _root(repo_arg: str) -> Path:
    """The repository of -r: a work tree (any folder in it), a bare repository (tagged in place), or a URL."""
    from gto_lsp.core.repo.run import GitError, find_root, is_bare

    if _URL.match(repo_arg):
        return _clone(repo_arg)
    start = Path(repo_arg)
    if not start.exists():
        raise CliError(not_a_repository(repo_arg))
    try:
        return find_root(start)
    except GitError as error:
        if start.is_dir() and is_bare(start):
            return start.resolve()
        raise CliError(not_a_repository(repo_arg)) from error


def _resolve(root: Path, ref: str) -> str:
    """REF's commit (an annotated tag is peeled), as GTO resolves it."""
    from gto_lsp.core.repo.run import commit_of

    sha = commit_of(root, ref)
    if sha is None:
        raise CliError(unknown_revision(ref))
    return sha


def _stages(root: Path) -> Optional[tuple[str, ...]]:
    from gto_lsp.core.config import read_config

    return read_config(root).stages


def _run_plan(root: Path, replan: Replan, push: bool, out: TextIO) -> int:
    """Plan, then write the plan made again under the registry lock (another writer may have tagged meanwhile),
    printing GTO's lines: "Created git tag ..." (or "Deleted ..."), then the push hint, or "Running `git push
    ...`" and "Successfully pushed ..." with --push."""
    from gto_lsp.core.registry.plan import PlanError
    from gto_lsp.core.registry.write import WriteError, tag_remote, write_plan

    try:
        plan = replan(_registry(root))
    except PlanError as error:
        raise _plan_error(error) from error
    try:
        remote = tag_remote(root)  # where --push sends the tags; GTO's hint always says origin
    except WriteError:
        remote = "origin"
    stdout = {t.name: t.stdout for t in plan.create}
    delete = " --delete " if plan.delete else " "

    def report(kind: str, tag: str) -> None:
        if kind == "created":
            print(stdout[tag], file=out)
        elif kind == "deleted":
            print(f"Deleted git tag '{tag}'", file=out)
        elif kind == "pushing":
            print(f"Running `git push{delete}{remote} {tag}`", file=out)
        elif kind == "pushed":
            print(f"Successfully {'deleted' if plan.delete else 'pushed'} git tag {tag} on remote.", file=out)
        if kind in ("created", "deleted") and not push:
            print("To push the changes upstream, run:", file=out)
            print(f"    git push{delete}{remote} {shlex.quote(tag)}", file=out)

    try:
        write_plan(root, plan, push=push, report=report, replan=replan)
    except WriteError as error:
        raise CliError(("Unexpected error: " if error.unexpected else "") + error.message) from error
    out.flush()
    return EXIT_OK


def _plan_error(error: Exception) -> CliError:
    from gto_lsp.core.registry.plan import PlanError

    assert isinstance(error, PlanError)
    return CliError(("Unexpected error: " if error.unexpected else "") + error.message)


def _registry(root: Path) -> Any:
    from gto_lsp.core.registry.state import read_registry

    return read_registry(root)


def cmd_register(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.registry.plan import PlanError, check_register, plan_register

    bumps = [b for b in ("major", "minor", "patch") if getattr(args, f"bump_{b}")]
    given = len(bumps) + (1 if args.version else 0)
    root = _root(args.repo)
    try:
        check_register(args.name, bumps=given)
    except PlanError as error:
        raise _plan_error(error) from error
    sha = _resolve(root, args.ref or "HEAD")

    def planner(registry: Registry) -> TagPlan:
        return plan_register(
            registry,
            args.name,
            sha,
            version=args.version,
            bump=bumps[0] if bumps else None,
            message=args.message,
            simple=args.simple,
            force=args.force,
            bumps=given,
        )

    return _run_plan(root, planner, args.push or root in _CLONES, out)


def cmd_assign(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.registry.plan import PlanError, check_assign, plan_assign

    root = _root(args.repo)
    if args.ref is not None:
        name_version, version, ref = args.version, None, args.ref
    elif args.version is not None:
        name_version, version, ref = None, args.version, None
    else:
        name_version, version, ref = None, None, "HEAD"
    stages = _stages(root)
    try:
        check_assign(args.name, args.stage, version, name_version, args.skip_registration, stages)
    except PlanError as error:
        raise _plan_error(error) from error
    sha = _resolve(root, ref) if ref is not None else None

    def planner(registry: Registry) -> TagPlan:
        return plan_assign(
            registry,
            args.name,
            args.stage,
            ref_sha=sha,
            version=version,
            name_version=name_version,
            message=args.message,
            simple=args.simple,
            force=args.force,
            skip_registration=args.skip_registration,
            allowed_stages=stages,
        )

    return _run_plan(root, planner, args.push or root in _CLONES, out)


def cmd_deprecate(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.registry.plan import plan_deprecate, plan_deregister, plan_unassign

    root = _root(args.repo)
    stages = _stages(root) if args.stage else None
    ref = None
    if not args.stage and not args.version and args.ref:
        try:
            ref = _resolve(root, args.ref)
        except CliError as error:
            raise CliError(f"Ref '{args.ref}' was not found in the repository history") from error

    def planner(registry: Registry) -> TagPlan:
        if args.stage:
            return plan_unassign(
                registry,
                args.name,
                args.version,
                args.stage,
                message=args.message,
                simple=args.simple,
                force=args.force,
                delete=args.delete,
                allowed_stages=stages,
            )
        if args.version:
            return plan_deregister(
                registry,
                args.name,
                args.version,
                message=args.message,
                simple=args.simple,
                force=args.force,
                delete=args.delete,
            )
        return plan_deprecate(
            registry,
            args.name,
            ref_sha=ref,
            head_sha=registry.head,
            message=args.message,
            simple=args.simple,
            force=args.force,
            delete=args.delete,
        )

    return _run_plan(root, planner, args.push or root in _CLONES, out)


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

    root = _root(args.repo)
    registry = _registry(root)
    stages = _stages(root)
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


def add_parsers(sub: Any, repo_option: Any) -> None:
    """The registry commands, on the main parser's subparsers."""

    def common(p: argparse.ArgumentParser) -> None:
        repo_option(p)
        p.add_argument("-m", "--message", help="Message to annotate the Git tag with")
        p.add_argument(
            "--simple",
            type=_simple,
            default=None,
            metavar="auto|true|false",
            help="Use simple notation, e.g. `rf#prod` instead of `rf#prod#5` [default: auto]",
        )
        force_help = "Create the Git tag even if it already exists and is in effect"
        p.add_argument("--force", action="store_true", help=force_help)
        p.add_argument("--push", action="store_true", help="Push the created tag(s), and only them, to the remote")

    p = sub.add_parser("register", help="Register a version of an artifact: a NAME@vX.Y.Z git tag, as `gto register`")
    p.add_argument("name", help="Artifact name (DIR:NAME for DIR/dvc.yaml)")
    p.add_argument("ref", nargs="?", default=None, help="Git reference to register [default: HEAD]")
    p.add_argument("--version", "--ver", help="Version name in SemVer format (vX.Y.Z)")
    p.add_argument("--bump-major", action="store_true", help="Bump major version")
    p.add_argument("--bump-minor", action="store_true", help="Bump minor version")
    p.add_argument("--bump-patch", action="store_true", help="Bump patch version")
    common(p)
    p.set_defaults(run=cmd_register)

    p = sub.add_parser(
        "assign", aliases=["promote"], help="Assign a stage to a version: a NAME#STAGE#N git tag, as `gto assign`"
    )
    p.add_argument("name", help="Artifact name (DIR:NAME for DIR/dvc.yaml)")
    p.add_argument("ref", nargs="?", default=None, help="Git reference to use [default: HEAD unless --version]")
    p.add_argument("--stage", required=True, help="Stage to assign")
    p.add_argument("--version", help="The version to assign; with REF, the version to register there")
    p.add_argument(
        "--sr",
        "--skip-registration",
        dest="skip_registration",
        action="store_true",
        help="Don't register a version at the specified commit",
    )
    common(p)
    p.set_defaults(run=cmd_assign)

    p = sub.add_parser(
        "deprecate",
        help="Deprecate an artifact, deregister a VERSION, or unassign a STAGE from it, as `gto deprecate`",
    )
    p.add_argument("name", help="Artifact name")
    p.add_argument("version", nargs="?", default=None, help="Artifact version")
    p.add_argument("stage", nargs="?", default=None, help="Stage to unassign")
    p.add_argument("--ref", help="Git reference to use (for artifact deprecation)")
    p.add_argument("-d", "--delete", action="store_true", help="Delete the git tag(s) instead of creating a new one")
    common(p)
    p.set_defaults(run=cmd_deprecate)

    p = sub.add_parser("show", help="Show the registry state from the git tags, as `gto show`")
    p.add_argument("name", nargs="?", default=None, help="Artifact name to show. If empty, show all.")
    repo_option(p)
    p.add_argument("--json", action="store_true", help="Print JSON")
    p.add_argument("-d", "--deprecated", action="store_true", help="Include deprecated artifacts")
    p.set_defaults(run=cmd_show)
