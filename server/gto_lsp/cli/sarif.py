"""check's findings as one SARIF 2.1.0 log (GitHub code scanning, VS Code's SARIF viewer, any SARIF reader).

Rules come from the code registry (every code, found or not); locations are relative to the repository's root
(`%SRCROOT%`); each result has a fingerprint that does not change when lines move: a hash of its code, file,
artifact and message without line numbers, and its rank among results with the same hash.
"""

from __future__ import annotations

import hashlib
import re
from typing import Optional, Protocol, Sequence
from urllib.parse import quote

from gto_lsp import __version__
from gto_lsp.core.codes import CODES

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
HOME = "https://github.com/gto-lsp/gto-lsp"
FINGERPRINT = "gtoLsp/v1"  # the key of partialFingerprints: a new way of hashing takes a new version
_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
_RANK = {"error": 3, "warning": 2, "information": 1, "hint": 0}
# "line 3", "lines 3-5", "line 3, column 7", "3:7": the places a message may name, which move with the lines
_PLACES = re.compile(r"\b(lines?|columns?|col)\s+\d+(\s*-\s*\d+)?|\b\d+:\d+\b", re.I)


class Located(Protocol):
    """What a result needs of a finding (cli/report.py's `Finding`)."""

    @property
    def path(self) -> str: ...  # relative to the repository's root, with `/`
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...  # 1-based, in code points
    @property
    def end_line(self) -> int: ...
    @property
    def end_column(self) -> int: ...  # the column after the last character
    @property
    def severity(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def artifact(self) -> Optional[str]: ...


def help_uri(code: str) -> str:
    """The README row of a code (each row has an anchor `code-<id>`)."""
    return f"{HOME}#code-{code}"


def rules() -> list[dict[str, object]]:
    """One reportingDescriptor per registered code, in the registry's order."""
    found: list[dict[str, object]] = []
    for code in CODES.values():
        # A code whose severity differs between formats takes the stricter; each format's is in the properties.
        strictest = max(code.severity.values(), key=lambda severity: _RANK[severity])
        properties: dict[str, object] = {"severity": dict(sorted(code.severity.items()))}
        if code.setting:
            properties["setting"] = code.setting
        found.append(
            {
                "id": code.id,
                "shortDescription": {"text": code.doc},
                "helpUri": help_uri(code.id),
                "help": {"text": f"{code.doc} See {help_uri(code.id)}"},
                "defaultConfiguration": {"level": _LEVEL[strictest]},
                "properties": properties,
            }
        )
    return found


def fingerprint_base(finding: Located) -> str:
    """The hash of what stays when lines are inserted above the problem."""
    message = _PLACES.sub("#", finding.message)
    key = "\0".join((finding.code, finding.path, finding.artifact or "", message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def sarif_log(findings: Sequence[Located]) -> dict[str, object]:
    """The SARIF 2.1.0 log of one run of check: the same findings give the same bytes."""
    descriptors = rules()
    index = {str(rule["id"]): i for i, rule in enumerate(descriptors)}
    seen: dict[str, int] = {}
    results = []
    for f in findings:
        if f.code not in index:  # not registered (a bug elsewhere): still reported, under a rule of its own
            index[f.code] = len(descriptors)
            descriptors.append({"id": f.code, "shortDescription": {"text": f.code}})
        base = fingerprint_base(f)
        seen[base] = seen.get(base, 0) + 1  # two identical problems of one artifact stay two alerts
        result: dict[str, object] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _LEVEL.get(f.severity, "note"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT: f"{base}:{seen[base]}"},
        }
        if f.artifact is not None:
            result["properties"] = {"artifact": f.artifact}
        results.append(result)
    driver = {
        "name": "gto-lsp",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": HOME,
        "rules": descriptors,
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the repository checked."}}},
        "columnKind": "unicodeCodePoints",  # check counts code points, not UTF-16 units
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
