"""What a command answers when it cannot act: a UserError's sentence, and the one git gate."""

from __future__ import annotations

from typing import Any, Optional

from gto_lsp.lsp.session.server import GtoLanguageServer
from gto_lsp.lsp.settings import Settings


class UserError(Exception):
    """A mistake in the request or a state the user must change; becomes {ok: false, message}."""


def fail(message: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "message": message, **extra}


def git_refusal(ls: GtoLanguageServer, settings: Optional[Settings], doing: str) -> Optional[str]:
    """Why gto-lsp runs no git to do `doing` (an untrusted workspace, `gto.git.enabled: false`), or None; without
    `settings` (not read yet), only trust is asked."""
    if not ls.state.trusted:
        return f"The workspace is not trusted: gto-lsp runs no git here, so it cannot {doing}."
    if settings is not None and not settings.git_enabled:
        return f"Git is turned off (`gto.git.enabled`), so gto-lsp cannot {doing}."
    return None
