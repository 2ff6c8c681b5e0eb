"""DVC's `dvc.yaml` as a home of artifact annotations: its `artifacts:` section, parsed with positions,
checked as DVC checks it, and edited without touching any other byte."""
