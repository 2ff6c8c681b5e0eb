"""The readers of a command's one object argument: each refuses a wrong value with a sentence naming the key."""

from __future__ import annotations

from typing import Any, Optional

from gto_lsp.lsp.commands.refusals import UserError

# The longest string argument: paths and names fit in a path (PATH_MAX); a description or tag message is prose.
MAX_STRING = 4096
MAX_PROSE = 65_536
PROSE = ("description", "message", "custom")


def arg_str(arg: dict[str, Any], key: str, required: bool = False) -> Optional[str]:
    value = arg.get(key)
    if value is None or (value == "" and not required):
        if required:
            raise UserError(f"`{key}` is required.")
        return None
    if not isinstance(value, str):
        raise UserError(f"`{key}` must be a string.")
    return text(key, value)


def text(key: str, value: str) -> str:
    """`value` if it is text that paths, git and YAML can take; else a refusal that names `key` (JSON can carry a
    lone surrogate such as "\\ud800", which no file name, git argument or file can hold)."""
    limit = MAX_PROSE if key in PROSE else MAX_STRING
    if len(value) > limit:
        raise UserError(f"`{key}` is too long ({len(value):,} characters; at most {limit:,}).")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UserError(f"`{key}` is not valid Unicode text (a lone surrogate at character {error.start}).") from None
    if "\x00" in value:
        raise UserError(f"`{key}` contains a NUL character, which no file name or git argument can hold.")
    return value


def arg_bool(arg: dict[str, Any], key: str) -> bool:
    value = arg.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise UserError(f"`{key}` must be true or false.")
    return value


def arg_strings(arg: dict[str, Any], key: str) -> tuple[str, ...]:
    value = arg.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"`{key}` must be a list of strings.")
    return tuple(text(key, v) for v in value)


def labels(arg: dict[str, Any]) -> tuple[str, ...]:
    return arg_strings(arg, "labels")


def custom(arg: dict[str, Any]) -> Any:
    """`custom`: any JSON value, every string in it (keys too) text as `text` takes it."""
    value = arg.get("custom")
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            text("custom", item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value
