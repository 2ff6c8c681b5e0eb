"""The `gto-lsp` command line: GTO 0.2.8's annotate/remove/describe on the shared core, `check` for CI,
`schema` for yaml-language-server, and `serve` for editors."""

from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence, TextIO

from . import __version__
from .core.config import Config
from .core.messages import UPDATED, cannot_find_artifact, no_git_repo
from .core.values import LAX_FALSE

if TYPE_CHECKING:
    from .core.git import RepoFacts

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
NOT_COMMITTABLE = (
    "The command would have changed files that were not committed, automated committing is not possible.\n"
    "Suggested action: Commit the changes and re-run this command."
)


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_PROBLEMS) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _emoji_fail() -> str:
    # GTO prints its emojis unless GTO_EMOJIS says otherwise.
    flag = os.environ.get("GTO_EMOJIS", "true").strip().lower()
    return "" if flag in LAX_FALSE else "❌ "


@dataclass
class Repo:
    root: Path
    index_path: Path
    index: str
    config: Config


def _open_repo(repo_arg: str) -> Repo:
    from .core.config import read_config
    from .core.git import GitError, find_root

    start = Path(repo_arg)
    if not start.exists():
        raise CliError(no_git_repo(repo_arg))
    try:
        root = find_root(start)
    except GitError as error:
        raise CliError(error.message) from error
    config = read_config(root)
    return Repo(root, root / config.index, config.index, config)


def _read(path: Path) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"Cannot read {path}: {error}", EXIT_USAGE) from error


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so the file is never half-written; keep its mode."""
    mode: Optional[int] = None
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _refuse_dirty(facts: RepoFacts, repo: Repo, on_disk: Optional[str]) -> None:
    """GTO refuses --commit when the artifacts file already has uncommitted changes."""
    if on_disk is not None and facts.file_at_head(repo.index) != on_disk:
        raise CliError(NOT_COMMITTABLE)


def _commit(repo: Repo, message: str, push: bool, out: TextIO) -> None:
    from .core.git import GitError, commit_file

    print("Running `git commit`", file=out)
    try:
        result = commit_file(repo.root, repo.index, message, push=push)
    except GitError as error:
        raise CliError(error.message) from error
    if push:
        if result.pushed:
            print("Running `git push`", file=out)
        elif result.push_error:
            raise CliError(result.push_error)


def cmd_annotate(args: argparse.Namespace, out: TextIO) -> int:
    from .core.annotate import AnnotateRequest, GTOError, annotate
    from .core.git import RepoFacts, annotate_message

    repo = _open_repo(args.repo)
    facts = RepoFacts(repo.root)
    text = _read(repo.index_path)
    commit = args.commit or args.push
    if commit:
        _refuse_dirty(facts, repo, text)
    request = AnnotateRequest(
        name=args.name,
        type=args.type,
        path=args.path,
        must_exist=args.must_exist,
        allow_same_path=args.allow_same_path,
        labels=tuple(args.label or ()),
        description=args.description or "",
        custom=args.custom,
    )
    try:
        result = annotate(text, request, repo.config, in_head=facts.in_head)
    except GTOError as error:
        raise CliError(str(error)) from error
    write_atomic(repo.index_path, result.text)
    print(UPDATED, file=out)
    if commit:
        _commit(repo, annotate_message(args.name, args.type, args.path), args.push, out)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    from .core.annotate import GTOError, remove
    from .core.git import RepoFacts, remove_message

    repo = _open_repo(args.repo)
    text = _read(repo.index_path)
    commit = args.commit or args.push
    if commit:
        _refuse_dirty(RepoFacts(repo.root), repo, text)
    try:
        result = remove(text, args.name)
    except GTOError as error:
        raise CliError(str(error)) from error
    write_atomic(repo.index_path, result.text)
    print(UPDATED, file=out)
    if commit:
        _commit(repo, remove_message(args.name), args.push, out)
    return EXIT_OK


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    from .core.annotate import GTOError, describe

    repo = _open_repo(args.repo)
    name, rev = args.name, args.rev
    shortcut = _SHORTCUT.match(name)
    if shortcut is not None:
        if rev:
            raise CliError("Either specify revision or use naming shortcut.")
        name = shortcut["artifact"]
        rev = _shortcut_commit(repo, name, shortcut["stage"], shortcut["version"])
        if rev is None:
            return EXIT_OK  # GTO prints nothing when the shortcut matches no version
    if rev:
        from .core.git import GitError, RepoFacts

        try:
            text = RepoFacts(repo.root).file_at_rev(rev, repo.index)
        except GitError as error:
            raise CliError(f"Cannot read {repo.index} at '{rev}': {error}") from error
    else:
        text = _read(repo.index_path)
    try:
        annotation = describe(text, name)
    except GTOError as error:
        raise CliError(str(error)) from error
    if annotation is None:
        return EXIT_OK
    field = next((f for f in ("type", "path", "description", "custom") if getattr(args, f"show_{f}")), None)
    if field is None:
        print(json.dumps(_jsonable(annotation), indent=4), file=out)
    elif field in annotation:
        print(annotation[field], file=out)
    return EXIT_OK


def _shortcut_pattern() -> re.Pattern[str]:
    from .core.names import NAME

    return re.compile(rf"^(?P<artifact>{NAME})(?:#(?P<stage>{NAME})|@(?P<version>latest|greatest|v\d+\.\d+\.\d+\S*))$")


_SHORTCUT = _shortcut_pattern()


def _shortcut_commit(repo: Repo, name: str, stage: Optional[str], version: Optional[str]) -> Optional[str]:
    """The commit GTO's naming shortcut (`rf@latest`, `rf@v1.0.0`, `rf#prod`) points at, from the git tags."""
    from .core.git import RepoFacts

    facts = RepoFacts(repo.root)
    registry = facts.registry_state().get(name)
    if registry is None:
        from .core.annotate import describe

        try:
            known = describe(facts.file_at_head(repo.index), name) is not None
        except Exception:
            known = False
        if not known:  # neither tagged nor annotated at HEAD: GTO's show refuses the name
            raise CliError(cannot_find_artifact(name))
        return None
    wanted = registry.stages.get(stage) if stage else registry.latest if version in ("latest", "greatest") else version
    for info in registry.versions:
        if info.version == wanted:
            return info.commit
    return None


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .core.check import CheckSettings, RepoView, check
    from .core.config import read_config
    from .core.git import GitError, RepoFacts, find_root
    from .core.parse import parse

    start = Path(args.repo)
    if not start.exists():
        raise CliError(f"No such folder: '{args.repo}'", EXIT_USAGE)
    in_head = None
    try:
        root = find_root(start)
        facts: Optional[RepoFacts] = RepoFacts(root)
    except GitError:
        root = start.resolve() if start.is_dir() else start.resolve().parent
        facts = None
    config = read_config(root)
    index_path = root / config.index
    text = _read(index_path)
    problems = list(config.problems)
    if text is not None:
        if facts is not None and facts.head_sha() is not None:
            in_head = facts.in_head
        view = RepoView(root=root, in_head=in_head)
        problems.extend(check(parse(text), config, view, CheckSettings()))
    elif not (root / ".gto").exists():
        raise CliError(f"No {config.index} in {root}: nothing to check.", EXIT_USAGE)
    rows = []
    for problem in sorted(problems, key=lambda p: (p.file or config.index, p.span.start.line, p.span.start.col)):
        shown = Path(os.path.relpath(root / (problem.file or config.index), Path.cwd()))
        rows.append(
            {
                "file": str(shown),
                "line": problem.span.start.line + 1,
                "column": problem.span.start.col + 1,
                "endLine": problem.span.end.line + 1,
                "endColumn": problem.span.end.col + 1,
                "severity": problem.severity,
                "code": problem.code,
                "message": problem.message,
            }
        )
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
    for row in rows if args.format != "json" else ():
        if args.format == "github":
            level = {"error": "error", "warning": "warning"}.get(str(row["severity"]), "notice")
            message = str(row["message"]).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(
                f"::{level} file={row['file']},line={row['line']},col={row['column']},endLine={row['endLine']},"
                f"endColumn={row['endColumn']},title=gto {row['code']}::{message}",
                file=out,
            )
        else:
            print(
                f"{row['file']}:{row['line']}:{row['column']}: {row['severity']} {row['code']} {row['message']}",
                file=out,
            )
    failing = [r for r in rows if r["severity"] in ("error", "warning")]
    return EXIT_PROBLEMS if failing else EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from .core.fields import json_schema

    print(json.dumps(json_schema(), indent=2), file=out)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from .lsp.server import serve

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
        print(_emoji_fail() + error.message, file=err)
        return error.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
