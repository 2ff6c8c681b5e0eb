"""The house rules of ARCHITECTURE.md, read from the code's own imports (no import is executed).

Every name has one address: no forwarding re-exports and no `_private` import across modules. No import circle,
and layers only point down: cli -> lsp -> core, and core never imports the editor protocol. Rooms stay small and
core/ stays shallow.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Optional

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "gto_lsp"
MAX_LINES = 450  # a module longer than this has more than one job
MAX_CORE_CHAIN = 7  # modules on the longest import chain inside core/
MAX_FORMAT_BRANCHES = 9  # places in lsp/ that ask which format a document is (the real differences only)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@functools.cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def imports(name: str) -> list[tuple[str, Optional[str], int]]:
    """(module, imported name or None for `import module`, line) for each import, function-local ones too."""
    found: list[tuple[str, Optional[str], int]] = []
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}:{node.lineno}: imports are absolute (`from gto_lsp...`)"
            found += [(str(node.module), alias.name, node.lineno) for alias in node.names]
    return found


def edges(name: str) -> set[str]:
    """The modules of the package that `name` imports."""
    out = set()
    for module, imported, _ in imports(name):
        if not module.startswith("gto_lsp"):
            continue
        target = f"{module}.{imported}" if imported and f"{module}.{imported}" in modules() else module
        if target != name:
            out.add(target)
    return out


def defined(name: str) -> set[str]:
    names: set[str] = set()
    for node in tree(name).body:
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(sub.name)
            elif isinstance(sub, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def test_imports_are_absolute_and_no_private_name_crosses_a_module() -> None:
    crossing = [
        f"{name}:{line}: from {module} import {imported}"
        for name in modules()
        for module, imported, line in imports(name)
        if module.startswith("gto_lsp") and imported and imported.startswith("_") and not imported.startswith("__")
    ]
    assert not crossing, "give these names a public name in the room where they belong:\n" + "\n".join(crossing)


def test_every_name_has_one_address() -> None:
    """A name is imported from the module that defines it, never through a module that only imports it."""
    forwarded = [
        f"{name}:{line}: {imported} from {module}"
        for name in modules()
        for module, imported, line in imports(name)
        if module in modules()
        and imported
        and f"{module}.{imported}" not in modules()
        and imported not in defined(module)
    ]
    assert not forwarded, "import these from where they are defined:\n" + "\n".join(forwarded)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circle() -> None:
    assert cycles({name: edges(name) for name in modules()}) == []


def test_layers_point_down() -> None:
    """cli -> lsp -> core; core never imports the editor protocol, the server or the command line."""
    wrong = []
    for name in modules():
        targets = {m for m, _, _ in imports(name)}
        if name.startswith("gto_lsp.core"):
            wrong += [f"{name} imports {t}" for t in targets if t.split(".")[0] in ("pygls", "lsprotocol")]
            wrong += [f"{name} imports {t}" for t in targets if t.startswith(("gto_lsp.lsp", "gto_lsp.cli"))]
        if name.startswith("gto_lsp.lsp"):
            wrong += [f"{name} imports {t}" for t in targets if t.startswith("gto_lsp.cli")]
    assert not wrong, "\n".join(wrong)


def test_formats_stand_side_by_side() -> None:
    """One format never reaches into another: shared machinery lives in core/ beside them."""
    wrong = [
        f"{name} imports {target}"
        for name in modules()
        for own in ("gto", "dvc")
        if name.startswith(f"gto_lsp.core.formats.{own}")
        for target in edges(name)
        if target.startswith("gto_lsp.core.formats.")
        and not target.startswith(f"gto_lsp.core.formats.{own}")
        and target != "gto_lsp.core.formats"
    ]
    assert not wrong, "\n".join(wrong)


def test_git_runs_only_in_repo_and_registry() -> None:
    wrong = [
        f"{name} imports {module}"
        for name in modules()
        for module, _, _ in imports(name)
        if module.split(".")[0] in ("git", "subprocess")
        and not name.startswith(("gto_lsp.core.repo", "gto_lsp.core.registry"))
    ]
    assert not wrong, "\n".join(wrong)


def longest_core_chain() -> list[str]:
    core = {m for m in modules() if m.startswith("gto_lsp.core")}

    @functools.cache
    def chain(v: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        below = [chain(w, seen | {v}) for w in edges(v) if w in core and w not in seen]  # a circle fails elsewhere
        deepest: tuple[str, ...] = max(below, key=len) if below else ()
        return (v, *deepest)

    longest: tuple[str, ...] = ()
    for v in sorted(core):
        if len(found := chain(v)) > len(longest):
            longest = found
    return list(longest)


def test_core_is_shallow() -> None:
    longest = longest_core_chain()
    assert len(longest) <= MAX_CORE_CHAIN, " -> ".join(longest)


def test_rooms_are_small() -> None:
    big = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not big, big


# A feature asking "which file is this?" instead of calling through the document's format.
FORMAT_BRANCH = re.compile(
    r"kind\s*[!=]=\s*(DVC|ARTIFACTS)|\.kind in\b|\.dvc is (not )?None|isinstance\([^)]*(DvcDocument|Document)\)"
    r"|\.format\s*[!=]=|format\.name\s*[!=]=|format\s+is\s+(not\s+)?(GTO|DVC)\b"
)


def format_branches() -> list[str]:
    return [
        f"{name}:{n}: {line.strip()}"
        for name, path in modules().items()
        if name.startswith("gto_lsp.lsp")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FORMAT_BRANCH.search(line) and not line.lstrip().startswith("#")
    ]


def test_features_call_through_the_format() -> None:
    found = format_branches()
    assert len(found) <= MAX_FORMAT_BRANCHES, "\n".join(found)


def room(name: str) -> str:
    """The room a module stands in: its folder (or itself) right under core/, lsp/ or cli/."""
    parts = name.split(".")
    return ".".join(parts[:3])


def test_no_circle_between_rooms() -> None:
    """Folders stand on each other one way (core/repo under core/registry, core/yaml under core/formats...)."""
    graph: dict[str, set[str]] = {}
    for name in modules():
        graph.setdefault(room(name), set()).update(room(t) for t in edges(name) if room(t) != room(name))
    assert cycles(graph) == []


def test_starting_imports_no_gitpython() -> None:
    """GitPython runs `git version` when it is imported, and an untrusted workspace runs no git: the server and
    the command line import it only where git runs (core/repo/, core/registry/, inside the functions that run it)."""
    import subprocess
    import sys

    probe = (
        "import sys, gto_lsp.cli, gto_lsp.lsp.server;"
        "print(sorted(m for m in sys.modules if m == 'git' or m.startswith('git.')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout
