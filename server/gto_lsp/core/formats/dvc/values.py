"""What DVC reads from an entry of dvc.yaml's `artifacts:` section: its fields' values (`\\${` read as a literal
`${`), and the escaping a value written there needs (an unescaped `${` is interpolated, and refused)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional

from gto_lsp.core.formats.dvc.document import DvcDocument, Entry
from gto_lsp.core.formats.dvc.fields import FIELD_BY_NAME
from gto_lsp.core.yaml.nodes import (
    MAP,
    MERGE,
    STR,
    VALUE,
    MappingNode,
    Node,
    ScalarNode,
    mapping_pairs,
    tag_of,
)
from gto_lsp.core.yaml.render import scalar_value


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every string in it (lists and mappings walked)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, change) for k, v in value.items()}
    return value


def unescape_value(value: Any) -> Any:
    return map_strings(value, lambda text: text.replace("\\${", "${"))


def escape_value(value: Any) -> Any:
    return map_strings(value, lambda text: text.replace("${", "\\${"))


def values_of(entry: Entry) -> dict[str, Any]:
    """The fields DVC reads from an entry (known keys only, `\\${` read as `${`), in the order written."""
    return _values(entry.fields())


def _values(fields: Iterable[tuple[Node, Node]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, node in fields:
        if isinstance(key, ScalarNode) and key.value in FIELD_BY_NAME and key.value not in values:
            try:  # the entry's own key comes first and wins over one a `<<` merge brings
                values[key.value] = unescape_value(scalar_value(node))
            except Exception:
                values[key.value] = node.value if isinstance(node, ScalarNode) else None
    return values


def read_values(document: DvcDocument) -> dict[str, dict[str, Any]]:
    """name -> the fields written in its entry, as DVC reads them (no `${}` resolution); entries a `<<` merge
    brings into the section come after the written ones, which win."""
    values = {str(e.name): values_of(e) for e in document.entries if e.name_is_string}
    for name, entry in merged_entries(document):
        values.setdefault(name, _values(mapping_pairs(entry)) if isinstance(entry, MappingNode) else {})
    return values


def merged_values(document: DvcDocument, name: str) -> Optional[dict[str, Any]]:
    """The fields of `name` when only a `<<` merge into the section brings it, else None."""
    if document.find(name) is not None:
        return None
    entry = next((node for found, node in merged_entries(document) if found == name), None)
    return _values(mapping_pairs(entry)) if isinstance(entry, MappingNode) else None


def merged_entries(document: DvcDocument) -> Iterator[tuple[str, Node]]:
    """(name, entry node) of the entries a `<<` key of the section merges in, in ruamel's order."""
    for entry in document.entries:
        key = entry.key
        if isinstance(key, ScalarNode) and key.value == "<<" and tag_of(key) == MERGE:
            holder = MappingNode(MAP, [(key, entry.block.value)]) if entry.block.value is not None else None
            for name, node in mapping_pairs(holder) if holder is not None else ():
                if isinstance(name, ScalarNode) and tag_of(name) in (STR, VALUE):
                    yield name.value, node
