"""Which files DVC reads, and the one problem of a dvc.yaml it cannot read (not UTF-8).

DVC's walk of a repository skips its own folders (`.dvc/`, `.git/`, `.hg/` at any depth) and what the `.dvcignore`
files exclude (gitignore rules; each file applies below its folder, the deeper file's rules after its parents', the
last matching rule wins; a folder once excluded hides everything inside it, `.dvcignore` files included). Patterns
become regular expressions through pathspec's gitignore translation, the one DVC uses."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Callable, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.problems import Pos, Problem, Span

IGNORE_FILE = ".dvcignore"
_OWN_FOLDERS = (".hg/", ".git/", ".git", ".dvc/")  # DVC ignores these wherever they are


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    ignore: bool  # False: a `!` rule, which includes again
    dir_only: bool  # `data/` matches folders only
    folder: str  # where its .dvcignore is ("" at the root): the rule matches paths relative to it
    source: str  # why, for the user: "`.dvcignore` line 3 (`data/`) excludes it"


def _compile(pattern: str, folder: str, source: str) -> Optional[_Rule]:
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern  # only when a .dvcignore exists

    regex, ignore = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    if regex is None or ignore is None:
        return None
    return _Rule(re.compile(regex), ignore, pattern.endswith("/"), folder, source)


class DvcIgnore:
    """Asks `read(rel)` for the text of a `.dvcignore` (relative to the repository root; None when there is
    none) only for the folders it is asked about, once each."""

    def __init__(self, read: Callable[[str], Optional[str]]) -> None:
        self._read = read
        self._rules: dict[str, tuple[_Rule, ...]] = {}  # folder -> the rules in force for its entries

    def reason(self, rel: str, is_dir: bool = False) -> Optional[str]:
        """Why DVC never reads `rel` (relative to the repository root), or None when its walk reaches it."""
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[: depth - 1])
            found = _match(self._rules_of(folder), "/".join(parts[:depth]), is_dir or depth < len(parts))
            if found is not None:
                return found
        return None

    def _rules_of(self, folder: str) -> tuple[_Rule, ...]:
        known = self._rules.get(folder)
        if known is not None:
            return known
        if folder:
            inherited = self._rules_of(posixpath.dirname(folder))
        else:
            own = (_compile(p, "", f"it is inside `{p.rstrip('/')}/`, where DVC never looks") for p in _OWN_FOLDERS)
            inherited = tuple(rule for rule in own if rule is not None)
            self._rules[""] = inherited
        file = posixpath.join(folder, IGNORE_FILE) if folder else IGNORE_FILE
        text = None if _match(inherited, file, False) is not None else self._read(file)
        rules = list(inherited)
        for number, line in enumerate(re.split(r"\r\n|\r|\n", text or ""), 1):
            pattern = line.strip()  # DVC strips both ends, then skips blanks and comments
            if pattern and not pattern.startswith("#"):
                rule = _compile(pattern, folder, f"`{file}` line {number} (`{pattern}`) excludes it")
                if rule is not None:
                    rules.append(rule)
        self._rules[folder] = tuple(rules)
        return self._rules[folder]


def _match(rules: tuple[_Rule, ...], path: str, is_dir: bool) -> Optional[str]:
    """The source of the last rule matching `path` when it ignores it, None when none matches or it includes."""
    for rule in reversed(rules):
        if rule.dir_only and not is_dir:
            continue
        relative = path[len(rule.folder) + 1 :] if rule.folder else path
        if rule.regex.match(relative) or (is_dir and rule.regex.match(relative + "/")):
            return rule.source if rule.ignore else None
    return None


def not_read(reason: str) -> Problem:
    """The one note of a dvc.yaml that DVC never reads (`reason`: from DvcIgnore.reason or inside_outputs)."""
    return problem(
        "dvc-file-ignored",
        f"DVC never reads this dvc.yaml: {reason}. gto-lsp does not check it either; move it, or change the rule, "
        "for DVC to read it.",
        Span.at(0, 0),
        fmt="dvc",
    )


def not_utf8(rel: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    """The one problem of a dvc.yaml that is not UTF-8, at its first undecodable byte."""
    before = data[: error.start]
    line = before.count(b"\n")
    col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace"))
    return problem(
        "file-encoding",
        f"{rel} is not UTF-8 (byte 0x{data[error.start]:02x} at line {line + 1}): DVC cannot read it "
        "(`dvc status` stops: 'is not valid utf-8'). Save the file as UTF-8.",
        Span(Pos(line, col), Pos(line, col + 1)),
        file=rel,
        fmt="dvc",
    )
