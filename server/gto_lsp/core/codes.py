"""Every diagnostic code, named once: its severity and whether the file's reader refuses the file.

Two formats carry annotations: GTO's `artifacts.yaml` ("gto") and the `artifacts:` section of DVC's `dvc.yaml`
("dvc"). A code may mean the same thing in both with a different severity (an invalid name makes GTO refuse
the file, while DVC loads it with a warning), so severity and refusal are given per format. The registry's git
tags are a third source ("registry": `check --registry`, core/registry/integrity.py), in no file. The README's
table and the tests read this registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from gto_lsp.core.problems import Problem, Related, Span

Format = Literal["gto", "dvc", "registry"]
FORMATS: tuple[Format, ...] = ("gto", "dvc")  # the formats of annotations files ("registry" is the tags)


@dataclass(frozen=True)
class Code:
    id: str
    doc: str  # what it means, for the README table and hover on the code
    severity: dict[str, str]  # format -> "error" | "warning" | "information" | "hint"
    refuses: frozenset[str] = field(default_factory=frozenset)  # formats whose reader refuses the whole file
    setting: Optional[str] = None  # a setting that gives the severity in some cases (then `severity` is the rest's)


def _code(
    id: str,
    doc: str,
    gto: Optional[str] = None,
    dvc: Optional[str] = None,
    refuses: tuple[str, ...] = (),
    setting: Optional[str] = None,
    registry: Optional[str] = None,
) -> Code:
    severity = {fmt: sev for fmt, sev in (("gto", gto), ("dvc", dvc), ("registry", registry)) if sev}
    return Code(id, doc, severity, frozenset(refuses), setting)


@dataclass(frozen=True)
class CheckSettings:
    """Which problems a check reports, and at what severity where a setting decides it (either format)."""

    enable: bool = True
    paths: bool = True
    unknown_fields: bool = True
    virtual_missing: str = "warning"  # a severity, or "off"
    invalid_label_or_type: str = "warning"  # a severity, or "off": GTO reads the file, only annotate refuses
    foreign_files: bool = False  # check an artifacts.yaml that does not look like GTO's (formats/gto/foreign.py)


_BOTH = ("gto", "dvc")

CODES: dict[str, Code] = {
    c.id: c
    for c in (
        # --- the file cannot be parsed -------------------------------------------------------------------------
        _code("yaml-syntax", "The file is not valid YAML.", "error", "error", _BOTH),
        _code("entry-syntax", "An entry is not valid YAML.", "error", "error", _BOTH),
        _code("multiple-documents", "The file holds more than one YAML document.", "error", "error", _BOTH),
        _code("top-not-mapping", "The top level is not a mapping of names.", "error", "error", _BOTH),
        _code("empty-file", "The file has no YAML content (`gto show` fails on it).", "error", refuses=("gto",)),
        # --- the reader rejects the file ---------------------------------------------------------------------
        _code("entry-not-mapping", "An artifact is not a mapping of fields.", "error", "error", _BOTH),
        _code("name-not-string", "An artifact name is not a string.", "error", "error", _BOTH),
        _code("wrong-type", "A field has a value of the wrong type.", "error", "error", _BOTH),
        _code("duplicate-key", "A key appears twice in one mapping.", "error", "error", _BOTH),
        _code("duplicate-name", "Two artifacts have the same name.", "error", "error", _BOTH),
        _code("unsupported-tag", "An explicit YAML tag the reader cannot construct.", "error", "error", _BOTH),
        _code("section-not-mapping", "`artifacts:` is not a mapping of names.", dvc="error", refuses=("dvc",)),
        _code("missing-path", "DVC requires `path` in every artifact.", dvc="error", refuses=("dvc",)),
        _code("extra-key", "DVC refuses keys but path, desc, type, labels, meta.", dvc="error", refuses=("dvc",)),
        # --- names, labels, types ----------------------------------------------------------------------------
        _code(
            "invalid-name",
            "The name breaks GTO's rule: GTO refuses the file; DVC loads it but cannot look it up or register it.",
            "error",
            "warning",
            ("gto",),
        ),
        _code(
            "invalid-label",
            "A label breaks GTO's name rule: GTO still reads the file (show, register, assign); annotate refuses.",
            "warning",
            setting="gto.checks.invalidLabelOrType",
        ),
        _code(
            "invalid-type",
            "The type breaks GTO's name rule: GTO still reads the file (show, register, assign); annotate refuses.",
            "warning",
            setting="gto.checks.invalidLabelOrType",
        ),
        _code("type-not-allowed", "The type is not in `.gto`'s `types` (or `GTO_TYPES`).", "error"),
        _code("unknown-field", "GTO ignores the field and drops it on its next write.", "warning"),
        _code("lax-boolean", "`virtual: yes` works only through GTO's lax parsing.", "warning"),
        _code("duplicate-label", "GTO de-duplicates the label on its next update.", "warning"),
        # --- paths --------------------------------------------------------------------------------------------
        _code("path-absolute", "The path is absolute (paths are relative).", "error", "warning"),
        _code("path-escapes", "The path leaves the repository.", "error", "warning"),
        _code("path-url", "DVC's lookups treat a URL as a local path and mangle it.", dvc="warning"),
        _code(
            "path-missing",
            "The path is not in the working tree (nor tracked by DVC).",
            "error",  # GTO: when `virtual: false`; a virtual artifact's severity is the setting's
            "warning",
            setting="gto.checks.virtualMissing",
        ),
        _code("path-not-committed", "`virtual: false` but the path is not in the HEAD commit.", "error"),
        _code("path-conflict", "The path equals or is inside another artifact's path.", "warning"),
        # --- the file --------------------------------------------------------------------------------------------
        _code(
            "not-gto-file",
            "The file does not look like GTO annotations (another tool's artifacts.yaml): it is not checked.",
            "information",
            setting="gto.checks.foreignFiles",
        ),
        # --- .gto ---------------------------------------------------------------------------------------------
        _code("config-syntax", "`.gto` is not valid YAML.", "error", refuses=("gto",)),
        _code("config-not-mapping", "`.gto` is not a mapping.", "error", refuses=("gto",)),
        _code("config-unknown-key", "`.gto` has a key GTO does not know.", "error", refuses=("gto",)),
        _code("config-wrong-type", "A `.gto` value has the wrong type.", "error", refuses=("gto",)),
        _code("config-invalid-name", "A type or stage in `.gto` breaks GTO's name rule.", "error", refuses=("gto",)),
        _code(
            "config-index-outside",
            "`index` (in `.gto` or `GTO_INDEX`) names a file outside the repository: gto-lsp does not read it.",
            "error",
        ),
        # --- which dvc.yaml files DVC reads ------------------------------------------------------------------------
        _code("file-encoding", "The file is not UTF-8: DVC cannot read it.", dvc="error", refuses=("dvc",)),
        _code(
            "dvc-file-ignored",
            "DVC never reads this dvc.yaml (`.dvcignore`, `.dvc/`, or a stage's output folder): it is not checked.",
            dvc="information",
        ),
        # --- dvc.yaml's pipeline: each section as DVC's schema reads it (formats/dvc/pipeline/validate.py) -------
        _code(
            "dvc-unknown-key",
            "A key DVC's schema does not allow there (a top-level section, a stage's key, an output's option...).",
            dvc="error",
            refuses=("dvc",),
        ),
        _code(
            "dvc-missing-key",
            "A key DVC requires is missing (`cmd`, `foreach`/`do`, a plot's name).",
            dvc="error",
            refuses=("dvc",),
        ),
        _code("dvc-wrong-type", "A pipeline value has a type DVC's schema refuses.", dvc="error", refuses=("dvc",)),
        _code(
            "dvc-invalid-value",
            "A value of the right type DVC still fails on when it builds the stages (an empty `matrix`, a date "
            "among variables).",
            dvc="error",
            refuses=("dvc",),
        ),
        _code(
            "dvc-invalid-stage-name",
            "A stage name DVC cannot load: empty, not a string, or with `@` outside a foreach/matrix stage.",
            dvc="error",
            refuses=("dvc",),
        ),
        _code(
            "dvc-stage-name",
            "A stage name `dvc stage add` refuses (punctuation but `_` and `-`): DVC loads it.",
            dvc="warning",
        ),
        # --- dvc.yaml's pipeline: across stages and files (formats/dvc/pipeline/graph.py) ------------------------
        _code("dvc-output-duplicated", "Two stages write the same output.", dvc="error", refuses=("dvc",)),
        _code("dvc-output-overlap", "An output is inside another output's folder.", dvc="error", refuses=("dvc",)),
        _code("dvc-cycle", "Stages depend on one another in a cycle.", dvc="error", refuses=("dvc",)),
        _code(
            "dvc-dependency-missing",
            "A dependency is not in the working tree, not tracked by DVC and no stage's output.",
            dvc="warning",
        ),
        # `${}`, vars and params (formats/dvc/pipeline/scope.py, variables.py)
        _code("dvc-variable-undefined", "`${name}` names no variable there.", dvc="error", refuses=("dvc",)),
        _code("dvc-variable-syntax", "DVC cannot parse the expression inside `${...}`.", dvc="error", refuses=("dvc",)),
        _code(
            "dvc-variable-type",
            "A dict or list is interpolated where DVC takes only a scalar.",
            dvc="error",
            refuses=("dvc",),
        ),
        _code("dvc-vars-file-missing", "A file of `vars:` does not exist.", dvc="error", refuses=("dvc",)),
        _code(
            "dvc-vars-file-invalid",
            "A params or vars file DVC reads cannot be used: not a mapping, a folder, or not parsable.",
            dvc="error",
            refuses=("dvc",),
        ),
        _code(
            "dvc-vars-key-missing", "`file:key` selects a key the file does not have.", dvc="error", refuses=("dvc",)
        ),
        _code(
            "dvc-vars-conflict",
            "A variable is defined twice (params.yaml, `vars:`, stage `vars:`, `item`/`key`).",
            dvc="error",
            refuses=("dvc",),
        ),
        _code(
            "dvc-vars-interpolated", "`${}` inside `vars:`: DVC does not interpolate it.", dvc="error", refuses=("dvc",)
        ),
        _code(
            "dvc-foreach-type",
            "`foreach:` or a `matrix:` value is not a list or a dict when resolved.",
            dvc="error",
            refuses=("dvc",),
        ),
        _code("dvc-param-missing", "A stage's `params:` key is not in its params file.", dvc="warning"),
        _code("dvc-params-file-missing", "A stage's params file does not exist (or cannot be read).", dvc="warning"),
        # --- the registry's git tags (`check --registry`, core/registry/integrity.py) ------------------------------
        _code(
            "tag-unreadable",
            "A tag makes GTO fail on every command (`NAME@created`, or a tag object whose name GTO cannot parse).",
            registry="error",
        ),
        _code("tag-unparsable", "A tag looks like GTO's for a known artifact, but GTO ignores it.", registry="warning"),
        _code("tag-lightweight", "A GTO tag that is lightweight: GTO reads only annotated tags.", registry="warning"),
        _code(
            "version-registered-twice",
            "Two registration tags of one version: `gto show NAME` fails.",
            registry="error",
        ),
        _code(
            "versions-share-commit",
            "Several versions on one commit that has a stage tag: GTO fails on every command.",
            registry="error",
        ),
        _code(
            "version-undeclared",
            "A version's commit does not declare the artifact (artifacts.yaml or the dvc.yaml naming it).",
            registry="warning",
        ),
        _code(
            "stage-on-deprecated",
            "A stage is still assigned to a deregistered version or a deprecated artifact.",
            registry="warning",
        ),
        _code(
            "version-order",
            "A higher version is on a commit that is an ancestor of a lower version's commit.",
            registry="warning",
        ),
        _code(
            "artifact-undeclared", "An artifact with GTO tags that no file declares at HEAD.", registry="information"
        ),
        # --- limits (Limits and safety in the README) --------------------------------------------------------
        _code("alias-expansion", "Aliases expand to more than 10,000 values (an alias bomb).", "error", "error"),
        _code("too-many-problems", "More than 1,000 problems: the rest are not listed.", "information", "information"),
        _code(
            "file-too-large",
            "The file is larger than gto-lsp checks (3 MB, 100,000 lines or 25,000 top-level keys).",
            "error",
            "error",
        ),
    )
}


def severity(code: str, fmt: Format = "gto") -> str:
    return CODES[code].severity[fmt]


def refuses(code: str, fmt: Format = "gto") -> bool:
    """Whether a problem with this code makes the format's reader refuse the whole file."""
    known = CODES.get(code)
    return known is not None and fmt in known.refuses


def reader_refusals(fmt: Format = "gto") -> frozenset[str]:
    """The codes whose problems make the format's reader refuse the file."""
    return frozenset(c.id for c in CODES.values() if fmt in c.refuses)


def codes_of(fmt: Format) -> list[Code]:
    return [c for c in CODES.values() if fmt in c.severity]


def problem(
    code: str,
    message: str,
    span: Span,
    data: Optional[dict[str, Any]] = None,
    related: tuple[Related, ...] = (),
    file: Optional[str] = None,
    fmt: Format = "gto",
) -> Problem:
    """A problem with the registry's severity for the code (for codes whose severity no setting changes)."""
    return Problem(code, severity(code, fmt), message, span, data=data, related=related, file=file)
