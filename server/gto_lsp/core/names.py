"""GTO's name rule for artifact names, types, labels and stages: the pattern, its message and a suggestion."""

from __future__ import annotations

import re
from typing import Optional

# GTO 1.10's rule (gto/constants.py), as GTO writes it. `$` also matches before a trailing newline, as in GTO.
NAME_PATTERN = r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?"
# The same rule without a capturing group, to embed in larger patterns (tag names, naming shortcuts).
NAME = NAME_PATTERN.replace("(", "(?:")
_NAME_RE = re.compile(f"^{NAME_PATTERN}$")


def is_valid_name(value: str) -> bool:
    return _NAME_RE.search(value) is not None


def invalid_name_message(value: str, what: str) -> str:
    """A bad artifact name, label, type or stage, naming which (`what`). GTO 1.10.1 says `Invalid value '<v>'.
    ... Value must be of len >= 2 ...`: no field, and a length its own rule does not ask (`a` is valid)."""
    return (
        f"Invalid {what} '{value}': only letters, numbers, '_', '-' and '/' are allowed, "
        "and it must start and end with a letter or a number."
    )


def suggest_name(value: str) -> Optional[str]:
    """The closest valid name: disallowed characters become '-', ends trimmed; None when nothing is left."""
    cleaned = re.sub(r"[^a-zA-Z0-9_/-]+", "-", value.strip())
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    cleaned = re.sub(r"^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$", "", cleaned)
    return cleaned if cleaned and is_valid_name(cleaned) else None
