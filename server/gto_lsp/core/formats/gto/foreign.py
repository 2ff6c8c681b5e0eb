"""Whether a file named artifacts.yaml is GTO's at all.

Many repositories have an `artifacts.yaml` that belongs to another tool (Juju charms, build and release
manifests, CI systems). Checking such a file against GTO's rules reports every line as wrong; instead it is
reported once, as information, and left alone (a setting or `check --force` checks it anyway).

A file is foreign when no entry has a GTO field and it has a key other tools use, at the top level or inside an
entry. A GTO file with a typo (`rf: {descripton: x}`, `rf: 5`) or entries without fields (`rf:`) stays GTO's.
"""

from __future__ import annotations

from typing import Optional

from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.yaml.blocks import Blocks
from gto_lsp.core.yaml.nodes import MappingNode, ScalarNode

# Keys of manifests found in public repositories' files named artifacts.yaml (Kubernetes-style manifests,
# Juju/charmcraft, build systems, CI artifact lists), none of them a GTO field.
FOREIGN_KEYS = frozenset(
    {
        "apiVersion",
        "kind",
        "metadata",
        "spec",
        "version",
        "schema-version",
        "schemaVersion",
        "artifacts",
        "resources",
        "bases",
        "parts",
        "platforms",
        "builds",
        "steps",
        "jobs",
        "dependencies",
        "files",
        "images",
        "targets",
        "charm",
        "series",
        "summary",
        "url",
        "sha256",
        "checksum",
        "source",
        "destination",
    }
)

CODE = "not-gto-file"


def foreign_reason(blocks: Blocks) -> Optional[str]:
    """Why the read file is not GTO annotations (a short phrase), or None when it may be GTO's."""
    if blocks.kind != "mapping" or not blocks.entries or has_gto_field(blocks):
        return None  # (one GTO field: GTO's file)
    foreign_keys: list[str] = []
    for artifact in blocks.entries:
        key = artifact.block.key
        if key is None:
            continue
        name = key.value if isinstance(key, ScalarNode) else None
        if isinstance(artifact.block.value, MappingNode):
            for field_key, _ in artifact.fields():
                field_name = field_key.value if isinstance(field_key, ScalarNode) else None
                if field_name in FOREIGN_KEYS:
                    foreign_keys.append(str(field_name))
        if isinstance(name, str) and name in FOREIGN_KEYS:
            foreign_keys.append(name)
    if foreign_keys:
        shown = ", ".join(f"`{k}`" for k in dict.fromkeys(foreign_keys))
        return f"{_NO_FIELD} and it has {shown}"
    return None


def has_gto_field(blocks: Blocks) -> bool:
    """Some entry has a GTO field: the file is GTO's, whatever follows (foreign_reason is None)."""
    for artifact in blocks.entries:
        if isinstance(artifact.block.value, MappingNode):
            for field_key, _ in artifact.fields():
                if isinstance(field_key, ScalarNode) and field_key.value in FIELD_BY_NAME:
                    return True
    return False


_NO_FIELD = "no entry has a GTO field (type, path, virtual, labels, description, custom)"


def foreign_problem(reason: str) -> Problem:
    """The one diagnostic of a foreign file, on its first line."""
    return Problem(
        CODE,
        "information",
        f"This artifacts.yaml does not look like GTO annotations ({reason}): it is not checked. "
        "Set `gto.checks.foreignFiles` to true (or run `gto-lsp check --force`) to check it as GTO's.",
        Span(Pos(0, 0), Pos(0, 0)),
        data={"reason": reason},
    )
