"""`gto.server.commit`: commit the annotations file (and push), with a progress report."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from lsprotocol import types

from gto_lsp.lsp.commands.args import arg_bool, arg_str
from gto_lsp.lsp.commands.refusals import UserError, fail, git_refusal
from gto_lsp.lsp.commands.target import resolve_target
from gto_lsp.lsp.session.paths import read_text
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.repo.commit import CommitResult


async def commit(ls: GtoLanguageServer, arg: dict[str, Any]) -> dict[str, Any]:
    from gto_lsp.core.repo.lock import LockBusy

    name = arg_str(arg, "name", required=True)
    assert name is not None
    action = arg.get("action")
    if action not in ("annotate", "remove"):
        raise UserError('`action` must be "annotate" or "remove".')
    push = arg_bool(arg, "push")
    target = resolve_target(ls, arg, need_repo=True)
    assert target.root is not None
    refusal = git_refusal(ls, None, "commit")
    if refusal is not None:
        raise UserError(refusal)
    settings = await ls.settings_for(target.root)
    refusal = git_refusal(ls, settings, "commit")
    if refusal is not None:
        raise UserError(refusal)
    from gto_lsp.core.repo.commit import annotate_message, remove_message
    from gto_lsp.core.repo.run import GitError

    relpath = target.relpath
    open_doc = ls.open_document(target.uri)
    disk = await asyncio.to_thread(read_text, target.index)
    if open_doc is not None and open_doc.source != disk:
        raise UserError(f"Save {relpath} first: the commit takes the file as saved on disk.")
    if action == "annotate":
        message = annotate_message(name, arg_str(arg, "type"), arg_str(arg, "path"))
    else:
        message = remove_message(name)
    token = await progress_begin(ls, f"Committing {relpath}" + (" and pushing" if push else ""))
    try:
        result = await asyncio.to_thread(_commit_locked, target.root, target.index, relpath, message, push)
    except (GitError, LockBusy) as error:
        progress_end(ls, token, "Not committed")
        return fail(error.message)
    except BaseException:
        progress_end(ls, token, "Failed")
        raise
    progress_end(ls, token, f"Committed {result.sha[:7]}")
    target.repo.current_head()
    from gto_lsp.lsp.features import diagnostics

    diagnostics.refresh(ls, target.root)
    answer: dict[str, Any] = {"ok": True, "sha": result.sha, "pushed": result.pushed, "files": list(result.files)}
    # Never "committed only artifacts.yaml" unless the commit read back from git holds only that file.
    holds = "" if not (result.others or result.left_out) else " " + result.holds()
    if holds:
        answer["otherFiles"] = list(result.others)
    if result.push_error:
        answer["message"] = result.push_error + holds
        answer["pushError"] = result.push_error
    else:
        pushed = " (pushed)" if result.pushed else ""
        answer["message"] = f"Committed {result.sha[:7]}: {result.message}{pushed}" + holds
    return answer


def _commit_locked(root: Path, path: Path, relpath: str, message: str, push: bool) -> CommitResult:
    """Commit the file holding its lock, so that a terminal's annotate does not write it meanwhile."""
    from gto_lsp.core.repo.commit import commit_file
    from gto_lsp.core.repo.lock import file_lock

    with file_lock(path):
        return commit_file(root, relpath, message, push)


async def progress_begin(ls: GtoLanguageServer, title: str) -> Optional[str]:
    if not ls.can("window.work_done_progress"):
        return None
    token = f"gto-commit-{uuid.uuid4()}"
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
        ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=False))
    except Exception as error:
        ls.log(f"no progress report: {error!r}", types.MessageType.Log)
        return None
    return token


def progress_end(ls: GtoLanguageServer, token: Optional[str], message: str) -> None:
    if token is None:
        return
    with contextlib.suppress(Exception):
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
