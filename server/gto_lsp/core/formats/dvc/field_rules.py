"""The rules of a dvc.yaml artifact's fields: known keys (with the closest one suggested) and their values' types."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from gto_lsp.core.formats.dvc.fields import FIELD_BY_NAME, closest_field
from gto_lsp.core.problems import MAX_ITEM_PROBLEMS, Problem
from gto_lsp.core.yaml.blocks import Placed
from gto_lsp.core.yaml.nodes import NULL, STR, Node, ScalarNode, SequenceNode, tag_of
from gto_lsp.core.yaml.rules import node_kind, quote_data, relative_span


def extra_key(entry: Placed, key: Node, name: Optional[str]) -> Problem:
    shown = name if name is not None else getattr(key, "value", "this key")
    suggestion = closest_field(name) if name is not None else None
    if suggestion is not None and entry.field(suggestion) is not None:
        hint = f" (`{suggestion}` is already set: remove this one.)"
        suggestion = None
    elif name in ("virtual",):
        hint = " DVC has no `virtual`: remove it (DVC never checks that a path exists)."
    elif suggestion is not None:
        hint = f" Did you mean `{suggestion}`?"
    else:
        hint = " Remove it, or move it under `meta:`."
    return Problem(
        "extra-key",
        "error",
        f"`{shown}` is not a field of a dvc.yaml artifact (DVC: extra keys not allowed; the fields are path, desc, "
        f"type, labels, meta).{hint}",
        relative_span(key),
        data={"field": name, "suggestion": suggestion},
    )


def value_problems(entry: Placed, name: str, node: Node) -> Iterator[Problem]:
    kind = FIELD_BY_NAME[name].kind
    if kind == "any":
        return
    if kind == "string":
        if not (isinstance(node, ScalarNode) and tag_of(node) == STR):
            yield wrong_type(entry, node, f"`{name}` must be a string, not {what(node)} (DVC: expected str).", name)
        return
    if not isinstance(node, SequenceNode):
        wrap = {"wrap": node.value} if isinstance(node, ScalarNode) and tag_of(node) == STR else {}
        yield Problem(
            "wrong-type",
            "error",
            f"`labels` must be a list of strings, such as `labels: [ml]`, not {what(node)} (DVC: expected a list).",
            relative_span(node),
            data={"field": name, **wrap},
        )
        return
    reported = 0
    for item in node.value:
        if not (isinstance(item, ScalarNode) and tag_of(item) == STR):
            if reported >= MAX_ITEM_PROBLEMS:  # 349,524 of them took 3.7 GB and over a minute
                yield Problem(
                    "too-many-problems",
                    "information",
                    f"More than {MAX_ITEM_PROBLEMS:,} problems in `{name}`: the rest of it is not checked.",
                    relative_span(node),
                )
                return
            reported += 1
            yield wrong_type(entry, item, f"Each label must be a string, not {what(item)} (DVC: expected str).", name)


def what(node: Node) -> str:
    if isinstance(node, ScalarNode) and tag_of(node) == NULL:
        return "null"
    return node_kind(node)


def wrong_type(entry: Placed, node: Node, message: str, name: str) -> Problem:
    quote = quote_data(node)
    if quote:
        message += f" Quote it: {quote['quoted']}."
    return Problem("wrong-type", "error", message, relative_span(node), data={"field": name, **quote})
