"""gto-lsp: editor support and a command line for GTO's artifacts.yaml."""

__version__ = "0.1.0"
