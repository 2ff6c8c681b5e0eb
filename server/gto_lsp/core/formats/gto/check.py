"""What GTO makes of artifacts.yaml: check(), every problem it would have, each with a stable code (codes.py); and
its reader's verdict, built on check: whether it reads the file at all (read_checked), an entry's values as it
reads them (values_of), and an edit's result read back before it is written (verified).

Rules that read only one entry (rules_entry.py) are computed once per block text and kept while the block lives,
so an edit re-checks only the entry it touched; rules across entries (rules_cross.py: duplicate names, allowed
types, paths) are re-run only for the entries an edit can change (check_splice.py). The file system is asked
through a RepoView (fs.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

from gto_lsp.core.codes import CheckSettings, reader_refusals
from gto_lsp.core.config import Config
from gto_lsp.core.edits import EditResult, GTOError, differs, unsafe_edit, where
from gto_lsp.core.formats.gto.check_splice import EntryRules, checked
from gto_lsp.core.formats.gto.document import Artifact, Document, parse
from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME, FIELDS
from gto_lsp.core.formats.gto.foreign import foreign_problem, foreign_reason
from gto_lsp.core.formats.gto.rules_cross import place
from gto_lsp.core.formats.gto.rules_entry import all_facts, facts
from gto_lsp.core.messages import WRONG_ARTIFACTS_YAML
from gto_lsp.core.names import invalid_name_message, is_valid_name
from gto_lsp.core.problems import Pos, Problem
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.values import is_lax_false
from gto_lsp.core.yaml.nodes import (
    BOOL,
    FLOAT,
    INT,
    MAP,
    NULL,
    SEQ,
    STR,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    tag_of,
)
from gto_lsp.core.yaml.render import load, scalar_value

_LABEL_OR_TYPE = ("invalid-label", "invalid-type")
_DEFAULT_SETTINGS = CheckSettings()
_ENTRY_RULES = EntryRules(facts, all_facts)


def check(
    document: Document,
    config: Optional[Config] = None,
    repo: Optional[RepoView] = None,
    settings: CheckSettings = _DEFAULT_SETTINGS,
) -> list[Problem]:
    """Every problem of the document (config problems are reported separately: `config.problems`)."""
    if not settings.enable:
        return []
    if not settings.foreign_files:
        reason = foreign_reason(document.blocks)
        if reason is not None:
            return [foreign_problem(reason)]  # another tool's artifacts.yaml: said once, not checked
    config = config or Config()
    problems = list(document.problems)
    artifacts = document.artifacts
    # Facts per entry and the rules across entries come from the last check of the read this one was spliced from:
    # an edit costs the entries it changed and the results they touch (check_splice.py).
    every, local_problems, found = checked(document.blocks, config, repo or RepoView(), settings, _ENTRY_RULES)
    for index in local_problems:
        artifact = artifacts[index]
        for local in every[index].local:
            if local.code == "unknown-field" and not settings.unknown_fields:
                continue
            if local.code in _LABEL_OR_TYPE:
                if settings.invalid_label_or_type == "off":
                    continue
                local = replace(local, severity=settings.invalid_label_or_type)
            problems.append(artifact.relative(local))
    problems.extend(place(artifacts, every, found))
    return problems


# --- GTO's reader ------------------------------------------------------------------------------------------


# Problems that make GTO's reader refuse the file (WrongArtifactsYaml). An invalid name is refused too, but
# read_checked looks at names after every other problem (GTO validates names once the file is read), and an
# empty file only when `allow_empty` is off.
_UNREADABLE = reader_refusals("gto") - {"invalid-name", "empty-file"}


def read_checked(document: Document, allow_empty: bool = True) -> None:
    """Refuse, as GTO's reader does, a file it cannot read; name the first reason."""
    if document.kind == "empty" and allow_empty:
        return
    for problem in check(document, settings=CheckSettings(paths=False)):
        if problem.code == "alias-expansion":  # gto-lsp's own limit: it would not write what it cannot expand
            raise GTOError("alias-expansion", problem.message)
        if problem.code in _UNREADABLE or (problem.code == "empty-file" and not allow_empty):
            raise GTOError("wrong-artifacts-yaml", WRONG_ARTIFACTS_YAML, where(problem))
    for artifact in document.artifacts:
        if not is_valid_name(str(artifact.name)):
            raise GTOError("invalid-name", invalid_name_message(str(artifact.name), "artifact name"))


def verified(document: Document, result: EditResult, changed: dict[str, Optional[dict[str, Any]]]) -> EditResult:
    """`result` parsed back before anything is written: GTO must read it, every entry of `changed` as given
    (None: gone) and every other entry as it was. Raises GTOError (unsafe-edit) otherwise."""
    if not result.changed:
        return result
    new = parse(result.text, document)
    try:
        read_checked(new)
    except GTOError as error:
        raise unsafe_edit("artifacts.yaml", document.flow, f"GTO could not read the result ({error.message})") from None
    old = {str(a.name): a for a in document.artifacts}
    now = {str(a.name): a for a in new.artifacts}
    wanted = (set(old) | set(changed)) - {name for name, values in changed.items() if values is None}
    if set(now) != wanted or len(now) != len(new.artifacts):
        lost = sorted(wanted - set(now)) or sorted(set(now) - wanted) or sorted(now)
        raise unsafe_edit("artifacts.yaml", document.flow, f"the result would not hold `{lost[0]}` as intended")
    for name, artifact in now.items():
        before = old.get(name)
        if (
            name not in changed
            and before is not None
            and before.block.text
            and before.block.text == artifact.block.text
        ):
            continue  # the entry's own text is unchanged: it reads as before
        target = changed[name] if name in changed else values_of(document, before) if before is not None else {}
        got, want = full_values(values_of(new, artifact)), full_values(target or {})
        if got != want:
            raise unsafe_edit("artifacts.yaml", document.flow, differs(name, got, want))
    return result


_PLAIN_TAGS = {STR, NULL, BOOL, INT, FLOAT}


def _from_nodes(artifact: Artifact) -> Optional[dict[str, Any]]:
    """The known fields read from the entry's composed nodes, as GTO's reader reads them, when every node is a
    plain mapping, list, string, number, boolean or null, each once (no alias, merge or other tag); else None.
    Ten times faster than loading the entry's text again."""
    value = artifact.block.value
    text = artifact.block.text
    if not isinstance(value, MappingNode) or not text or any(c in text for c in "\x85\u2028\u2029\ufeff"):
        return None  # unusual line breaks: GTO's reader folds them where the composer keeps them
    seen: set[int] = set()
    stack: list[Node] = [value]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return None  # an alias: the same node twice
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if tag_of(node) not in _PLAIN_TAGS:
                return None
        elif isinstance(node, MappingNode) and tag_of(node) == MAP:
            keys = [k.value for k, _ in node.value if isinstance(k, ScalarNode) and tag_of(k) == STR]
            if len(keys) != len(node.value) or len(set(keys)) != len(keys) or "<<" in keys:
                return None
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, SequenceNode) and tag_of(node) == SEQ:
            stack.extend(node.value)
        else:
            return None
    return {k.value: scalar_value(v) for k, v in value.value if k.value in FIELD_BY_NAME}


def values_of(document: Document, artifact: Artifact) -> dict[str, Any]:
    """The entry's fields as GTO's reader sees them (known fields only)."""
    fast = _from_nodes(artifact)
    if fast is not None:
        return fast
    loaded: Any = None
    try:
        if artifact.block.text:
            loaded = load(artifact.block.text)
        else:
            start = document.offset(Pos(artifact.first_line, 0))
            end = (
                document.offset(Pos(artifact.last_line + 1, 0))
                if artifact.last_line + 1 < len(document.line_starts)
                else len(document.text)
            )
            loaded = load(document.text[start:end])
    except Exception:
        loaded = None
    if not isinstance(loaded, dict) or artifact.name not in loaded:
        whole = load(document.text.lstrip("\ufeff"))
        loaded = whole if isinstance(whole, dict) else {}
    fields = loaded.get(artifact.name) or {}
    if not isinstance(fields, dict):
        return {}
    # pydantic turns `!!binary` bytes into text for GTO's string fields
    return {
        k: v.decode("utf-8", "replace") if isinstance(v, bytes) and k != "custom" else v
        for k, v in fields.items()
        if k in FIELD_BY_NAME
    }


def full_values(values: dict[str, Any]) -> dict[str, Any]:
    """Every field of the table, in its order, with the field's default where the entry has none."""
    full: dict[str, Any] = {}
    for spec in FIELDS:
        value = values.get(spec.name, spec.default)
        if spec.kind == "boolean":
            value = as_bool(value)
        elif spec.kind == "labels":
            value = list(value or [])
        full[spec.name] = value
    return full


def as_bool(value: Any) -> bool:
    return not is_lax_false(value)
