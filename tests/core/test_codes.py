"""The code registry (core/codes.py) against what the core emits, the README's table and the quick fixes."""

from __future__ import annotations

import re
from pathlib import Path

from compat.cases import read_cases
from gto_lsp.core.codes import CODES, CheckSettings, codes_of, reader_refusals, severity
from gto_lsp.core.config import parse_config
from gto_lsp.core.formats.dvc.fixes import FIXERS as DVC_FIXERS
from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.formats.gto.fixes import FIXERS
from gto_lsp.core.repo.fs import RepoView

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "server" / "gto_lsp" / "core"
# A literal code as the first argument of a problem or a value rule (across entries: after the entry index and
# anchor).
_EMITTED = re.compile(
    r"\b(?:Problem|problem|_problem|_?Found|name_rule)\(\s*(?:index,\s*\"[a-z]+\",\s*)?\"([a-z]+(?:-[a-z]+)+)\"", re.S
)


def _emitted_in_source() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(CORE.rglob("*.py")):
        for code in _EMITTED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_code_in_the_source_is_in_the_registry() -> None:
    found = _emitted_in_source()
    assert len(found) >= 20, f"the pattern no longer finds the codes: {sorted(found)}"
    assert {code: where for code, where in found.items() if code not in CODES} == {}


def test_every_code_check_emits_is_in_the_registry_with_its_severity(tmp_path: Path) -> None:
    (tmp_path / "present").mkdir()
    repo = RepoView(tmp_path, in_head=lambda path: False)
    extra = [
        "a:\n  path: /abs\nb:\n  path: ../out\nc:\n  path: missing\n  virtual: false\n",
        "d:\n  path: present\n  virtual: false\ne:\n  path: present/x\nf:\n  path: gone\n",
        "g:\n  type: other\n",
    ]
    seen: dict[str, set[str]] = {}
    for text in [case.text for case in read_cases()] + extra:
        for found in check(parse(text), parse_config("types: [model]", env={}), repo, CheckSettings()):
            seen.setdefault(found.code, set()).add(found.severity)
    assert {"path-absolute", "path-escapes", "path-missing", "path-not-committed", "path-conflict"} <= set(seen)
    assert "type-not-allowed" in seen
    for code, severities in seen.items():
        assert code in CODES, code
        if CODES[code].setting is None:
            assert severities == {severity(code)}, code
        else:  # the fixed severity, and the setting's default (warning) for the rest
            assert severities <= {severity(code), "warning"}, code


def test_config_codes_come_from_the_registry() -> None:
    texts = ["types: [", "- a", "nope: 1", "types: 5", "types: [Bad.Name]", "emojis: maybe"]
    for text in texts:
        for found in parse_config(text, env={}).problems:
            assert found.severity == severity(found.code), found


def _readme_table() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Diagnostic codes", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        for code in re.findall(r"`([^`]+)`", cells[0]):
            rows[code] = cells[1]
    return rows


def test_readme_table_lists_the_registry() -> None:
    expected: dict[str, str] = {}
    for code in codes_of("gto"):
        shown = severity(code.id) + (" / setting" if code.setting else "")
        expected["config-*" if code.id.startswith("config-") else code.id] = shown
    assert _readme_table() == expected


def test_quick_fixes_are_for_registered_codes() -> None:
    assert set(FIXERS) - set(CODES) == set()
    assert [code for code in DVC_FIXERS if code not in CODES or "dvc" not in CODES[code].severity] == []


def test_reader_refusals() -> None:
    assert "invalid-name" in reader_refusals("gto")
    assert "empty-file" in reader_refusals("gto")
    assert "unknown-field" not in reader_refusals("gto")
