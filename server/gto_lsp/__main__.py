"""`python -m gto_lsp`: the language server on stdio; with arguments, the `gto-lsp` command line."""

import sys

from gto_lsp.cli import main

sys.exit(main(sys.argv[1:] or ["serve"]))
