"""DVC's `dvc.yaml` as a home of artifact annotations: its `artifacts:` section, parsed with positions,
checked as DVC checks it, and edited without touching any other byte."""

from .document import DvcDocument, Entry, parse_dvc
from .edit import annotate as annotate_dvc
from .edit import describe as describe_dvc
from .edit import read_values, values_of
from .edit import remove as remove_dvc
from .rules import check_dvc, resolve_path, stage_outputs

__all__ = [
    "DvcDocument",
    "Entry",
    "annotate_dvc",
    "check_dvc",
    "describe_dvc",
    "parse_dvc",
    "read_values",
    "remove_dvc",
    "resolve_path",
    "stage_outputs",
    "values_of",
]
