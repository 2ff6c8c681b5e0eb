"""Where an artifact's name is used outside the annotations files, read from a file's text (pure: no disk).

Recognised uses, by kind of file:
- Python (`*.py`, read with `ast`, so comments, docstrings and f-strings never match): `artifacts_show("rf")` or
  `artifacts_show(name="rf")` (dvc.api), `<anything>.log_artifact(..., name="rf")` (DVCLive), and GTO's API
  (`gto.api.register(repo, "rf", ...)`, `api.show(repo, name="rf")`, or the function imported from `gto.api`).
- Scripts, CI files and Markdown (`*.sh`, Makefile, `.github/workflows/*.yml`, `.gitlab-ci.yml`, `*.md`...),
  read line by line, comments included (a commented command still names the artifact): the first argument of a
  `gto <command>` or `gto-lsp <command>` line (every argument of `gto-lsp migrate`), and anywhere a tag or a naming
  shortcut: `rf@v1.2.3`, `rf#prod`, `rf@latest`, `rf@deprecated`.

A name is the artifact's full name, `folder:name` for a nested dvc.yaml (also spelled `folder/dvc.yaml:name`, or
`folder=name` as in tags); a use's span covers the name alone, so a rename replaces only that part. A name never
matches inside a longer one: `rf` is not a use in `rf2`, `rf-big`, `models/rf` or `dir:rf`.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from gto_lsp.core.formats.dvc.files import split_full_name
from gto_lsp.core.names import NAME, is_valid_name
from gto_lsp.core.problems import Pos, Span

MAX_BYTES = 1_000_000  # a larger file is not scanned
MAX_FILES = 20_000  # files of a repository scanned at the most
MAX_USES = 5_000  # uses reported per file at the most
MAX_CONTINUED = 20  # lines one shell command may continue over (`\` at a line's end)
MAX_COMMAND = 1_000  # characters of one line a command's words are read from

PYTHON, SCRIPT = "python", "script"
_SCRIPT_NAMES = frozenset(
    {"Makefile", "makefile", "GNUmakefile", "Jenkinsfile", ".gitlab-ci.yml", "bitbucket-pipelines.yml", "Dockerfile"}
)
_SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".mk", ".md", ".markdown")
_CI_FOLDERS = (".github/workflows/", ".circleci/")


@dataclass(frozen=True)
class Use:
    """One use of an artifact's name: `folder` ("" at the root) and `name` make its full name; `span` covers
    `name` only (code points, 0-based)."""

    folder: str
    name: str
    span: Span
    how: str  # "call" (Python), "command" (a `gto` line), "tag" (`rf@v1.0.0`, `rf#prod`)

    @property
    def full(self) -> str:
        return f"{self.folder}:{self.name}" if self.folder else self.name


def kind_of(path: str) -> Optional[str]:
    """PYTHON, SCRIPT or None (not read) for a path relative to the repository root (POSIX)."""
    base = posixpath.basename(path)
    if base.endswith(".py"):
        return PYTHON
    if base in _SCRIPT_NAMES or base.endswith(_SCRIPT_SUFFIXES):
        return SCRIPT
    if path.startswith(_CI_FOLDERS) and base.endswith((".yml", ".yaml")):
        return SCRIPT
    return None


def is_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KB: not text (git's own test)."""
    return b"\0" in data[:8192]


def uses(text: str, kind: str) -> list[Use]:
    """Every recognised use of any name in `text`, in order (at most MAX_USES)."""
    found = _python_uses(text) if kind == PYTHON else _script_uses(text)
    unique = {(u.span.start, u.span.end): u for u in found}  # a tag as a command's argument counts once
    return sorted(unique.values(), key=lambda u: (u.span.start, u.span.end))[:MAX_USES]


def uses_of(text: str, kind: str, folder: str, name: str) -> list[Use]:
    """The uses of the artifact `folder:name` (folder "" at the root)."""
    if name not in text:
        return []
    return [u for u in uses(text, kind) if u.name == name and u.folder == folder]


def use_at(text: str, kind: str, pos: Pos) -> Optional[Use]:
    """The use whose name holds `pos` (its end included: the cursor right after the name)."""
    for use in uses(text, kind):
        if use.span.start <= pos <= use.span.end:
            return use
    return None


def split_use(value: str) -> Optional[tuple[str, str, int]]:
    """(folder, name, offset of the name in `value`) of a name as written in a use (`rf`, `dir:rf`,
    `dir/dvc.yaml:rf`, `dir=rf`, each maybe followed by `@v1.0.0` or `#prod`); None when it names no artifact."""
    base = re.split(r"[@#]", value, maxsplit=1)[0]
    if ":" in base:
        folder, name = split_full_name(base)
    elif "=" in base:
        folder, name = base.rsplit("=", 1)
    else:
        folder, name = "", base
    if not is_valid_name(name) or name.endswith("\n") or folder.startswith("/") or ".." in folder.split("/"):
        return None
    return folder.strip("/"), name, len(base) - len(name)


# --- scripts, CI files, Markdown ---------------------------------------------------------------------------------

# The commands whose first argument is an artifact's name (GTO 1.10's CLI and gto-lsp's).
_GTO_COMMANDS = frozenset(
    {"register", "assign", "promote", "deprecate", "unassign", "deregister", "show", "history", "describe", "latest"}
    | {"which", "annotate", "remove", "migrate"}
)
_VALUE_OPTIONS = frozenset(
    {"-r", "--repo", "--type", "--path", "--label", "-d", "--description", "-c", "--custom", "--dvcfile", "--rev"}
    | {"--stage", "--version", "--message", "-m", "--ref", "--sort", "--format", "--author", "--author-email"}
    | {"--vs", "--versions-per-stage", "--av", "--assignments-per-version"}
)
_COMMAND = re.compile(r"(?<![\w.-])(gto|gto-lsp)[ \t]+([a-z-]+)(?![\w-])")
_TOKEN = re.compile(r"""[^\s;|&`()<>]+""")
_END = re.compile(r"[;|&`()]|\s#")
# A tag or a naming shortcut anywhere: `rf@v1.2.3`, `dir=rf#prod#2`, `dir:rf@latest`.
_TAG = re.compile(
    rf"(?<![\w./:=@#-])((?:[\w./-]+[:=])?)({NAME})"
    r"(?=@v\d+\.\d+\.\d+|@latest\b|@greatest\b|@deprecated\b|#[A-Za-z])"
)


def _lines(text: str) -> list[str]:
    """The lines of `text` without their breaks (\\r\\n, \\r, \\n: the editor's lines)."""
    return re.split(r"\r\n|\r|\n", text)


def _script_uses(text: str) -> list[Use]:
    lines = _lines(text)
    out: list[Use] = []
    commands = 0  # commands read (each up to MAX_COMMAND characters): at most MAX_USES per text
    for number, line in enumerate(lines):
        if len(out) >= MAX_USES or commands >= MAX_USES:
            break
        for match in _TAG.finditer(line):
            if len(out) >= MAX_USES:
                break
            found = split_use(match.group(1) + match.group(2))
            if found is not None:
                col = match.start(2)
                out.append(Use(found[0], found[1], Span(Pos(number, col), Pos(number, col + len(found[1]))), "tag"))
        for match in _COMMAND.finditer(line):
            if len(out) >= MAX_USES or commands >= MAX_USES:
                break
            if match.group(2) in _GTO_COMMANDS:
                commands += 1
                out.extend(_command_uses(lines, number, match.end(), match.group(2) == "migrate"))
    return out


def _command_tokens(lines: list[str], number: int, col: int) -> Iterator[tuple[int, int, str]]:
    """(line, column, token) of a command's words after `col`, over `\\`-continued lines, up to `;`, `|`, `&`, a
    comment or the line's end."""
    for line_number in range(number, min(number + MAX_CONTINUED, len(lines))):
        line = lines[line_number]
        window = min(len(line), col + MAX_COMMAND)  # a longer command is not read: a 1 MB line stays linear
        end = _END.search(line, col, window)
        stop = end.start() if end is not None else window
        continued = end is None and window == len(line) and line[col:window].rstrip().endswith("\\")
        for token in _TOKEN.finditer(line, col, stop):
            if token.group() != "\\" or not continued:
                yield line_number, token.start(), token.group()
        if not continued:
            return
        col = 0


def _command_uses(lines: list[str], number: int, col: int, every: bool) -> list[Use]:
    """The name argument(s) of one `gto <command>`: the first positional one (every one for `migrate`)."""
    out: list[Use] = []
    skip = False
    for line_number, start, token in _command_tokens(lines, number, col):
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            skip = token in _VALUE_OPTIONS
            continue
        quote = token[0] if token[0] in "\"'" else ""
        value = token[len(quote) :]
        if quote and value.endswith(quote):
            value = value[: -len(quote)]
        found = split_use(value)
        if found is not None:
            at = start + len(quote) + found[2]
            span = Span(Pos(line_number, at), Pos(line_number, at + len(found[1])))
            out.append(Use(found[0], found[1], span, "command"))
        if not every:
            break
    return out


# --- Python ------------------------------------------------------------------------------------------------------

# GTO's API (gto/api.py): the artifact is the second positional argument (after the repository), or `name=`
# (`artifact=` for history).
_GTO_API = frozenset(
    {"register", "assign", "unassign", "deregister", "deprecate", "describe", "show", "history", "check_ref"}
    | {"find_latest_version", "find_versions_in_stage"}
)


def _dotted(node: ast.expr) -> str:
    """`gto.api.register` for an attribute chain, `register` for a name, "" otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ".".join(reversed(parts)) if parts else ""


def _name_arguments(call: ast.Call, imported: frozenset[str]) -> list[ast.expr]:
    """The arguments of `call` that name an artifact."""
    callee = _dotted(call.func)
    last = callee.rsplit(".", 1)[-1]
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    if last == "artifacts_show":
        return [*call.args[:1], *(v for k, v in keywords.items() if k == "name")]
    if last == "log_artifact" and isinstance(call.func, ast.Attribute):
        return [v for k, v in keywords.items() if k == "name"]
    if (last in _GTO_API and callee.endswith("api." + last)) or callee in imported:
        return [*call.args[1:2], *(v for k, v in keywords.items() if k in ("name", "artifact"))]
    return []


def _imported_from_gto(tree: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "gto.api":
            names.update(alias.asname or alias.name for alias in node.names if alias.name in _GTO_API)
    return frozenset(names)


def _python_uses(text: str) -> list[Use]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # a file being typed: no use until it parses again
    imported = _imported_from_gto(tree)
    lines = _lines(text)
    out: list[Use] = []
    for node in ast.walk(tree):
        if len(out) >= MAX_USES:
            break
        if isinstance(node, ast.Call):
            for argument in _name_arguments(node, imported):
                use = _string_use(argument, lines)
                if use is not None:
                    out.append(use)
    return out


def _string_use(node: ast.expr, lines: list[str]) -> Optional[Use]:
    """A plain one-line string literal (no escapes, no f-string, no concatenation) that names an artifact."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    line_number = node.lineno - 1
    if node.end_lineno != node.lineno or node.end_col_offset is None or line_number >= len(lines):
        return None
    encoded = lines[line_number].encode("utf-8")
    literal = encoded[node.col_offset : node.end_col_offset].decode("utf-8", "replace")
    prefix = len(literal) - len(literal.lstrip("rRuU"))
    quote = literal[prefix : prefix + 1]
    if quote not in ("'", '"') or literal[prefix : prefix + 3] == quote * 3:
        return None
    if literal[prefix + 1 : -1] != node.value:
        return None  # escapes or implicit concatenation: the text is not the value
    found = split_use(node.value)
    if found is None:
        return None
    col = len(encoded[: node.col_offset].decode("utf-8", "replace")) + prefix + 1 + found[2]
    return Use(found[0], found[1], Span(Pos(line_number, col), Pos(line_number, col + len(found[1]))), "call")
