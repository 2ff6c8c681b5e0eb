"""The language server: thin LSP adapters over gto_lsp.core (see server.py for the wiring)."""
