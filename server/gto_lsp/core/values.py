"""Values as GTO reads them beyond YAML: pydantic 2's lax booleans (`virtual`, `.gto`'s flags, `GTO_EMOJIS`)."""

from __future__ import annotations

from typing import Any, Optional

# The strings pydantic 2 reads as a boolean in lax mode (case-insensitive).
LAX_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
LAX_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def lax_bool(text: str) -> Optional[bool]:
    """What pydantic reads `text` as: True, False, or None when it is not a boolean."""
    lowered = text.lower()
    return True if lowered in LAX_TRUE else False if lowered in LAX_FALSE else None


def is_lax_false(value: Any) -> bool:
    """Whether a loaded value counts as false for a boolean field whose default is true."""
    if isinstance(value, str):
        return value.lower() in LAX_FALSE
    return not value
