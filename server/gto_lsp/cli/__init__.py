"""The `gto-lsp` command line: GTO 0.2.8's annotate/remove/describe on the shared core, `check` for CI,
`schema` for yaml-language-server, and `serve` for editors."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

from gto_lsp import __version__
from gto_lsp.core.repo.git_exe import pin_git

if TYPE_CHECKING:
    import argparse

__all__ = ["build_parser", "main"]

# The editor's command lines: the server starts without the parser and the commands' modules.
SERVE_STDIO = (("serve",), ("serve", "--stdio"))


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from gto_lsp.cli.common import EXIT_OK

    if args.format == "dvc":  # a whole dvc.yaml, every section as DVC 3.67.1 checks it
        from gto_lsp.core.formats.dvc.pipeline.schema import json_schema as dvc_file_schema

        print(json.dumps(dvc_file_schema(), indent=2), file=out)
        return EXIT_OK
    if args.dvc:
        from gto_lsp.core.formats.dvc.fields import json_schema as dvc_schema

        print(json.dumps(dvc_schema(), indent=2), file=out)
        return EXIT_OK
    from gto_lsp.core.formats.gto.fields import json_schema

    print(json.dumps(json_schema(), indent=2), file=out)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    if not args.tcp:
        return serve_stdio()
    from gto_lsp.lsp.server import serve

    host, _, port = args.tcp.rpartition(":")
    serve(host or "127.0.0.1", int(port))
    return 0


def serve_stdio() -> int:
    """The server over stdio. The collector is off while its modules load: what they create lives as long as
    the process, and collecting it as it grew was 5% of the start-up's instructions; `serve` freezes it and turns
    the collector back on. `initialize` is answered while they load (lsp/early.py)."""
    from gto_lsp.lsp import early

    early.start()
    gc.disable()
    from gto_lsp.lsp.server import serve

    serve()
    return 0


_DVCFILE_HELP = (
    "Work on this dvc.yaml's `artifacts:` section instead of artifacts.yaml: [DIR/]dvc.yaml or DIR, relative to "
    "the current directory (like DVC's dvcfile). A full name SUB/DIR:NAME means SUB/DIR/dvc.yaml without it"
)


_NAME_HELP = (
    "Artifact name (SUB/DIR:NAME for SUB/DIR/dvc.yaml). A NAME that artifacts.yaml lacks but the root dvc.yaml "
    "has means that entry"
)


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from gto_lsp.cli.check import cmd_check
    from gto_lsp.cli.common import ALLOW_OUTSIDE_INDEX
    from gto_lsp.cli.edit import cmd_annotate, cmd_describe, cmd_remove
    from gto_lsp.cli.history import add_parsers as add_history_parsers
    from gto_lsp.cli.migrate import cmd_migrate
    from gto_lsp.cli.refs import add_parsers as add_refs_parsers
    from gto_lsp.cli.registry import add_parsers as add_registry_parsers

    parser = argparse.ArgumentParser(
        prog="gto-lsp",
        description="GTO's artifacts.yaml and dvc.yaml's artifacts in editors and CI: annotate, remove, describe, "
        "check, migrate, serve; the registry in git tags: register, assign, deprecate, show.",
    )
    parser.add_argument("--version", action="version", version=f"gto-lsp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def repo_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("-r", "--repo", default=".", help="Repository (any folder inside it) [default: .]")

    def index_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            ALLOW_OUTSIDE_INDEX,
            action="store_true",
            help="Read (and write) an annotations file outside the repository that `.gto`'s `index` or GTO_INDEX "
            "names, or an artifacts.yaml that links out of it (refused by default: a repository's content must not "
            "make gto-lsp read the machine's files)",
        )

    p = sub.add_parser("annotate", help="Create or update an artifact's annotation in artifacts.yaml or a dvc.yaml")
    p.add_argument("name", help=_NAME_HELP)
    repo_option(p)
    p.add_argument("--dvcfile", metavar="[DIR/]dvc.yaml", help=_DVCFILE_HELP)
    p.add_argument("--type", help="Artifact type")
    p.add_argument("--path", help="Artifact path (in a dvc.yaml: relative to its folder, as DVC reads it)")
    p.add_argument("-e", "--must-exist", action="store_true", help="Verify artifact is committed to Git")
    p.add_argument("--allow-same-path", action="store_true", help="Allow same path for different artifacts")
    p.add_argument("--label", action="append", help="Labels to add to artifact (repeat)")
    p.add_argument("-d", "--description", help="Artifact description (`desc` in a dvc.yaml)")
    p.add_argument("-c", "--custom", help="Custom metadata to add to artifact (`meta` in a dvc.yaml)")
    p.add_argument("--commit", action="store_true", help="Commit the annotations file (only that file)")
    p.add_argument("--push", action="store_true", help="Push the commit to the branch's upstream (implies --commit)")
    index_option(p)
    p.set_defaults(run=cmd_annotate)

    p = sub.add_parser("remove", help="Remove an artifact's annotation from artifacts.yaml or a dvc.yaml")
    p.add_argument("name", help=_NAME_HELP)
    repo_option(p)
    p.add_argument("--dvcfile", metavar="[DIR/]dvc.yaml", help=_DVCFILE_HELP)
    p.add_argument("--commit", action="store_true", help="Commit the annotations file (only that file)")
    p.add_argument("--push", action="store_true", help="Push the commit (implies --commit)")
    index_option(p)
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("describe", help="Print an artifact's annotation as JSON")
    p.add_argument(
        "name",
        help="Artifact name, a full name SUB/DIR:NAME (or SUB/DIR/dvc.yaml:NAME), or a shortcut: NAME@latest, "
        "NAME@vX.Y.Z, NAME#STAGE. A NAME not in artifacts.yaml is looked up in the root dvc.yaml",
    )
    repo_option(p)
    p.add_argument("--dvcfile", metavar="[DIR/]dvc.yaml", help=_DVCFILE_HELP)
    p.add_argument("--rev", help="Read the file at this git revision instead of the working tree")
    group = p.add_mutually_exclusive_group()
    for field, alias in (("type", None), ("path", None), ("description", "desc"), ("custom", "meta")):
        names = [f"--{field}"] + ([f"--{alias}"] if alias else [])
        shown = f"{field} (`{alias}` in a dvc.yaml)" if alias else field
        group.add_argument(*names, dest=f"show_{field}", action="store_true", help=f"Show {shown} only")
    index_option(p)
    p.set_defaults(run=cmd_describe)

    p = sub.add_parser("check", help="Report every problem of artifacts.yaml, .gto and every dvc.yaml (for CI)")
    repo_option(p)
    p.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif"),
        default="text",
        help="text: one line per problem and a summary; json: a list; github: workflow annotations (and the "
        "whole table in $GITHUB_STEP_SUMMARY); sarif: SARIF 2.1.0 for code scanning",
    )
    p.add_argument(
        "--staged",
        action="store_true",
        help="Check what the next commit holds: artifacts.yaml, .gto and every dvc.yaml as staged in git's index, "
        "a staged path present and committed, one deleted in the index gone, unstaged edits ignored (the "
        "pre-commit hook `gto-check`)",
    )
    p.add_argument(
        "--registry",
        action="store_true",
        help="Also check the registry's git tags: tags GTO cannot read, double registrations, versions whose "
        "commit lacks the artifact, stages of deprecated versions, versions out of order, undeclared artifacts",
    )
    p.add_argument(
        "--fix",
        action="store_true",
        help="With --registry: apply the safe local fixes (`git tag -d` of a duplicate registration GTO cannot "
        "notice, or of a tag GTO fails on), printing each git command; never pushes",
    )
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="Exit 1 when a problem of this severity or worse is found (default: error; never: always exit 0)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="Check an artifacts.yaml that does not look like GTO annotations (another tool's file) as GTO's",
    )
    index_option(p)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser(
        "migrate",
        help="Move annotations from artifacts.yaml to the `artifacts:` section of a dvc.yaml",
        description="Move annotations from artifacts.yaml to a dvc.yaml: description -> desc, custom -> meta, "
        "virtual dropped, fields DVC does not know dropped. Entries without a path (DVC requires one) or already in "
        "the dvc.yaml stay in artifacts.yaml. Exit 0 when every entry asked for moved, 1 when some stayed.",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="Artifacts to move [default: all]")
    repo_option(p)
    p.add_argument(
        "--to",
        metavar="[DIR/]dvc.yaml",
        help="The dvc.yaml to move them to, relative to the current directory [default: the repository's root "
        "dvc.yaml, where names keep matching their existing NAME@vX.Y.Z tags; in DIR/dvc.yaml they become DIR:NAME]",
    )
    p.add_argument("--commit", action="store_true", help="Commit both files in one commit (only those files)")
    p.add_argument("--push", action="store_true", help="Push the commit (implies --commit)")
    index_option(p)
    p.set_defaults(run=cmd_migrate)

    add_registry_parsers(sub, repo_option)
    add_history_parsers(sub, repo_option)
    add_refs_parsers(sub, repo_option)

    p = sub.add_parser("schema", help="Print the JSON schema of artifacts.yaml (of a dvc.yaml artifact with --dvc)")
    p.add_argument("--dvc", action="store_true", help="The schema of one artifact in dvc.yaml's `artifacts:`")
    p.add_argument(
        "--format",
        choices=("gto", "dvc"),
        default="gto",
        help="gto: artifacts.yaml (the default); dvc: a whole dvc.yaml, every section as DVC 3.67.1 checks it",
    )
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("serve", help="Run the language server (stdio by default)")
    p.add_argument("--stdio", action="store_true", help="Use stdin/stdout (the default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="Listen on TCP instead")
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    pin_git()  # before GitPython's import runs `git`: never a `git` of the current folder (the server's too)
    if tuple(sys.argv[1:] if argv is None else argv) in SERVE_STDIO:
        return serve_stdio()
    from gto_lsp.cli.common import EXIT_USAGE, CliError, emoji_fail

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    if not getattr(args, "run", None):
        parser.print_help(err)
        return EXIT_USAGE
    args.err = err  # commands that warn and still print a result (show) write the warning here
    try:
        return int(args.run(args, out))
    except CliError as error:
        print(emoji_fail() + error.message, file=err)
        return error.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `gto-lsp check | head`: the reader left; exit as a tool killed by SIGPIPE, quietly
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
