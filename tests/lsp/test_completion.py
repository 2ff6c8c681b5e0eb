"""Completion: fields, values, labels, paths, top level; text edits cover exactly the typed text."""

from __future__ import annotations

from typing import Callable

from lsprotocol import types

from lsp.conftest import Editor, Repo, Start


def labels_of(items: list[types.CompletionItem]) -> list[str]:
    return [i.label for i in items]


def edit_of(item: types.CompletionItem) -> types.TextEdit:
    assert isinstance(item.text_edit, types.TextEdit)
    return item.text_edit


def assert_range(item: types.CompletionItem, line: int, start: int, end: int) -> None:
    rng = edit_of(item).range
    assert (rng.start.line, rng.start.character, rng.end.line, rng.end.character) == (line, start, line, end)


async def test_missing_fields_with_docs_and_exact_range(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: model\n  de\nnn: {type: model, }\n")
    items = await editor.completion(doc, 2, 4)
    assert labels_of(items) == ["path", "virtual", "labels", "description", "custom"]
    description = items[3]
    assert_range(description, 2, 2, 4)
    assert edit_of(description).new_text == "description: $0"
    assert description.insert_text_format == types.InsertTextFormat.Snippet
    assert isinstance(description.documentation, types.MarkupContent)
    assert "human-readable" in description.documentation.value
    # Inside a flow mapping: the fields it lacks.
    flow = await editor.completion(doc, 3, 18, trigger=" ")
    assert "type" not in labels_of(flow) and "path" in labels_of(flow)
    assert_range(flow[0], 3, 18, 18)


async def test_type_label_and_virtual_values(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    text = (
        "a:\n"
        "  type: experiment\n"
        "  labels: [nlp, vision]\n"
        "b:\n"
        "  labels:\n"
        "  - nlp\n"
        "  - \n"
        "  type:\n"
        "  virtual: f\n"
        "c: {labels: [vision, ]}\n"
    )
    doc = editor.open(repo.index, text)
    types_ = await editor.completion(doc, 7, 7, trigger=":")
    assert labels_of(types_)[:1] == ["experiment"] and "model" in labels_of(types_)
    assert edit_of(types_[0]).new_text == " experiment"  # right after `type:` the space comes with the value
    block = await editor.completion(doc, 6, 4)
    assert labels_of(block) == ["vision"]  # `nlp` is already in this list
    assert_range(block[0], 6, 4, 4)
    flow = await editor.completion(doc, 9, 21)
    assert labels_of(flow) == ["nlp"]
    assert_range(flow[0], 9, 21, 21)
    virtual = await editor.completion(doc, 8, 12)
    assert labels_of(virtual) == ["false", "true"]
    assert_range(virtual[0], 8, 11, 12)
    # `.gto` types restrict the type values.
    (repo.root / ".gto").write_text("types: [model, dataset]\n")
    gto = editor.open(repo.root / ".gto")
    editor.replace(gto, "types: [model, dataset]\n")
    await editor.settle(0.1)
    restricted = await editor.completion(doc, 1, 16)
    assert labels_of(restricted) == ["model", "dataset"]
    assert_range(restricted[0], 1, 8, 16)


async def test_path_values_tracked_first_inside_repository(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"models/rf.pkl": "1", "models/deep/nn.pt": "2", "README.md": "r"})
    repo.write({"models/new.pkl": "3", "scratch.txt": "s", ".gitignore": "ignored.bin\n", "ignored.bin": "i"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, 'rf:\n  path: models/\nnn:\n  path: "mo\nzz:\n  path: ../\nyy:\n  path: \n')
    inside = await editor.completion(doc, 1, 15, trigger="/")
    assert labels_of(inside) == ["models/deep/", "models/rf.pkl", "models/new.pkl"]
    assert "not tracked" in (inside[-1].detail or "")
    assert_range(inside[0], 1, 8, 15)
    assert edit_of(inside[1]).new_text == "models/rf.pkl"
    quoted = await editor.completion(doc, 3, 11)
    assert labels_of(quoted) == ["models/"]  # filtered by the typed prefix
    assert_range(quoted[0], 3, 9, 11)  # after the quote
    top = await editor.completion(doc, 7, 8)
    names = labels_of(top)
    assert names.index("models/") < names.index("README.md") < names.index("scratch.txt")
    assert "ignored.bin" not in names and ".git/" not in names and ".gitignore" in names
    assert await editor.completion(doc, 5, 11) == []  # never outside the repository


async def test_top_level_snippet_and_registered_names(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    repo.tag("rf@v0.0.1", "Registering artifact rf version v0.0.1")
    repo.tag("annotated@v1.0.0", "Registering artifact annotated version v1.0.0")
    editor = await start([repo.root])
    doc = editor.open(repo.index, "annotated:\n  type: model\nr")
    items = await editor.completion(doc, 2, 1)
    assert labels_of(items) == ["new artifact", "rf"]
    assert_range(items[1], 2, 0, 1)
    assert edit_of(items[1]).new_text.startswith("rf:\n  type: ")
    assert "v0.0.1" in (items[1].detail or "")


async def test_names_annotated_at_head_without_tags_are_not_offered(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    """The registry holds the artifacts of HEAD's artifacts.yaml too (GTO's commit events): without tags they are
    not 'registered in git'."""
    repo = make_repo()
    repo.commit({"artifacts.yaml": "gone:\n  type: model\n"})
    repo.tag("rf@v0.0.1", "Registering artifact rf version v0.0.1")
    editor = await start([repo.root])
    doc = editor.open(repo.index, "r")
    assert labels_of(await editor.completion(doc, 0, 1)) == ["new artifact", "rf"]


async def _all_answer(editor: Editor, uri: str, line_count: int) -> None:
    doc = editor.docs[uri]
    for line in range(line_count):
        for character in (0, 1, 2, 5, 40):
            await editor.completion(doc, line, character)
            await editor.hover(doc, line, character)


async def test_broken_documents_still_complete(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    text = "rf:\n  type: model\n  pa\n\tbad: [\nnn:\n  labels: [a, \n  ty\n}}}: :\n"
    doc = editor.open(repo.index, text)
    diagnostics = await editor.diagnostics(doc.uri, until=lambda d: bool(d))
    assert any(d.code == "yaml-syntax" for d in diagnostics)
    fields = await editor.completion(doc, 2, 4)
    assert "path" in labels_of(fields) and "type" not in labels_of(fields)
    later = await editor.completion(doc, 6, 4)
    assert "type" in labels_of(later) and "labels" not in labels_of(later)
    await _all_answer(editor, doc.uri, len(text.split("\n")))
