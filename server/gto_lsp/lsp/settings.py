"""Client settings (section `gto`, scoped to a workspace folder) as typed objects.

Shape: {checks: {enable, paths, unknownFields, virtualMissing}, git: {enabled}}. Read with
workspace/configuration when the client supports it, else from initializationOptions.settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from ..core.check import CheckSettings
from ..core.problems import SEVERITIES

SECTION = "gto"
_VIRTUAL_MISSING = (*SEVERITIES, "off")


@dataclass(frozen=True)
class Settings:
    checks: CheckSettings = field(default_factory=CheckSettings)
    git_enabled: bool = True

    @classmethod
    def from_client(cls, raw: Any, base: Optional[Settings] = None) -> Settings:
        """Settings from the client's JSON; anything missing or of the wrong type keeps `base`'s value."""
        base = base or cls()
        if not isinstance(raw, Mapping):
            return base
        if SECTION in raw and isinstance(raw[SECTION], Mapping) and not ({"checks", "git"} & set(raw)):
            raw = raw[SECTION]  # didChangeConfiguration sends {gto: {...}}
        checks_raw = raw.get("checks")
        checks = base.checks
        if isinstance(checks_raw, Mapping):
            virtual = checks_raw.get("virtualMissing")
            checks = CheckSettings(
                enable=_bool(checks_raw.get("enable"), checks.enable),
                paths=_bool(checks_raw.get("paths"), checks.paths),
                unknown_fields=_bool(checks_raw.get("unknownFields"), checks.unknown_fields),
                virtual_missing=virtual if virtual in _VIRTUAL_MISSING else checks.virtual_missing,
            )
        git_raw = raw.get("git")
        git_enabled = base.git_enabled
        if isinstance(git_raw, Mapping):
            git_enabled = _bool(git_raw.get("enabled"), git_enabled)
        return cls(checks, git_enabled)


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default
