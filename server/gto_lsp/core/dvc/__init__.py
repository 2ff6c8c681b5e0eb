"""DVC's `dvc.yaml` as a home of artifact annotations: its `artifacts:` section, parsed with positions,
checked as DVC checks it, and edited without touching any other byte."""

from .document import DvcDocument, Entry, parse_dvc
from .rules import check_dvc, resolve_path, stage_outputs

__all__ = ["DvcDocument", "Entry", "check_dvc", "parse_dvc", "resolve_path", "stage_outputs"]
