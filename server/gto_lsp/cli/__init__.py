"""The `gto-lsp` command line: GTO 0.2.8's annotate/remove/describe on the shared core, `check` for CI,
`schema` for yaml-language-server, and `serve` for editors."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional, Sequence, TextIO

from .. import __version__
from .check import cmd_check
from .common import EXIT_OK, EXIT_USAGE, CliError, emoji_fail, write_atomic
from .edit import cmd_annotate, cmd_describe, cmd_remove

__all__ = ["build_parser", "main", "write_atomic"]


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from ..core.fields import json_schema

    print(json.dumps(json_schema(), indent=2), file=out)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from ..lsp.server import serve

    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        serve(host or "127.0.0.1", int(port))
    else:
        serve()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gto-lsp",
        description="GTO's artifacts.yaml in editors and CI: annotate, remove, describe, check, serve.",
    )
    parser.add_argument("--version", action="version", version=f"gto-lsp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def repo_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("-r", "--repo", default=".", help="Repository (any folder inside it) [default: .]")

    p = sub.add_parser("annotate", help="Create or update an artifact's annotation in artifacts.yaml")
    p.add_argument("name", help="Artifact name")
    repo_option(p)
    p.add_argument("--type", help="Artifact type")
    p.add_argument("--path", help="Artifact path")
    p.add_argument("-e", "--must-exist", action="store_true", help="Verify artifact is committed to Git")
    p.add_argument("--allow-same-path", action="store_true", help="Allow same path for different artifacts")
    p.add_argument("--label", action="append", help="Labels to add to artifact (repeat)")
    p.add_argument("-d", "--description", help="Artifact description")
    p.add_argument("-c", "--custom", help="Custom metadata to add to artifact")
    p.add_argument("--commit", action="store_true", help="Commit artifacts.yaml (only that file)")
    p.add_argument("--push", action="store_true", help="Push the commit to the branch's upstream (implies --commit)")
    p.set_defaults(run=cmd_annotate)

    p = sub.add_parser("remove", help="Remove an artifact's annotation from artifacts.yaml")
    p.add_argument("name", help="Artifact name")
    repo_option(p)
    p.add_argument("--commit", action="store_true", help="Commit artifacts.yaml (only that file)")
    p.add_argument("--push", action="store_true", help="Push the commit (implies --commit)")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("describe", help="Print an artifact's annotation as JSON")
    p.add_argument("name", help="Artifact name, or a shortcut: NAME@latest, NAME@vX.Y.Z, NAME#STAGE")
    repo_option(p)
    p.add_argument("--rev", help="Read artifacts.yaml at this git revision instead of the working tree")
    group = p.add_mutually_exclusive_group()
    for field in ("type", "path", "description", "custom"):
        group.add_argument(f"--{field}", dest=f"show_{field}", action="store_true", help=f"Show {field} only")
    p.set_defaults(run=cmd_describe)

    p = sub.add_parser("check", help="Report every problem of artifacts.yaml and .gto (for CI)")
    repo_option(p)
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("schema", help="Print the JSON schema of artifacts.yaml")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("serve", help="Run the language server (stdio by default)")
    p.add_argument("--stdio", action="store_true", help="Use stdin/stdout (the default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="Listen on TCP instead")
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_USAGE
    if not getattr(args, "run", None):
        parser.print_help(err)
        return EXIT_USAGE
    try:
        return int(args.run(args, out))
    except CliError as error:
        print(emoji_fail() + error.message, file=err)
        return error.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
