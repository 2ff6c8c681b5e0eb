"""What a format's field table is made of: a field, the rule its value's text follows, and the JSON schema of an
entry. Each format's table is its own (formats/gto/fields.py, formats/dvc/fields.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class ValueRule:
    """A rule the text of a value follows beyond its type, and the code of a value that breaks it."""

    code: str
    accepts: Callable[[str], bool]
    message: Callable[[str], str]
    suggest: Callable[[str], Optional[str]]
    allow_empty: bool = False  # an empty string is accepted without asking the rule


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "string", "boolean", "labels" (a list of strings, or a !!set), "any"
    nullable: bool  # null is accepted
    default: Any
    summary: str
    doc: str
    schema: dict[str, Any]
    value_rule: Optional[ValueRule] = None  # for "string": the value's text; for "labels": each item's


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a transposition costs 1)."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def object_schema(fields: tuple[Field, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON schema of one artifact whose fields are `fields` (a format's field table)."""
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            f.name: {
                **f.schema,
                "description": f"{f.summary} {f.doc}",
                "markdownDescription": f"{f.summary}\n\n{f.doc}",
            }
            for f in fields
        },
    }
    if required:
        schema["required"] = list(required)
    return schema
