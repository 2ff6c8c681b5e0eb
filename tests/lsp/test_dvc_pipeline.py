"""dvc.yaml's pipeline over the real server: diagnostics of every section (a broken stage leaves the others
checked), `${}` hover, definition and completion, key completion and hover, the outline of stages, references of
an output, definition from a dependency to the stage that writes it, and document links."""

from __future__ import annotations

from typing import Callable, Optional

from lsprotocol import types

from lsp.conftest import Repo, Start, rng

PIPELINE = (
    "vars:\n"  # 0
    "  - params.yaml\n"  # 1
    "stages:\n"  # 2
    "  prepare:\n"  # 3
    "    cmd: python prepare.py ${data.raw}\n"  # 4
    "    deps:\n"  # 5
    "      - data/raw.csv\n"  # 6
    "    outs:\n"  # 7
    "      - data/prepared.csv\n"  # 8
    "  train:\n"  # 9
    "    foreach: ${models}\n"  # 10
    "    do:\n"  # 11
    "      cmd: python train.py ${item.name} ${nope}\n"  # 12
    "      deps: [data/prepared.csv]\n"  # 13
    "      outs: ['models/${item.name}.pkl']\n"  # 14
    "      frozn: true\n"  # 15
    "  broken:\n"  # 16
    "    cmd: [unclosed\n"  # 17
    "  evaluate:\n"  # 18
    "    cmd: python evaluate.py\n"  # 19
    "    deps:\n"  # 20
    "      - models/a.pkl\n"  # 21
    "    params:\n"  # 22
    "      - train.epochs\n"  # 23
    "    \n"  # 24
    "artifacts:\n"  # 25
    "  a:\n"  # 26
    "    path: models/a.pkl\n"  # 27
)
PARAMS = "data:\n  raw: data/raw.csv\nmodels:\n  - name: a\n  - name: b\ntrain:\n  epochs: 3\n"


def _files() -> dict[str, str]:
    return {"params.yaml": PARAMS, "data/raw.csv": "x\n", "prepare.py": "", "dvc.yaml": PIPELINE}


def _text(hover: Optional[types.Hover]) -> str:
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_every_section_is_checked_and_one_broken_stage_hides_nothing(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(files=_files())
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    found = await editor.diagnostics(doc.uri, until=lambda d: any(x.code == "dvc-unknown-key" for x in d))
    by_code = {(d.code, d.range.start.line) for d in found}
    assert ("dvc-unknown-key", 15) in by_code  # `frozn` in the foreach's `do`
    assert ("dvc-variable-undefined", 12) in by_code  # `${nope}`
    assert ("yaml-syntax", 17) in by_code  # the broken stage
    unknown = next(d for d in found if d.code == "dvc-unknown-key")
    assert unknown.range == rng(15, 6, 15, 11) and "frozen" in unknown.message
    # The artifact's path is made by the foreach stage (`models/${item.name}.pkl` with item.name = a).
    assert not any(d.code == "path-missing" for d in found)
    # Fixing the typo drops its problem and keeps the others.
    editor.replace(doc, PIPELINE.replace("frozn", "frozen"))
    after = await editor.diagnostics(doc.uri, until=lambda d: not any(x.code == "dvc-unknown-key" for x in d))
    assert {"dvc-variable-undefined", "yaml-syntax"} <= {d.code for d in after}


async def test_variables_hover_definition_and_completion(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=_files())
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    hover = _text(await editor.hover(doc, 4, 32))  # on `${data.raw}`
    assert "data/raw.csv" in hover and "params.yaml" in hover
    found = await editor.client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri), position=types.Position(line=4, character=32)
        )
    )
    assert isinstance(found, list) and found
    assert found[0].uri.endswith("/params.yaml") and found[0].range.start.line == 1
    editor.type(doc, 19, len("    cmd: python evaluate.py"), " ${")
    labels = [item.label for item in await editor.completion(doc, 19, len("    cmd: python evaluate.py ${"), "{")]
    assert {"data", "models", "train"} <= set(labels)


async def test_keys_stages_outline_references_and_links(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=_files())
    editor = await start([repo.root])
    doc = editor.open(repo.root / "dvc.yaml")
    uri = types.TextDocumentIdentifier(uri=doc.uri)
    # The keys `evaluate` lacks, with DVC's docs; hover on a key and on a stage.
    keys = [item.label for item in await editor.completion(doc, 24, 4)]
    assert {"outs", "metrics", "wdir", "frozen"} <= set(keys) and "cmd" not in keys and "deps" not in keys
    assert "cmd" in _text(await editor.hover(doc, 19, 5)).lower()
    stage = _text(await editor.hover(doc, 3, 4))  # `prepare`
    assert "python prepare.py" in stage and "data/prepared.csv" in stage
    # Outline: the sections, the stages under `stages` (foreach definitions once), the artifacts.
    symbols = await editor.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=uri))
    assert symbols is not None
    names = [s.name for s in symbols]
    assert names == ["vars", "stages", "artifacts"]
    stages = next(s for s in symbols if s.name == "stages")
    assert isinstance(stages, types.DocumentSymbol) and stages.children is not None
    assert [c.name for c in stages.children][:2] == ["prepare", "train"] and "evaluate" in [
        c.name for c in stages.children
    ]
    # From a dependency to the stage that writes it; the stages that read an output.
    at_dep = types.Position(line=13, character=18)  # `data/prepared.csv` in train's deps
    found = await editor.client.text_document_definition_async(
        types.DefinitionParams(text_document=uri, position=at_dep)
    )
    assert isinstance(found, list) and [loc.range.start.line for loc in found] == [3]  # the stage `prepare`
    readers = await editor.client.text_document_references_async(
        types.ReferenceParams(
            text_document=uri,
            position=types.Position(line=8, character=12),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert readers is not None and [loc.range.start.line for loc in readers] == [13]
    # Links: the files that exist (params.yaml, data/raw.csv), not those no one made yet.
    links = await editor.client.text_document_document_link_async(types.DocumentLinkParams(text_document=uri))
    targets = {(link.range.start.line, (link.target or "").rsplit("/", 1)[-1]) for link in links or []}
    assert (1, "params.yaml") in targets and (6, "raw.csv") in targets
    assert not any(line == 8 for line, _ in targets)


async def test_a_broken_document_answers_every_request(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files=_files())
    editor = await start([repo.root])
    broken = PIPELINE.replace("    cmd: python evaluate.py\n", "    cmd: [${\n  - : {\n")
    doc = editor.open(repo.root / "dvc.yaml", broken)
    await editor.request_everywhere(doc, (0, 2, 4, 6, 9, 14, 20))
    assert await editor.diagnostics(doc.uri, until=lambda d: any(x.code == "yaml-syntax" for x in d))


async def test_outputs_of_another_dvc_yaml_count_as_made(start: Start, make_repo: Callable[..., Repo]) -> None:
    """A nested pipeline reading the root pipeline's output: no missing dependency, no missing artifact path; and
    when the root stops making it, the nested file says so."""
    root_pipeline = "stages:\n  prepare:\n    cmd: python prepare.py\n    outs:\n      - data/prepared.csv\n"
    nested = (
        "stages:\n  train:\n    cmd: python train.py\n    deps:\n      - ../data/prepared.csv\n"
        "artifacts:\n  features:\n    path: ../data/prepared.csv\n"
    )
    repo = make_repo(files={"dvc.yaml": root_pipeline, "sub/dvc.yaml": nested})
    editor = await start([repo.root])
    main = editor.open(repo.root / "dvc.yaml")
    await editor.diagnostics(main.uri)
    doc = editor.open(repo.root / "sub" / "dvc.yaml")
    assert await editor.diagnostics(doc.uri, version=1) == []
    editor.replace(main, root_pipeline.replace("data/prepared.csv", "data/other.csv"))
    found = await editor.diagnostics(doc.uri, until=lambda d: len(d) == 2)
    assert sorted(str(d.code) for d in found) == ["dvc-dependency-missing", "path-missing"]
