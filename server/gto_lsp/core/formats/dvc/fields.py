"""The one definition of the fields of an artifact in dvc.yaml (DVC 3's schema), for validation, completion,
hover and the JSON schema."""

from __future__ import annotations

from typing import Any, Optional

from gto_lsp.core.fields import Field, object_schema

FIELDS: tuple[Field, ...] = (
    Field(
        "path",
        "string",
        False,
        None,
        "Where the artifact lives, relative to this dvc.yaml's folder. Required.",
        "A file or folder: tracked by git, by a `.dvc` file, or an output of a stage. DVC resolves it from the "
        "folder of the dvc.yaml that declares it (`dvc artifacts get`, `dvc.api.artifacts_show`).",
        {"type": "string"},
    ),
    Field(
        "desc",
        "string",
        False,
        None,
        "A human-readable description.",
        "Any text. Write `\\${` for a literal `${`: DVC interpolates `${...}` from `vars` and params.yaml.",
        {"type": "string"},
    ),
    Field(
        "type",
        "string",
        False,
        None,
        "Artifact type, such as `model` or `dataset`.",
        "Any text for DVC; Studio's model registry lists artifacts of type `model`.",
        {"type": "string"},
    ),
    Field(
        "labels",
        "labels",
        False,
        (),
        "Labels for search and grouping.",
        "A list of strings. DVC keeps them as written.",
        {"type": "array", "items": {"type": "string"}},
    ),
    Field(
        "meta",
        "any",
        True,
        None,
        "Free-form metadata.",
        "Any YAML value; usually a mapping. `gto-lsp annotate -c` stores a string.",
        {},
    ),
)

FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
REQUIRED = ("path",)
KEY_ORDER: tuple[str, ...] = tuple(f.name for f in FIELDS)  # DVC's writer: path, desc, type, labels, meta
# GTO's names for the same fields (an artifacts.yaml entry pasted into dvc.yaml); None: DVC has no such field.
FROM_GTO: dict[str, Optional[str]] = {"description": "desc", "custom": "meta", "virtual": None}


def closest_field(name: str) -> Optional[str]:
    """The DVC field an unknown key most likely meant (`description` -> `desc`, `pth` -> `path`)."""
    from gto_lsp.core.fields import edit_distance

    lowered = name.lower()
    if lowered in FIELD_BY_NAME:
        return lowered
    if lowered in FROM_GTO:
        return FROM_GTO[lowered]
    best: Optional[str] = None
    best_distance = 3
    for known in FIELD_BY_NAME:
        distance = edit_distance(lowered, known)
        if distance <= (1 if len(known) <= 4 else 2) and distance < best_distance:
            best, best_distance = known, distance
    return best or {"label": "labels", "tags": "labels", "description": "desc"}.get(lowered)


def json_schema() -> dict[str, Any]:
    """The schema of one artifact of dvc.yaml as DVC checks it."""
    return object_schema(FIELDS, REQUIRED)
