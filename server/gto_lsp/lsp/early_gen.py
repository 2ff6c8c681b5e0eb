"""Writes early_table.py, what the early start (early.py) answers `initialize` from, out of the real server:
`python -m gto_lsp.lsp.early_gen`. tests/lsp/test_early.py holds the written table to what this computes now."""

from __future__ import annotations

import collections.abc
import enum
import functools
import itertools
import json
import sys
import typing
from pathlib import Path
from typing import Any

import attrs
from lsprotocol import types

from gto_lsp import __version__
from gto_lsp.lsp.early import ENCODINGS, SERVER_NAME, TableKey, key_of
from gto_lsp.lsp.server import build_server
from gto_lsp.lsp.session.server import GtoLanguageServer
from gto_lsp.lsp.transport import handle_body

TABLE_FILE = Path(__file__).with_name("early_table.py")
# Client capabilities pygls's ServerCapabilitiesBuilder reads besides the table's key; this server's answer must
# not depend on them (it would if it registered a file operation).
IGNORED = (
    {
        "workspace": {
            "fileOperations": {
                name: True for name in ("willCreate", "didCreate", "willDelete", "didDelete", "willRename", "didRename")
            }
        }
    },
    {"textDocument": {"rename": {"prepareSupport": None}, "synchronization": {"willSave": None}}},
)


def normal_answer(params: dict[str, Any]) -> Any:
    """What the real server answers (as JSON) to `initialize` with these params, through the transport's path."""
    ls = _server()
    sent: list[Any] = []
    ls.protocol._send_data = lambda data: sent.append(  # type: ignore[method-assign]
        json.loads(json.dumps(data, default=ls.protocol._serialize_message))
    )
    handle_body(ls, json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}).encode())
    (answer,) = sent
    return answer


@functools.lru_cache(maxsize=1)
def _server() -> GtoLanguageServer:
    """One server for every answer: `initialize` computes its answer afresh each time."""
    return build_server()


def capabilities_for(key: TableKey, given: bool = True) -> dict[str, Any]:
    """Client capabilities that give `key` (`given`: the value of each synchronization flag given)."""
    encoding, prepare_rename, notebooks, will_save, will_save_wait_until = key
    synchronization: dict[str, Any] = {}
    if will_save:
        synchronization["willSave"] = given
    if will_save_wait_until:
        synchronization["willSaveWaitUntil"] = given
    capabilities: dict[str, Any] = {
        "general": {"positionEncodings": ["utf-7", encoding]},
        "textDocument": {"rename": {"prepareSupport": prepare_rename}, "synchronization": synchronization},
    }
    if notebooks:
        capabilities["notebookDocument"] = {"synchronization": {}}
    return capabilities


def answers() -> dict[str, Any]:
    """The capabilities answered for the first key ("base") and, for each key, the top-level entries that differ
    from it (null: absent)."""
    found: dict[str, Any] = {}
    base: dict[str, Any] = {}
    flags = itertools.product((False, True), repeat=4)
    keys: list[TableKey] = [(encoding, a, b, c, d) for encoding, (a, b, c, d) in itertools.product(ENCODINGS, flags)]
    for key in keys:
        answer = normal_answer({"processId": None, "rootUri": None, "capabilities": capabilities_for(key)})
        result = answer["result"]
        if result["serverInfo"] != {"name": SERVER_NAME, "version": __version__}:
            raise AssertionError(f"serverInfo is no longer gto-lsp's name and version: {result['serverInfo']}")
        variants = [capabilities_for(key, given=False)] + [_merged(capabilities_for(key), x) for x in IGNORED]
        for variant in (v for v in variants if v != capabilities_for(key) and key_of(v) == key):
            if normal_answer({"processId": None, "capabilities": variant})["result"] != result:
                raise AssertionError(f"the answer to {variant} is not its key's: the early table must key it")
        capabilities = result["capabilities"]
        base = base or capabilities
        names = sorted(set(base) | set(capabilities))
        found[",".join(map(str, key))] = {n: capabilities.get(n) for n in names if capabilities.get(n) != base.get(n)}
    return {"base": base, "differences": found}


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for name, value in extra.items():
        merged[name] = _merged(merged[name], value) if isinstance(merged.get(name), dict) else value
    return merged


def params_types() -> dict[str, Any]:
    """Each lsprotocol class under InitializeParams: its fields (JSON names) with their types, and the required
    ones. Types: "s" string, "i" integer, "f" number, "b" boolean, "a" anything, "n" null, ["e", values] an enum,
    ["c", values] a literal, ["l", type] a list, ["m", type] an object of values, ["u", types] one of, or a class's
    name."""
    classes: dict[str, Any] = {}

    def spec(kind: Any) -> Any:
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        simple = {str: "s", bool: "b", int: "i", float: "f", typing.Any: "a", object: "a", type(None): "n"}
        if kind in simple:
            return simple[kind]
        if origin is typing.Union:
            return ["u", [spec(arg) for arg in args]]
        if origin is typing.Literal:
            return ["c", list(args)]
        if origin in (list, collections.abc.Sequence):
            return ["l", spec(args[0])]
        if origin in (dict, collections.abc.Mapping):
            return ["m", spec(args[1])]
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return ["e", [member.value for member in kind]]
        if isinstance(kind, type) and attrs.has(kind):
            name = kind.__name__
            if name not in classes:
                classes[name] = None  # (recursive classes)
                hints = typing.get_type_hints(kind, vars(types))
                fields, required = {}, []
                for field in attrs.fields(kind):
                    json_name = _camel(field.name)
                    fields[json_name] = spec(hints[field.name])
                    if field.default is attrs.NOTHING:
                        required.append(json_name)
                classes[name] = [fields, required]
            return name
        raise TypeError(f"no early check for {kind!r}: extend early_gen and early.fits")

    spec(types.InitializeParams)
    return classes


def _camel(name: str) -> str:
    """lsprotocol's JSON name of a field (its converter's rename)."""
    parts = (name[:-1] if name.endswith("_") else name).split("_")
    return parts[0] + "".join(part.title() for part in parts[1:])


def table() -> dict[str, Any]:
    return {"answers": answers(), "params": params_types()}


def write(path: Path = TABLE_FILE) -> None:
    text = json.dumps(table(), separators=(",", ":"), sort_keys=True)
    if "'" in text or "\\" in text:
        raise AssertionError("the table needs quoting the writer does not do")
    width = 110
    lines = [f"    '{text[i : i + width]}'" for i in range(0, len(text), width)]
    path.write_text(
        '"""What the early start answers `initialize` from (early.py): written by `python -m gto_lsp.lsp.early_gen` '
        'out of\nthe real server, pygls and lsprotocol; tests/lsp/test_early.py says when it is out of date."""\n\n'
        "TABLE = (\n" + "\n".join(lines) + "\n)\n"
    )


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else TABLE_FILE)
