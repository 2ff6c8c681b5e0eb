"""check(): every problem GTO would have with artifacts.yaml, each with a stable code (codes.py).

Rules that read only one entry (rules_entry.py) are computed once per block text and kept while the block lives
(facts.py), so an edit re-checks only the entry it touched; rules across entries (rules_cross.py: duplicate names,
allowed types, paths) are reused while what they read is the same. The file system is asked through a RepoView
(fs.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.config import Config
from gto_lsp.core.formats.gto.document import Document
from gto_lsp.core.formats.gto.facts import facts
from gto_lsp.core.formats.gto.foreign import foreign_problem, foreign_reason
from gto_lsp.core.formats.gto.rules_cross import Found, allowed_types, duplicate_names, path_problems, place
from gto_lsp.core.problems import Problem
from gto_lsp.core.repo.fs import RepoView

_LABEL_OR_TYPE = ("invalid-label", "invalid-type")
_DEFAULT_SETTINGS = CheckSettings()
# The last results of the rules across entries, with what they read, per repository root: the next check of the
# file after an edit places them again when they read the same.
_LAST_CROSS: dict[Optional[Path], tuple[Any, list[Found]]] = {}


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
        reason = foreign_reason(document)
        if reason is not None:
            return [foreign_problem(reason)]  # another tool's artifacts.yaml: said once, not checked
    config = config or Config()
    problems = list(document.problems)
    known = [(artifact, facts(artifact)) for artifact in document.artifacts]
    for artifact, fact in known:
        for local in fact.local:
            if local.code == "unknown-field" and not settings.unknown_fields:
                continue
            if local.code in _LABEL_OR_TYPE:
                if settings.invalid_label_or_type == "off":
                    continue
                local = replace(local, severity=settings.invalid_label_or_type)
            problems.append(artifact.relative(local))
    repo = repo or RepoView()
    # The rules across entries depend only on each entry's name, type, path and virtual, and on the
    # repository: while those are the same (typing in a description), their last results are placed again.
    key = (
        [fact.signature for _, fact in known],
        config.types,
        config.types_from_env,
        config.types_span,
        settings,
        repo.token,
    )
    cached = _LAST_CROSS.get(repo.root)
    if cached is not None and cached[0] == key:
        found = cached[1]
    else:
        found = duplicate_names(known)
        if config.types is not None:
            found.extend(allowed_types(known, config))
        if settings.paths:
            found.extend(path_problems(known, repo, settings.virtual_missing))
        _LAST_CROSS[repo.root] = (key, found)
    problems.extend(place(known, found))
    return problems
