"""The names the server declares at start for `workspace/executeCommand` and its custom requests, apart from the
handlers (`commands.COMMANDS`), so starting does not import them: the first call does.
`tests/lsp/test_startup.py` checks that these are the table's names."""

from __future__ import annotations

SERVER_COMMANDS = (
    "gto.server.context",
    "gto.server.validateName",
    "gto.server.annotate",
    "gto.server.remove",
    "gto.server.commit",
    "gto.server.registryState",
    "gto.server.register",
    "gto.server.assign",
    "gto.server.deprecate",
    "gto.server.pushTags",
    "gto.server.migrate",
    "gto.server.registry",
    "gto.server.artifactVersions",
    "gto.server.versionDetails",
    "gto.server.history",
    "gto.server.gitFile",
)

# LSP custom requests answered by the same handlers (params: the command's one object), for editors without
# VS Code's Registry view (Neovim, Emacs).
REQUESTS: dict[str, str] = {
    "gto/registry": "gto.server.registry",
    "gto/artifactVersions": "gto.server.artifactVersions",
    "gto/versionDetails": "gto.server.versionDetails",
    "gto/history": "gto.server.history",
    "gto/gitFile": "gto.server.gitFile",
}
