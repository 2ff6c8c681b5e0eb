"""YAML as Python values, exactly as GTO reads and writes it: ruamel.yaml's safe loader, and its safe dumper (block
style, keys sorted, width 80); and the value GTO's reader gives a composed node."""

from __future__ import annotations

import base64
import io
import re
import threading
from typing import Any

from ruamel.yaml import YAML

from gto_lsp.core.yaml.nodes import (
    ALIAS_BUDGET,
    BINARY,
    BOOL,
    NULL,
    OMAP,
    PAIRS,
    SET,
    STR,
    VALUE,
    AliasExpansionError,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    mapping_pairs,
    resolve_plain,
    tag_of,
)

# One dumper and one loader per thread (making one looks for plug-ins on disk: 1 ms each time; an instance is
# not safe to share between the event loop and a worker thread).
_local = threading.local()


def _dumper() -> YAML:
    yaml = getattr(_local, "dumper", None)
    if yaml is None:
        yaml = _local.dumper = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
    return yaml


def _loader() -> YAML:
    yaml = getattr(_local, "loader", None)
    if yaml is None:
        yaml = _local.loader = YAML(typ="safe", pure=True)
    return yaml


# Words of letters, digits and `_./-`, single spaces between: the dumper writes such a string as it is (plain)
# when YAML reads it back as a string and the line stays short of its folding width. Written here without the
# dumper, which takes a millisecond a value (a 13,000-entry move renders 50,000 of them).
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*")
_PLAIN_WIDTH = 60


def is_plain(value: Any) -> bool:
    """Whether the dumper writes `value` unquoted, as it is, at the start of a short line."""
    if not isinstance(value, str) or len(value) > _PLAIN_WIDTH or not _PLAIN.fullmatch(value):
        return False
    return resolve_plain(value) == STR


def dump(value: Any) -> str:
    """What GTO's `Index.write_state` writes for this state (mapping of name -> field values)."""
    stream = io.StringIO()
    _dumper().dump(value, stream)
    return stream.getvalue()


def load(text: str) -> Any:
    """GTO's reader (ruamel.yaml safe, YAML 1.2). Raises ruamel's errors."""
    return _loader().load(text)


def render_field(name: str, field: str, value: Any, indent: int) -> str:
    """`field: value` as GTO writes it inside an entry, re-indented to `indent` columns, without the final newline.

    Rendering it inside a throw-away entry keeps GTO's folding of long values (it depends on the column)."""
    if is_plain(value) and is_plain(field) and len(field) + len(value) < _PLAIN_WIDTH:
        return f"{field}: {value}"
    text = dump({name: {field: value}})
    lines = text.split("\n")[1:]
    while lines and lines[-1] == "":
        lines.pop()
    shift = indent - 2
    if shift > 0:
        lines = [(" " * shift + line) if line else line for line in lines]
    elif shift < 0:
        lines = [line[-shift:] if line.startswith(" " * -shift) else line for line in lines]
    return "\n".join(lines).lstrip(" ")


def render_scalar(value: Any) -> str:
    """A scalar as GTO's dumper would write it in a flow sequence."""
    if is_plain(value):
        return str(value)
    text = dump([value])
    return text[2:].rstrip("\n") if text.startswith("- ") else text.strip()


def scalar_value(node: Node) -> Any:
    """The Python value GTO's reader gives a node (YAML 1.2 safe), for scalars and simple collections. Raises
    AliasExpansionError rather than expand an alias bomb."""
    if isinstance(node, (SequenceNode, MappingNode)) and alias_excess(node) > ALIAS_BUDGET:
        raise AliasExpansionError()
    return _value(node)


def _value(node: Node) -> Any:
    if isinstance(node, ScalarNode):
        tag = tag_of(node)
        if tag == STR:
            return node.value
        if tag == NULL:
            return None
        if tag == BOOL:
            return node.value.lower() in ("true", "yes", "on")  # `!!bool yes` is true for ruamel
        if tag == BINARY:
            return base64.decodebytes(node.value.encode("ascii"))  # what ruamel's safe constructor does
        return load(node.value)
    if isinstance(node, SequenceNode):
        items = [_value(item) for item in node.value]
        if node.tag in (OMAP, PAIRS):  # a list of one-key mappings: an ordered mapping, or (key, value) pairs
            pairs = [next(iter(item.items())) for item in items]
            return dict(pairs) if node.tag == OMAP else pairs
        return items
    if isinstance(node, MappingNode):
        values = {_key(k): _value(v) for k, v in mapping_pairs(node)}
        return set(values) if node.tag == SET else values
    return None


def _key(node: Node) -> Any:
    """A mapping key as ruamel's safe constructor makes it: a plain `=` is the text "=", a list a tuple."""
    if isinstance(node, ScalarNode) and tag_of(node) == VALUE:
        return node.value
    key = _value(node)
    return tuple(key) if isinstance(key, list) else key
