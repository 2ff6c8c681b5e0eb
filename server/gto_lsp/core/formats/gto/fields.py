"""The one definition of artifacts.yaml's fields, with GTO's name rule (names.py) for types and labels.

check's value rules (kind, nullable, value rule), annotate's defaults and describe's order, completion, hover and
the JSON schema read this table; tests/formats/gto/test_check.py checks that check follows it.
"""

from __future__ import annotations

from typing import Any, Optional

from gto_lsp.core.fields import Field, ValueRule, edit_distance, object_schema
from gto_lsp.core.names import NAME_PATTERN, invalid_name_message, is_valid_name, suggest_name


def name_rule(code: str, allow_empty: bool = False) -> ValueRule:
    """GTO's name rule for a label or a type, reported under `code`: GTO reads such a file, only annotate refuses."""
    what = code.removeprefix("invalid-")  # "label", "type"
    return ValueRule(
        code, is_valid_name, lambda value: annotate_refuses_message(value, what), suggest_name, allow_empty
    )


def annotate_refuses_message(value: str, what: str) -> str:
    """The text for a bad label or type, and what it breaks: reading works, the next annotate does not."""
    return (
        invalid_name_message(value, what) + " GTO still reads this file (`gto show`, `gto register` and `gto assign` "
        "work); only `gto annotate` refuses it, on any artifact."
    )


FIELDS: tuple[Field, ...] = (
    Field(
        "type",
        "string",
        True,
        None,
        "Artifact type, such as `model` or `dataset`.",
        "Letters, digits, `_`, `-` and `/`, starting and ending with a letter or digit. When `.gto` sets "
        "`types`, the type must be one of them.",
        {"type": ["string", "null"], "pattern": f"^{NAME_PATTERN}$"},
        name_rule("invalid-type", allow_empty=True),
    ),
    Field(
        "path",
        "string",
        True,
        None,
        "Where the artifact lives, relative to the repository root.",
        "A file or folder in the repository, or an external location (`s3://...`) for a virtual artifact. "
        "GTO stores it verbatim. Two artifacts may not share a path, nor one contain the other.",
        {"type": ["string", "null"]},
    ),
    Field(
        "virtual",
        "boolean",
        False,
        True,
        "`false` when the artifact's file is committed to git.",
        "Virtual artifacts (the default, `true`) may point anywhere. `virtual: false` (what "
        "`gto annotate --must-exist` writes) says the path is committed, so a version pins its content.",
        {"type": "boolean", "default": True},
    ),
    Field(
        "labels",
        "labels",
        False,
        (),
        "Labels for search and grouping.",
        "A list of names (letters, digits, `_`, `-`, `/`). GTO sorts and de-duplicates them when it "
        "updates an artifact.",
        {"type": "array", "items": {"type": "string", "pattern": f"^{NAME_PATTERN}$"}},
        name_rule("invalid-label"),
    ),
    Field(
        "description",
        "string",
        False,
        "",
        "A human-readable description.",
        "Any text; not null.",
        {"type": "string"},
    ),
    Field(
        "custom",
        "any",
        True,
        None,
        "Free-form metadata.",
        "Any YAML value: a string, a number, a list or a mapping. `gto annotate -c` stores a string.",
        {},
    ),
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
# GTO writes keys sorted (ruamel's safe dumper), which is also alphabetical here.
GTO_KEY_ORDER: tuple[str, ...] = tuple(sorted(FIELD_BY_NAME))


def closest_field(name: str) -> Optional[str]:
    """The known field an unknown key most likely meant (`descripton` -> `description`)."""
    lowered = name.lower()
    if lowered in FIELD_BY_NAME:
        return lowered
    best: Optional[str] = None
    best_distance = 3
    for field in FIELD_BY_NAME:
        distance = edit_distance(lowered, field)
        limit = 1 if len(field) <= 4 else 2
        if distance <= limit and distance < best_distance:
            best, best_distance = field, distance
    if best is None:
        # `desc`, `meta`: DVC's names for the same fields.
        best = {"desc": "description", "meta": "custom", "label": "labels", "tags": "labels"}.get(lowered)
    return best


def exclude_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """GTO's `model_dump(exclude_defaults=True)`: known fields only, defaults dropped."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        spec = FIELD_BY_NAME.get(name)
        if spec is None:
            continue
        default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        if value == default and type(value) is type(default):
            continue
        out[name] = value
    return out


def json_schema() -> dict[str, Any]:
    """JSON schema of artifacts.yaml for yaml-language-server and other schema-aware tools."""
    artifact = object_schema(FIELDS)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/gto-lsp/gto-lsp/artifacts.schema.json",
        "title": "GTO artifacts.yaml",
        "description": "Annotations of GTO artifacts: name -> fields.",
        "type": "object",
        "propertyNames": {"pattern": f"^{NAME_PATTERN}$"},
        "additionalProperties": {"$ref": "#/definitions/artifact"},
        "definitions": {"artifact": artifact},
    }
