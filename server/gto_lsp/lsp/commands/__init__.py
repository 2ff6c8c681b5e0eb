"""workspace/executeCommand: the contract the VS Code client (and any other) calls.

Every command takes one object argument and answers an object {ok, message, ...}. A user error gives
ok=false and a sentence that says what to do, never a JSON-RPC error. Git and the disk are used from worker
threads. Edits go through workspace/applyEdit as one versioned edit, so a document edited in the meantime is
refused by the client instead of overwritten.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from lsprotocol import types

from gto_lsp.lsp.commands import registry, registry_view
from gto_lsp.lsp.commands.annotate import annotate, remove
from gto_lsp.lsp.commands.commit import commit
from gto_lsp.lsp.commands.context import context, validate_name
from gto_lsp.lsp.commands.migrate import migrate
from gto_lsp.lsp.commands.refusals import UserError, fail
from gto_lsp.lsp.features.migrate_action import SERVER_COMMAND
from gto_lsp.lsp.session.server import GtoLanguageServer

Handler = Callable[[GtoLanguageServer, dict[str, Any]], Awaitable[dict[str, Any]]]


async def run(ls: GtoLanguageServer, name: str, handler: Handler, args: list[Any]) -> dict[str, Any]:
    if len(args) != 1 or not isinstance(args[0], dict):
        return fail(f'`{name}` takes one object argument, such as {{"repository": "/path/to/repo"}}.')
    try:
        return await handler(ls, args[0])
    except UserError as error:
        return fail(str(error))
    except OSError as error:  # the disk said no (a name too long, no permission): the user's to fix, not a bug
        ls.log(f"{name}: {error!r}", types.MessageType.Warning)
        where = f" ({error.filename})" if isinstance(error.filename, str) and len(error.filename) < 300 else ""
        return fail(f"`{name}` failed: {error.strerror or error}{where}.")
    except Exception as error:
        ls.log(f"internal error in {name}: {error!r}", types.MessageType.Error)
        return fail(f"Internal error in {name}: {error}. See the GTO server log.")


# Each handler by name; the server declares the names of `command_names.SERVER_COMMANDS` (the same, tested).
COMMANDS: dict[str, Handler] = {
    "gto.server.context": context,
    "gto.server.validateName": validate_name,
    "gto.server.annotate": annotate,
    "gto.server.remove": remove,
    "gto.server.commit": commit,
    "gto.server.registryState": registry.registry_state,
    "gto.server.register": registry.register,
    "gto.server.assign": registry.assign,
    "gto.server.deprecate": registry.deprecate,
    "gto.server.pushTags": registry.push_tags,
    SERVER_COMMAND: migrate,
    "gto.server.registry": registry_view.registry,
    "gto.server.artifactVersions": registry_view.artifact_versions,
    "gto.server.versionDetails": registry_view.version_details,
    "gto.server.history": registry_view.history,
    "gto.server.gitFile": registry_view.git_file,
}


def request_params(params: Any, depth: int = 0) -> Any:
    """A custom request's params as JSON values: pygls turns an unknown method's objects into namedtuples."""
    if depth > 32:  # deeper than any argument of the contract
        return None
    if hasattr(params, "_asdict"):
        params = params._asdict()
    if isinstance(params, dict):
        return {k: request_params(v, depth + 1) for k, v in params.items()}
    if isinstance(params, (list, tuple)):
        return [request_params(v, depth + 1) for v in params]
    return params
