"""The rules of artifacts.yaml: one entry alone (entry.py) and across entries (cross.py)."""
