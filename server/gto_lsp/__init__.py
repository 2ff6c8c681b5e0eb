"""gto-lsp: editor support and a command line for GTO's artifacts.yaml."""

__version__ = "0.1.0"  # the one copy: pyproject.toml reads it; tests/test_version.py holds package.json to it
