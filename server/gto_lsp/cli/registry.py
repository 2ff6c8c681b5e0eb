"""register, assign, deprecate and show: GTO 1.10.1's registry commands on core/registry (tags only, no GTO);
show is in show.py, the `-r` repository in repository.py.

Texts and exit codes are GTO 1.10.1's (`❌ ` + GTO's message on stderr, exit 1; usage errors exit 2). Where
GTO fails badly this does the sensible thing instead (README, compatibility notes).
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TextIO

from gto_lsp.cli.common import EXIT_OK, CliError
from gto_lsp.cli.repository import is_clone, registry_of, repo_root, stages_of
from gto_lsp.cli.show import cmd_show
from gto_lsp.core.messages import unknown_revision

if TYPE_CHECKING:
    from gto_lsp.core.registry.plan import TagPlan
    from gto_lsp.core.registry.state import Registry
    from gto_lsp.core.registry.write import Replan

_SIMPLE = {"auto": None, "true": True, "false": False}


def _simple(value: str) -> Optional[bool]:
    if value not in _SIMPLE:
        raise argparse.ArgumentTypeError(f"Only one of {list(_SIMPLE)} is allowed")
    return _SIMPLE[value]


def _resolve(root: Path, ref: str) -> str:
    """REF's commit (an annotated tag is peeled), as GTO resolves it."""
    from gto_lsp.core.repo.run import commit_of

    sha = commit_of(root, ref)
    if sha is None:
        raise CliError(unknown_revision(ref))
    return sha


def _run_plan(root: Path, replan: Replan, push: bool, out: TextIO) -> int:
    """Plan, then write the plan made again under the registry lock (another writer may have tagged meanwhile),
    printing GTO's lines: "Created git tag ..." (or "Deleted ..."), then the push hint, or "Running `git push
    ...`" and "Successfully pushed ..." with --push."""
    from gto_lsp.core.registry.plan import PlanError
    from gto_lsp.core.registry.write import WriteError, tag_remote, write_plan

    try:
        plan = replan(registry_of(root))
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


def cmd_register(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.registry.plan import PlanError, check_register, plan_register

    bumps = [b for b in ("major", "minor", "patch") if getattr(args, f"bump_{b}")]
    given = len(bumps) + (1 if args.version else 0)
    root = repo_root(args.repo)
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

    return _run_plan(root, planner, args.push or is_clone(root), out)


def cmd_assign(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.registry.plan import PlanError, check_assign, plan_assign

    root = repo_root(args.repo)
    if args.ref is not None:
        name_version, version, ref = args.version, None, args.ref
    elif args.version is not None:
        name_version, version, ref = None, args.version, None
    else:
        name_version, version, ref = None, None, "HEAD"
    stages = stages_of(root)
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

    return _run_plan(root, planner, args.push or is_clone(root), out)


def cmd_deprecate(args: argparse.Namespace, out: TextIO) -> int:
    from gto_lsp.core.registry.deprecate import plan_deprecate, plan_deregister, plan_unassign

    root = repo_root(args.repo)
    stages = stages_of(root) if args.stage else None
    ref = None
    if not args.stage and not args.version and args.ref:
        from gto_lsp.core.repo.run import commit_of

        ref = commit_of(root, args.ref)  # None: plan_deprecate says so after GTO's other checks

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
            ref=args.ref if not args.stage and not args.version else None,
        )

    return _run_plan(root, planner, args.push or is_clone(root), out)


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
    p.add_argument("--json", action="store_true", help="Print output in json format")
    p.add_argument("--plain", action="store_true", help="Print table in grep-able format")
    p.add_argument("--name", dest="show_name", action="store_true", help="Show artifact name")
    p.add_argument("--version", dest="show_version", action="store_true", help="Output artifact version")
    p.add_argument("--stage", dest="show_stage", action="store_true", help="Show artifact stage")
    p.add_argument("--ref", dest="show_ref", action="store_true", help="Show ref")
    p.add_argument(
        "--ro", "--registered-only", dest="registered_only", action="store_true", help="Show only registered versions"
    )
    p.add_argument("-d", "--deprecated", action="store_true", help="Include deprecated in output")
    p.add_argument(
        "--av",
        "--assignments-per-version",
        dest="per_version",
        type=int,
        default=-1,
        help="Show N last stages for each version. -1 for all",
    )
    p.add_argument(
        "--vs",
        "--versions-per-stage",
        dest="per_stage",
        type=int,
        default=1,
        help="Show N last versions for each stage. -1 for all. Applied after 'assignments-per-version'",
    )
    p.add_argument(
        "--sort", choices=("timestamp", "semver"), default="timestamp", help="Order assignments by timestamp or semver"
    )
    p.set_defaults(run=cmd_show)
