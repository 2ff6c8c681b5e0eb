"""The one definition of dvc.yaml's schema as DVC 3.67.1 checks it (dvc/schema.py, dvc/annotations.py), one table
per section: validation (validate.py), key completion and hover (keys.py) and the JSON schema all read it.

DVC validates the raw YAML, before any `${}` is resolved, with voluptuous: `str` accepts only strings (YAML 1.2:
`yes` is a string, `1` an int, `2024-01-01` a date), `bool` only `true`/`false`, a table refuses keys it does not
list, and `{str: X}` accepts any number of string keys. A few shapes are checked later, when DVC builds the
stages, and refuse the file all the same: they are kinds of their own here ("foreach", "matrix", "params_file",
"iterable").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from gto_lsp.core.yaml.nodes import MappingNode, Node, SequenceNode, tag_of


@dataclass(frozen=True)
class Shape:
    """What a value may be. kind: "str", "bool", "any", "map" (any mapping), "list" (of `item`), "table" (the keys
    of `table`), "dict" ({str: item}), "one_of" (any of `options`), "stage" (a table chosen by the keys present),
    "foreach", "matrix", "params_file", "iterable", "variables" (a mapping of values DVC's context can hold),
    "dep" (a non-empty string)."""

    kind: str
    item: Optional[Shape] = None
    options: tuple[Shape, ...] = ()
    table: Optional[Table] = None
    what: str = ""  # how a message names the value: "a string", "a list of strings"...
    min_keys: int = 0  # "dict": keys it needs (voluptuous' `Required(str)`)


@dataclass(frozen=True)
class Key:
    name: str
    shape: Shape
    summary: str
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    """The keys of one mapping DVC checks (a plain voluptuous dict schema: other keys are refused)."""

    name: str  # how messages and hover name the mapping: "a stage", "an output"...
    keys: tuple[Key, ...]

    def get(self, name: Any) -> Optional[Key]:
        return next((k for k in self.keys if k.name == name), None)


STR = Shape("str", what="a string")
BOOL = Shape("bool", what="`true` or `false`")
ANY = Shape("any", what="any value")
MAP = Shape("map", what="a mapping")
LIST = Shape("list", ANY, what="a list")
STRS = Shape("list", STR, what="a list of strings")


def one_of(*options: Shape) -> Shape:
    return Shape("one_of", options=options, what=" or ".join(o.what for o in options))


def table(t: Table) -> Shape:
    return Shape("table", table=t, what=t.name + " (a mapping)")


def named(item: Shape, what: str) -> Shape:
    return Shape("dict", item, what=what)


_ANNOTATION = (
    Key("desc", STR, "A description of the output.", "Shown by `dvc ls`, Studio and the VS Code extension."),
    Key("type", STR, "The output's type, such as `model`.", "Free text: DVC keeps it as written."),
    Key("labels", STRS, "Labels of the output.", "A list of strings, kept as written."),
    Key("meta", ANY, "Free-form metadata of the output.", "Any YAML value; DVC never reads it."),
)
_OUT_FLAGS = (
    *_ANNOTATION,
    Key(
        "cache",
        BOOL,
        "Whether DVC caches the output (default `true`).",
        "`false`: DVC hashes the output and tracks its changes but does not store it in the cache; git keeps it "
        "instead (small metrics and plots files).",
    ),
    Key(
        "persist",
        BOOL,
        "Keep the output in place when the stage runs again (default `false`).",
        "DVC normally deletes a stage's outputs before running its command; `persist: true` leaves them for the "
        "command to update (checkpoints, appended logs).",
    ),
    Key("checkpoint", BOOL, "Obsolete (DVC 2's checkpoints).", "Accepted by DVC 3's schema and ignored."),
    Key(
        "remote",
        STR,
        "The remote this output is pushed to and pulled from.",
        "The name of a remote of `.dvc/config`, instead of the default remote.",
    ),
    Key(
        "push",
        BOOL,
        "Whether `dvc push` uploads this output (default `true`).",
        "`false` keeps a cached output local: `dvc push` skips it.",
    ),
)
OUT_FLAGS = Table("an output's options", _OUT_FLAGS)
_PLOT_TEXT = (
    Key(
        "template",
        STR,
        "The Vega-Lite template.",
        "A built-in (`linear`, `scatter`, `confusion`, `bar_horizontal`, `smooth`...) or a file of `.dvc/plots/`.",
    ),
    Key(
        "x",
        STR,
        "The field on the x axis.",
        "A column (CSV/TSV) or key (JSON/YAML) of the plot file; the row index by default.",
    ),
    Key("y", STR, "The field on the y axis.", "A column or key of the plot file; the last one by default."),
    Key("x_label", STR, "The x axis' title.", "Text shown under the x axis."),
    Key("y_label", STR, "The y axis' title.", "Text shown beside the y axis."),
    Key("title", STR, "The plot's title.", "Text shown above the plot."),
)
PLOT_FLAGS = Table(
    "a plot output's options",
    (*_OUT_FLAGS, *_PLOT_TEXT, Key("header", BOOL, "Whether a CSV/TSV file has a header row.", "Default `true`.")),
)
# DVC's schema also takes a list of option mappings, but building the stage refuses it ("Expected dict").
_STAGE_PLOT = table(PLOT_FLAGS)
_OUT_ITEM = one_of(STR, named(table(OUT_FLAGS), "a mapping of a path to its options"))

PLOT_DEFINITION = Table(
    "a plot",
    (
        Key(
            "x",
            one_of(STR, named(STR, "a mapping of files to fields")),
            "The field on the x axis, or `{file: field}`.",
            "A field name, or a mapping of a file to the field read from it (the x of each y file).",
        ),
        Key(
            "y",
            one_of(STR, STRS, named(one_of(STR, STRS), "a mapping of files to fields")),
            "The field(s) on the y axis, or `{file: field(s)}`.",
            "A field, a list of fields, or a mapping of files to a field or a list of fields: one line per pair. "
            "Without `y`, the plot's name is the file and its last field is drawn.",
        ),
        *(k for k in _PLOT_TEXT if k.name not in ("x", "y")),
    ),
)

# Variables (a vars mapping, foreach items, matrix values) are read into DVC's context, which refuses dates.
VARIABLES = Shape("variables", what="a mapping")
VARS = Shape("list", one_of(STR, VARIABLES), what="a list of files and mappings")
_VARS_DOC = (
    "Each item is a params file to read variables from (`params.yaml`, `conf.json:train`, a file's keys "
    "picked after `:`) or a mapping of variables. `${name}` in the stages reads them."
)

STAGE_KEYS = (
    Key(
        "cmd",
        one_of(STR, LIST),
        "The command(s) the stage runs. Required.",
        "A shell command, or a list of commands run one after the other. It runs in `wdir`, after DVC deleted the "
        "stage's outputs (but `persist: true` ones); `dvc repro` runs it when a dependency changed.",
        required=True,
    ),
    Key(
        "wdir",
        STR,
        "The folder the command runs in, relative to this dvc.yaml.",
        "Paths in `deps`, `outs`, `params`, `metrics` and `plots` are relative to it too.",
    ),
    Key(
        "deps",
        Shape("list", Shape("dep", what="a path"), what="a list of strings"),
        "Files and folders the stage depends on.",
        "When one changes, `dvc repro` runs the stage again. Paths are relative to `wdir`; an output of another "
        "stage links the two in the DAG.",
    ),
    Key(
        "params",
        Shape(
            "list",
            one_of(STR, Shape("params_file", what="a mapping of a params file to its keys")),
            what="a list of keys and files",
        ),
        "Parameters the stage depends on.",
        "A key of `params.yaml` (`lr`, `train.epochs`), or `{file: [keys]}` for another params file "
        "(`{file: }` tracks the whole file). The stage runs again when a value changes.",
    ),
    Key(
        "outs",
        Shape("list", _OUT_ITEM, what="a list of paths"),
        "Files and folders the command writes.",
        "Each a path, or `path: {options}` (cache, persist, push, remote, desc, type, labels, meta). DVC caches "
        "them and restores them on `dvc checkout`.",
    ),
    Key(
        "metrics",
        Shape("list", _OUT_ITEM, what="a list of paths"),
        "Metrics files (JSON, YAML, TOML) the command writes.",
        "Outputs that `dvc metrics show` and `dvc exp show` read; same options as `outs`.",
    ),
    Key(
        "plots",
        Shape("list", one_of(STR, named(_STAGE_PLOT, "a mapping of a path to its options")), what="a list of paths"),
        "Plots files (CSV, TSV, JSON, YAML, images) the command writes.",
        "Outputs that `dvc plots show` draws; `path: {x, y, template, title...}` sets how.",
    ),
    Key("vars", VARS, "Variables of this stage only.", _VARS_DOC),
    Key(
        "frozen",
        BOOL,
        "Whether `dvc repro` skips the stage (default `false`).",
        "A frozen stage is never run again: its outputs are taken as they are (`dvc freeze`, `dvc unfreeze`).",
    ),
    Key(
        "always_changed",
        BOOL,
        "Whether the stage always runs (default `false`).",
        "DVC considers it changed on every `dvc repro`, as for a command that reads something DVC cannot track.",
    ),
    Key("desc", STR, "A description of the stage.", "Shown by `dvc stage list`."),
    Key("meta", ANY, "Free-form metadata of the stage.", "Any YAML value; DVC never reads it."),
    Key(
        "matrix",
        Shape("matrix", one_of(STR, LIST), what="a mapping of names to lists"),
        "Run the stage once per combination of values.",
        "`name: [values]` pairs; DVC makes one stage per combination, named `stage@v1-v2`, and `${item.name}` "
        "reads a combination's value. A value may be `${list}` from vars.",
    ),
)
STAGE = Table("a stage", STAGE_KEYS)
_DO = Key(
    "do",
    table(STAGE),
    "The stage made for each item of `foreach`. Required with `foreach`.",
    "A stage definition where `${item}` (and `${key}` for a mapping) reads the current item.",
    required=True,
)
FOREACH = Table(
    "a foreach stage",
    (
        Key(
            "foreach",
            Shape("foreach", what="a list, a mapping or a `${}` expression"),
            "The items to make a stage of. Required with `do`.",
            "A list or a mapping (or `${name}` of one from vars): DVC makes the stage of `do` once per item, named "
            "`stage@item` (`stage@key` for a mapping, `stage@0`... for a list of mappings).",
            required=True,
        ),
        _DO,
    ),
)
FOREACH_KEYS = ("foreach", "do")
STAGE_SHAPE = Shape("stage", what="a stage (a mapping with `cmd`)")
DATASETS_DOC = (
    "Each item is `{name, type, url...}` (`type`: `dvc`, `dvcx`, `url`). Stages use one as `ds://name` in "
    "`deps`; `dvc ds add` writes them and their lock."
)

TOP = Table(
    "dvc.yaml",
    (
        Key(
            "stages",
            named(STAGE_SHAPE, "a mapping of stage names to stages"),
            "The pipeline's stages, by name.",
            "Each stage has a `cmd` and its `deps`, `params`, `outs`, `metrics` and `plots`; `dvc repro` runs the "
            "stages whose dependencies changed, in the order of the DAG. `foreach`/`do` and `matrix` make several "
            "stages from one definition.",
        ),
        Key("vars", VARS, "Variables for `${}` in this file.", _VARS_DOC),
        Key(
            "params",
            STRS,
            "More params files for `dvc params diff` and `dvc exp show`.",
            "Files of parameters that no stage depends on (`params.yaml` is read anyway).",
        ),
        Key(
            "metrics",
            STRS,
            "More metrics files for `dvc metrics show` and `dvc exp show`.",
            "Files or folders of metrics that no stage writes (DVCLive's `dvclive/metrics.json`).",
        ),
        Key(
            "plots",
            Shape(
                "list",
                one_of(
                    STR,
                    Shape(
                        "dict",
                        one_of(table(PLOT_DEFINITION), Shape("null", what="null")),
                        what="a mapping of a name to its definition",
                        min_keys=1,
                    ),
                ),
                what="a list of plots",
            ),
            "Plots for `dvc plots show`: files, or named definitions.",
            "Each item is a file or folder to draw, or `name: {x, y, template, title...}`: a plot of the fields of "
            "one or more files (`y: {file.csv: [col]}`). With a name and no definition, the name is the file.",
        ),
        Key("datasets", Shape("iterable", what="a list of datasets"), "Datasets stages can depend on.", DATASETS_DOC),
        Key(
            "artifacts",
            MAP,
            "Artifacts (models, datasets) for the model registry.",
            "`name: {path, type, desc, labels, meta}`: read by DVC, GTO and Studio.",
        ),
    ),
)
TOP_SHAPE = table(TOP)


def node_type(node: Node) -> str:
    """What DVC's safe YAML reader makes of the node: "map", "set", "list" or a scalar tag's short name."""
    if isinstance(node, MappingNode):
        return "set" if tag_of(node).endswith(":set") else "map"
    if isinstance(node, SequenceNode):
        return "map" if tag_of(node).endswith(":omap") else "list"  # ruamel builds an ordered dict of !!omap
    return tag_of(node).rsplit(":", 1)[-1]


_ACCEPTS = {
    "str": ("str",),
    "bool": ("bool",),
    "null": ("null",),
    "list": ("list",),
    "foreach": ("map", "list", "str"),
    "iterable": ("map", "list", "str", "set"),
    "dep": ("str",),
}


def fits(kind: str, shape: Shape) -> bool:
    """Whether a value of this `node_type` is of the shape's type (its content aside)."""
    if shape.kind == "any":
        return True
    return kind in _ACCEPTS.get(shape.kind, ("map",))


def stage_table(keys: set[Any]) -> Table:
    """Which table DVC checks a stage with (schema.either_or): a `foreach` or `do` key makes it a foreach stage."""
    return FOREACH if keys & set(FOREACH_KEYS) else STAGE


# --- the JSON schema of a whole dvc.yaml (draft-07) ----------------------------------------------------------------


def _json(shape: Shape, depth: int = 0) -> dict[str, Any]:
    kind = shape.kind
    if kind == "str":
        return {"type": "string"}
    if kind == "dep":
        return {"type": "string", "minLength": 1}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "null":
        return {"type": "null"}
    if kind in ("map", "variables"):
        return {"type": "object"}
    if kind == "list":
        item = shape.item
        return {"type": "array"} if item is None or item.kind == "any" else {"type": "array", "items": _json(item)}
    if kind == "one_of":
        return {"anyOf": [_json(o) for o in shape.options]}
    if kind == "table":
        assert shape.table is not None
        return _table_json(shape.table)
    if kind == "dict":
        assert shape.item is not None
        out = {"type": "object", "additionalProperties": _json(shape.item)}
        return {**out, "minProperties": shape.min_keys} if shape.min_keys else out
    if kind == "stage":
        return {"oneOf": [{"$ref": "#/definitions/stage"}, {"$ref": "#/definitions/foreach"}]}
    if kind == "foreach":
        return {"anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string", "pattern": r"^\$\{.*\}$"}]}
    if kind == "matrix":
        return {"type": "object", "minProperties": 1, "additionalProperties": {"type": ["string", "array"]}}
    if kind == "params_file":  # the file's keys, or nothing (a falsy value) for the whole file
        nothing = [{"const": c} for c in ("", 0, False)] + [{"type": "object", "maxProperties": 0}]
        return {"type": "object", "additionalProperties": {"anyOf": [{"type": ["array", "null"]}, *nothing]}}
    if kind == "iterable":
        return {"type": ["array", "object", "string"]}
    return {}


def _table_json(t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            k.name: {**_json(k.shape), "description": f"{k.summary} {k.doc}", "markdownDescription": key_doc(k)}
            for k in t.keys
        },
    }
    required = [k.name for k in t.keys if k.required]
    if required:
        out["required"] = required
    return out


def key_doc(key: Key, where: str = "") -> str:
    """The Markdown of a key for hover and completion."""
    head = f"**`{key.name}`**" + (f" ({where})" if where else "") + (" — required" if key.required else "")
    return f"{head}\n\n{key.summary}\n\n{key.doc}\n\nAccepts {key.shape.what}."


def json_schema() -> dict[str, Any]:
    """The draft-07 JSON schema of a whole dvc.yaml as DVC 3.67.1 checks it (stage names aside)."""
    from gto_lsp.core.formats.dvc.fields import json_schema as artifact_schema

    top = _table_json(TOP)
    top["properties"]["artifacts"] = {
        **top["properties"]["artifacts"],
        "type": "object",
        "additionalProperties": {"$ref": "#/definitions/artifact"},
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "dvc.yaml",
        "description": "DVC's pipeline file, as DVC 3.67.1 validates it (generated by gto-lsp).",
        **top,
        "definitions": {"stage": _table_json(STAGE), "foreach": _table_json(FOREACH), "artifact": artifact_schema()},
    }
