"""names.py (GTO's name rule, one copy for every module) and values.py (pydantic's lax booleans)."""

from __future__ import annotations

import re
from typing import Optional

import pytest

from gto_lsp.core import names
from gto_lsp.core.formats.gto import fields
from gto_lsp.core.values import LAX_FALSE, LAX_TRUE, is_lax_false, lax_bool

NAMES = ["rf", "a", "a1", "my-model", "dir/sub_model", "-a", "a-", "a.b", "a b", "", "Ünï", "rf\n", "a//b", "_a"]


@pytest.mark.parametrize("value", NAMES)
def test_embedded_rule_is_the_rule(value: str) -> None:
    embedded = re.compile(rf"^{names.NAME}$")
    assert (embedded.search(value) is not None) == names.is_valid_name(value)


def test_fields_re_exports_the_rule() -> None:
    assert fields.is_valid_name is names.is_valid_name  # type: ignore[attr-defined]
    assert fields.invalid_name_message is names.invalid_name_message  # type: ignore[attr-defined]
    assert fields.suggest_name is names.suggest_name  # type: ignore[attr-defined]
    assert fields.NAME_PATTERN == names.NAME_PATTERN  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("yes", True), ("On", True), ("T", True), ("1", True), ("no", False), ("OFF", False), ("0", False), ("2", None)],
)
def test_lax_bool(text: str, expected: Optional[bool]) -> None:
    assert lax_bool(text) is expected


def test_lax_sets() -> None:
    assert LAX_TRUE.isdisjoint(LAX_FALSE)
    assert all(is_lax_false(v) for v in LAX_FALSE) and not any(is_lax_false(v) for v in LAX_TRUE)
    assert is_lax_false(False) and is_lax_false(0) and not is_lax_false(True)
