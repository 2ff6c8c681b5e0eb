"""Messages where gto-lsp deliberately says something else than GTO, because GTO's text is itself the problem (issue
12, item 15): a Python list repr, the wrong artifact named, no field named, a plain mistake called "Unexpected
error", "No versions found" for an artifact that has versions. Each pair is (why, GTO's text, ours) as regular
expressions; named groups both have must hold the same text, so the difference stays pinned to what GTO said
(same value, same list, same path). README "Compatibility notes" lists them for users."""

from __future__ import annotations

import re
from typing import Optional

_NAME_RULE = (
    r"only letters, numbers, '_', '-' and '/' are allowed, and it must start and end with a letter or a number\."
)

KNOWN_MESSAGES: list[tuple[str, str, str]] = [
    (
        "the field is named; GTO's 'len >= 2' is not its rule (one character is valid)",
        r"Invalid value '(?P<value>.*)'\. Only letters, numbers, '_', '-', '/' are allowed\. "
        r"Value must be of len >= 2 and must start and end with a letter or a number\.",
        r"Invalid (?:artifact name|label|type|stage) '(?P<value>.*)': " + _NAME_RULE,
    ),
    (
        "the allowed types as a list, not Python's repr",
        r"Allowed types are: '\[(?P<allowed>.*)\]'",
        r"Type '.*' is not allowed by (?:\.gto|GTO_TYPES): use one of (?P<allowed>.+)",
    ),
    (
        "no type allowed",
        r"Allowed types are: '\[\]'",
        r"Type '.*' is not allowed: (?:\.gto|GTO_TYPES) allows no type \(`types: \[\]`\)",
    ),
    (
        "the allowed stages as a list, not Python's repr",
        r"Allowed stages are: '\[(?P<allowed>.*)\]'",
        r"Stage '.*' is not allowed by \.gto: use one of (?P<allowed>.+)",
    ),
    (
        "names the artifact the path conflicts with (GTO names the new one, `('None' 'rf2')`)",
        r"Provided path conflicts with '(?P<path>.*)' \('.*' '.*'\)",
        r"Provided path '(?P<path>.*)' conflicts with artifact '.+', whose path is '.*'",
    ),
    (
        "an unknown REF is a plain mistake",
        r"Unexpected error: unknown Git revision '(?P<ref>(?!HEAD').*)'",
        r"Unknown Git revision '(?P<ref>.*)': no commit, branch or tag of this repository has that name",
    ),
    (
        "before the first commit: commit first",
        r"Unexpected error: unknown Git revision 'HEAD'",
        r"The repository has no commits yet: GTO's tags point at commits\. Commit first, then try again\.",
    ),
    (
        "not a repository is a plain mistake",
        r"Unexpected error: (?P<path>.*) is not a git repository",
        r"'(?P<path>.*)' is not in a git repository: run the command inside one, or name it with -r/--repo",
    ),
    (
        "no git identity is a plain mistake, with the commands that fix it",
        r"Unexpected error: Git user name and email must be configured",
        r"Git user name and email must be configured: GTO's tags carry them\. Run .+",
    ),
    (
        "the artifact has versions, just not this one: name them",
        r"No versions found for '(?P<name>.*)'",
        r"Version '.*' is not registered for '(?P<name>.*)': its versions are .+",
    ),
]


def known(ours: str, gto: str) -> Optional[str]:
    """Why `ours` deliberately differs from GTO's `gto` (one message, no emoji), or None."""
    for why, theirs_re, ours_re in KNOWN_MESSAGES:
        t = re.fullmatch(theirs_re, gto, re.DOTALL)
        o = re.fullmatch(ours_re, ours, re.DOTALL)
        if t and o and all(o.groupdict().get(k, v) == v for k, v in t.groupdict().items()):
            return why
    return None


def expected(gto: Optional[str], ours: Optional[str]) -> Optional[str]:
    """GTO's message, or ours where it is a known difference from GTO's."""
    if gto is not None and ours is not None and known(ours, gto) is not None:
        return ours
    return gto


def same_stderr(ours: str, gto: str) -> bool:
    """The commands' stderr, line by line (`❌ ` kept on both), equal or a known difference."""
    a, b = ours.splitlines(), gto.splitlines()
    if len(a) != len(b):
        return False
    strip = re.compile(r"^(❌ )?")
    for x, y in zip(a, b):
        if x == y:
            continue
        mx, my = strip.match(x), strip.match(y)
        assert mx and my
        if mx.group(0) != my.group(0) or known(x[mx.end() :], y[my.end() :]) is None:
            return False
    return True


# `gto-lsp show` on a registry GTO cannot read at all: GTO prints only its error; gto-lsp prints the same error
# inside its own sentence on stderr, exits 1 as GTO does, and prints the state the tags give on stdout (README,
# compatibility notes), so the stdout of such a show is not compared.
UNREADABLE_SHOW = "gto-lsp shows what the tags say, after GTO's error"
KNOWN_MESSAGES.append(
    (
        UNREADABLE_SHOW,
        r"(?P<error>.+)",
        r"GTO cannot read this registry: every gto command fails with `(?P<error>.+)`\. The state below is what "
        r"the tags say\.",
    )
)


# `gto-lsp history`, `stages` and `check-ref` (tests/compat/test_registry_history_differential.py): two options
# that exclude each other are a plain mistake, not an "Unexpected error" (GTO's failed assertion); ours names them.
KNOWN_MESSAGES += [
    (
        "history: --json with --plain is a plain mistake; the two options are named",
        r"Unexpected error: Only one output format allowed",
        r"--json and --plain are two output formats: use one of them",
    ),
    (
        "stages: --allowed with --used is a plain mistake; the two options are named",
        r'Unexpected error: Either "allowed" or "used" can be set',
        r"--allowed and --used ask for two different lists: use one of them",
    ),
    (
        "check-ref: two of --json, --name, --version, --event, --stage are a plain mistake; they are named",
        r"Unexpected error: Only one output formatting flags is allowed",
        r"--\w+( and --\w+)+ are different outputs: use at most one of them",
    ),
]
