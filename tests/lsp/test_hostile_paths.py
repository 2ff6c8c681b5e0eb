"""Issue 12 item 1 against the real server: a `path:` of `//x`, a UNC name or 200 KB of `a/a/a` used to
loop for ever (or keep every prefix: 10 GB) in the path-conflict check; the document gets its diagnostics and
the server's memory stays bounded."""

from __future__ import annotations

from typing import Callable

import pytest

from lsp.conftest import Repo, Start, codes
from lsp.test_hostile import MEMORY_MB, answer, errors, peak_mb

PATHS = {
    "double-slash": "//x",
    "unc": "\\\\\\\\server\\\\share",  # YAML double-quoted: \\server\share
    "long": "a/" * 100_000 + "m.pkl",
}


@pytest.mark.parametrize("case", list(PATHS))
async def test_a_hostile_path_gets_diagnostics(start: Start, make_repo: Callable[..., Repo], case: str) -> None:
    path = PATHS[case]
    text = f'rf:\n  type: model\n  path: "{path}"\nnn:\n  type: model\n  path: "{path}/x"\nok:\n  path: m.pkl\n'
    repo = make_repo(files={"m.pkl": "x"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, text)
    found = await editor.diagnostics(doc.uri, lambda ds: bool(ds), timeout=30)
    expected = "path-missing" if case == "long" else "path-absolute"  # longer than PATH_MAX: no such file
    assert expected in codes(found)
    await answer(editor.hover(doc, 0, 0))
    added = await answer(editor.command("gto.server.annotate", {"repository": str(repo.root), "name": "xx"}))
    assert added["ok"] is True
    assert peak_mb(editor) < MEMORY_MB
    assert errors(editor) == []
