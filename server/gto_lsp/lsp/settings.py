"""Client settings (section `gto`, scoped to a workspace folder) as typed objects.

Shape: {checks: {enable, paths, unknownFields, virtualMissing, invalidLabelOrType, foreignFiles}, git: {enabled}}
(package.json's `gto.checks.*` and `gto.git.*`, same names and defaults: tests/lsp/test_settings_manifest.py). Read with
workspace/configuration when the client supports it, else from initializationOptions.settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.problems import SEVERITIES

SECTION = "gto"
_SEVERITY_OR_OFF = (*SEVERITIES, "off")


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
            checks = CheckSettings(
                enable=_bool(checks_raw.get("enable"), checks.enable),
                paths=_bool(checks_raw.get("paths"), checks.paths),
                unknown_fields=_bool(checks_raw.get("unknownFields"), checks.unknown_fields),
                virtual_missing=_severity(checks_raw.get("virtualMissing"), checks.virtual_missing),
                invalid_label_or_type=_severity(checks_raw.get("invalidLabelOrType"), checks.invalid_label_or_type),
                foreign_files=_bool(checks_raw.get("foreignFiles"), checks.foreign_files),
            )
        git_raw = raw.get("git")
        git_enabled = base.git_enabled
        if isinstance(git_raw, Mapping):
            git_enabled = _bool(git_raw.get("enabled"), git_enabled)
        return cls(checks, git_enabled)


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def _severity(value: Any, default: str) -> str:
    return value if value in _SEVERITY_OR_OFF else default
