"""What the commands share: errors and exit codes, the repository, reading and atomic writing, commits."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional, Sequence, TextIO

from gto_lsp.core.config import DEFAULT_INDEX, Config
from gto_lsp.core.messages import no_git_repo
from gto_lsp.core.repo.safe_read import read_bytes
from gto_lsp.core.values import LAX_FALSE

if TYPE_CHECKING:
    from gto_lsp.core.repo.reader import RepoFacts

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


def exit_code(error: Exception) -> int:
    """A GTO error exits 1, as GTO does; a write refused because the file would not read back as intended
    (core's `unsafe-edit`) exits 2: the command cannot run on the file as it is written."""
    return EXIT_USAGE if getattr(error, "kind", None) == "unsafe-edit" else EXIT_PROBLEMS


def emoji_fail() -> str:
    # GTO prints its emojis unless GTO_EMOJIS says otherwise.
    flag = os.environ.get("GTO_EMOJIS", "true").strip().lower()
    return "" if flag in LAX_FALSE else "❌ "


ALLOW_OUTSIDE_INDEX = "--allow-outside-index"


@dataclass
class Repo:
    root: Path
    index: str
    config: Config
    index_refused: Optional[str] = None  # why the index is not read or written (outside the repository)

    @property
    def index_path(self) -> Path:
        """artifacts.yaml (or `.gto`'s index); refused when it is outside the repository, checked only by the
        commands that read it (`annotate sub:x` does not)."""
        if self.index_refused is not None:
            raise CliError(self.index_refused, EXIT_USAGE)
        return self.root / self.index


def open_repo(repo_arg: str, allow_outside_index: bool = False) -> Repo:
    from gto_lsp.core.config import read_config
    from gto_lsp.core.repo.run import GitError, find_root

    start = Path(repo_arg)
    if not start.exists():
        raise CliError(no_git_repo(repo_arg))
    try:
        root = find_root(start)
    except GitError as error:
        raise CliError(error.message) from error
    config = read_config(root)
    return Repo(root, config.index, config, None if allow_outside_index else index_outside(root, config.index))


def index_outside(root: Path, index: str) -> Optional[str]:
    """Why the configured index is refused, or None. A `.gto` (or GTO_INDEX) may name a file outside the
    repository, or artifacts.yaml may be a link out: a pull request's `.gto` would have `check` print a file
    of the CI runner, so it is read only with the explicit opt-in."""
    from gto_lsp.core.formats.dvc.files import PathRefused, annotations_file
    from gto_lsp.core.paths import within

    rel = index
    if os.path.isabs(index) and within(os.path.normpath(index), str(root)):  # GTO_INDEX=/the/repo/artifacts.yaml
        rel = os.path.relpath(os.path.normpath(index), root)
    try:
        annotations_file(root, rel, folder_must_exist=False)
    except PathRefused as error:
        if error.outside:
            named = (
                " (GTO_INDEX)"
                if os.environ.get("GTO_INDEX") == index
                else ""
                if index == DEFAULT_INDEX
                else " (`.gto`'s `index`)"
            )
            return (
                f"The annotations file{named} is outside the repository: {error.message} "
                f"To read it anyway, as GTO does, pass {ALLOW_OUTSIDE_INDEX}."
            )
    return None


def read_text(path: Path) -> Optional[str]:
    """The file's text; None when absent. A FIFO, a device or a file over 16 MB is refused, never read."""
    try:
        return read_bytes(path).decode("utf-8")
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


def refuse_dirty(facts: RepoFacts, relpath: str, on_disk: Optional[str]) -> None:
    """GTO refuses --commit when the file to commit already has uncommitted changes (as git sees them: a CRLF
    file with core.autocrlf=true is unchanged though HEAD's blob has LF)."""
    if on_disk is not None and facts.file_at_head(relpath) != on_disk and not facts.same_as_head(relpath):
        raise CliError(NOT_COMMITTABLE)


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """One writer at a time for `path` (its `.lock` file beside it): read, write and commit inside."""
    from gto_lsp.core.repo.lock import LockBusy, file_lock

    if not path.parent.is_dir():  # a new folder is made by the write: nothing to race with yet
        yield
        return
    try:
        with file_lock(path):
            yield
    except LockBusy as error:
        raise CliError(error.message, getattr(error, "code", EXIT_PROBLEMS)) from error  # LockRefused: 2


def commit_changes(repo: Repo, message: str, push: bool, out: TextIO, files: Optional[Sequence[str]] = None) -> None:
    """Commit only `files` (relative to the root; artifacts.yaml by default) in one commit, and push."""
    from gto_lsp.core.repo.commit import commit_files
    from gto_lsp.core.repo.run import GitError

    print("Running `git commit`", file=out)
    try:
        result = commit_files(repo.root, list(files or [repo.index]), message, push=push)
    except GitError as error:
        raise CliError(error.message) from error
    if result.others or result.left_out:
        print(result.holds(), file=out)  # a commit hook changed what the commit holds: say it plainly
    if push:
        if result.pushed:
            print("Running `git push`", file=out)
        elif result.push_error:
            raise CliError(result.push_error)


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
