"""GTO's `.gto` config and `GTO_*` environment variables, with problems reported against `.gto`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from gto_lsp.core import codes
from gto_lsp.core.names import invalid_name_message, is_valid_name
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.repo.safe_read import read_text
from gto_lsp.core.values import lax_bool

CONFIG_FILE = ".gto"
DEFAULT_INDEX = "artifacts.yaml"
# Keys GTO 1.10's RegistryConfig accepts (case-insensitive); anything else makes GTO refuse the whole file.
_KEYS = {
    "types": "list",
    "stages": "list",
    "index": "str",
    "emojis": "bool",
    "log_level": "str",
    "debug": "bool",
    "enrichments": "anylist",
    "autoload_enrichments": "bool",
    "config_file_name": "str",
}
_ENV_LIST_KEYS = ("types", "stages")


@dataclass(frozen=True)
class Config:
    types: Optional[tuple[str, ...]] = None
    stages: Optional[tuple[str, ...]] = None
    index: str = DEFAULT_INDEX
    problems: tuple[Problem, ...] = ()
    types_from_env: bool = False
    types_span: Optional[Span] = None  # where `.gto` sets types, for related information
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _problem(code: str, message: str, span: Span, **data: Any) -> Problem:
    return codes.problem(code, message, span, data=data or None, file=CONFIG_FILE)


def _span(node: Any) -> Span:
    return Span(Pos(node.start_mark.line, node.start_mark.column), Pos(node.end_mark.line, node.end_mark.column))


def parse_config(text: Optional[str], env: Optional[Mapping[str, str]] = None) -> Config:
    """Read `.gto` text (None when the file is absent) and the `GTO_*` variables. Never raises."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    types_span: Optional[Span] = None
    if text is not None and text.strip():
        try:
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            node = yaml.compose(text.lstrip("\ufeff"), Loader=loader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            pos = Pos(mark.line, mark.column) if mark is not None else Pos(0, 0)
            problems.append(
                _problem(
                    "config-syntax",
                    f"`.gto` is not valid YAML: {getattr(error, 'problem', error)}. GTO refuses the whole config.",
                    Span(pos, pos),
                )
            )
            node = None
        if node is not None and not isinstance(node, yaml.MappingNode):
            problems.append(
                _problem(
                    "config-not-mapping",
                    "`.gto` must be a mapping such as `types: [model]`; GTO refuses the whole config.",
                    _span(node),
                )
            )
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value).lower() if isinstance(key_node, yaml.ScalarNode) else ""
                kind = _KEYS.get(key)
                if kind is None:
                    known = ", ".join(k for k in _KEYS if k != "config_file_name")
                    problems.append(
                        _problem(
                            "config-unknown-key",
                            f"Unknown key `{key_node.value}` in `.gto`: GTO "
                            f"refuses the whole config ('Wrong config file'). Known keys: {known}.",
                            _span(key_node),
                            key=str(key_node.value),
                        )
                    )
                    continue
                value, problem = _read_value(key, kind, value_node)
                if problem is not None:
                    problems.append(problem)
                    continue
                values[key] = value
                if key == "types":
                    types_span = _span(value_node)
    types_from_env = False
    for key in _ENV_LIST_KEYS:
        raw = _env_get(env, f"GTO_{key.upper()}")
        if raw is not None:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if isinstance(parsed, list) and all(isinstance(v, str) for v in parsed):
                values[key] = tuple(parsed)
                types_from_env = types_from_env or key == "types"
    index = _env_get(env, "GTO_INDEX")
    if index:
        values["index"] = index
    return Config(
        types=values.get("types"),
        stages=values.get("stages"),
        index=str(values.get("index") or DEFAULT_INDEX),
        problems=tuple(problems),
        types_from_env=types_from_env,
        types_span=types_span,
    )


def _env_get(env: Mapping[str, str], name: str) -> Optional[str]:
    for key, value in env.items():
        if key.upper() == name:
            return value
    return None


def _read_value(key: str, kind: str, node: Any) -> tuple[Any, Optional[Problem]]:
    is_null = (
        isinstance(node, yaml.ScalarNode) and node.style is None and node.value in ("", "~", "null", "Null", "NULL")
    )
    if kind == "list":
        if is_null:
            return None, None
        if not isinstance(node, yaml.SequenceNode):
            return None, _problem(
                "config-wrong-type",
                f"`{key}` in `.gto` must be a list of names, such as `{key}: [model, dataset]`.",
                _span(node),
            )
        items = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                return None, _problem("config-wrong-type", f"Each of `{key}` in `.gto` must be a name.", _span(item))
            if item.tag != "tag:yaml.org,2002:str":  # GTO's pydantic takes no number, boolean or null as a name
                return None, _problem(
                    "config-wrong-type",
                    f"`{item.value}` in `{key}` is not a string in YAML, and GTO refuses the whole config ('Wrong "
                    f"config file'). Quote it: `'{item.value}'`.",
                    _span(item),
                )
            if not is_valid_name(item.value):
                return None, _problem(
                    "config-invalid-name",
                    invalid_name_message(item.value, f"name in `{key}`") + " (GTO refuses the whole config.)",
                    _span(item),
                    value=item.value,
                )
            items.append(item.value)
        return tuple(items), None
    if kind == "anylist":
        if is_null or isinstance(node, yaml.SequenceNode):
            return None, None
        return None, _problem("config-wrong-type", f"`{key}` in `.gto` must be a list.", _span(node))
    if kind == "bool":
        flag = lax_bool(node.value) if isinstance(node, yaml.ScalarNode) else None
        if flag is not None:
            return flag, None
        return None, _problem("config-wrong-type", f"`{key}` in `.gto` must be true or false.", _span(node))
    if isinstance(node, yaml.ScalarNode) and not is_null:
        return node.value, None
    return None, _problem("config-wrong-type", f"`{key}` in `.gto` must be a string.", _span(node))


def read_config(root: Optional[Path], env: Optional[Mapping[str, str]] = None) -> Config:
    """The config of the repository at `root` (from the working tree, as GTO reads it)."""
    text = read_text(root / CONFIG_FILE) if root is not None else None
    return parse_config(text, env)
