"""What an unknown key of dvc.yaml's pipeline most likely meant: a typo of a key of schema.py's tables, another
name for one, or a key DVC once had."""

from __future__ import annotations

from typing import Optional

from gto_lsp.core.fields import edit_distance

# Names people write for DVC's keys (other tools', DVC 1's `.dvc` files).
SYNONYMS = {
    "command": "cmd",
    "dependencies": "deps",
    "outputs": "outs",
    "parameters": "params",
    "description": "desc",
    "locked": "frozen",
    "working_dir": "wdir",
    "workdir": "wdir",
    "variables": "vars",
    "for_each": "foreach",
}
# Keys DVC once had, and what to write instead.
RETIRED = {
    "live": "DVC 3 dropped `live:` (DVC 2): list DVCLive's files under `metrics` and `plots`.",
    "checkpoints": "DVC 3 dropped checkpoints: use an output with `persist: true`.",
    "md5": "`md5` belongs to dvc.lock, which DVC writes: remove it.",
    "schema": "`schema` belongs to dvc.lock, which DVC writes: remove it.",
}


def closest(name: str, known: tuple[str, ...]) -> Optional[str]:
    """The known key an unknown one most likely meant (`Cmd` -> `cmd`, `dep` -> `deps`, `artifact` -> `artifacts`)."""
    lowered = name.lower().replace("-", "_")
    if SYNONYMS.get(lowered) in known:
        return SYNONYMS[lowered]
    best: Optional[str] = None
    best_distance = 3
    for candidate in known:
        distance = 0 if lowered == candidate else edit_distance(lowered, candidate)
        if distance <= (1 if len(candidate) <= 4 else 2) and distance < best_distance:
            best, best_distance = candidate, distance
    return best
