"""Replay a registry script in a fresh repository: git steps at fixed dates, and registry commands run by a
`command(args) -> (exit code, stdout, stderr)` callable (real GTO or gto-lsp). Standalone (standard library only):
the differential tests import it, and run it as the script of a GTO venv's python:

    python registry_script.py JOBS.json OUT.json     # JOBS: [{"repo", "steps", "reads": [repo, ...]}]

There every job runs in a forked child (GTO is imported once, before forking), GTO's commands through click's
CliRunner in-process, and a command that writes waits for the next second first, so that no two commands'
tags share a tagger second (GTO's own same-second ties would make its state depend on timing). Each job also
runs `gto show -d --json` (and `gto show NAME -d --json` per artifact) on every repository of its "reads".

Steps:
  {"op": "commit", "label": "c1", "date": 1700000000, "files": {"m.txt": "1\\n"}, "message": "c1"}
  {"op": "write", "files": {".gto": "stages: [dev, prod]\\n"}}      # work tree only
  {"op": "tag", "name": "rf@v1.0.0", "target": "c1", "message": "...", "date": 1700000100}   # git tag -a
  {"op": "ltag", "name": "rf@v9.9.9", "target": "c1"}                # lightweight; target may name a tag
  {"op": "branch", "name": "other"} / {"op": "checkout", "name": "main"}
  {"op": "remote"}                                                   # REPO.remote.git as origin
  {"op": "cmd", "args": ["register", "rf", "{c1}"]}                  # {label} -> that commit's sha
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any, Callable, Optional

Command = Callable[[list[str]], tuple[int, str, str]]

IDENTITY = {
    "GIT_AUTHOR_NAME": "Reg Test",
    "GIT_AUTHOR_EMAIL": "reg@example.com",
    "GIT_COMMITTER_NAME": "Reg Test",
    "GIT_COMMITTER_EMAIL": "reg@example.com",
}
WRITES = ("register", "assign", "deprecate")


def git(repo: str, *args: str, date: Optional[int] = None) -> str:
    env = dict(os.environ, **IDENTITY)
    env.pop("GIT_COMMITTER_DATE", None)
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date} +0000"
    res = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {res.stderr}")
    return res.stdout.strip()


def tags(repo: str) -> list[list[str]]:
    """[name, type, commit, message (stripped)] of every tag."""
    fmt = "%(refname:strip=2)%00%(objecttype)%00%(*objectname)%00%(contents)%01"
    out = git(repo, "for-each-ref", f"--format={fmt}", "refs/tags")
    rows = []
    for rec in out.split("\x01"):
        rec = rec.strip("\n")
        if rec:
            name, kind, commit, message = rec.split("\0")
            rows.append([name, kind, commit, message.strip()])
    return rows


def run_script(repo: str, steps: list[dict[str, Any]], command: Command, tick: bool = False) -> dict[str, Any]:
    os.makedirs(repo, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    labels: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    last_write = 0
    for step in steps:
        op = step["op"]
        if op in ("commit", "write"):
            for path, text in step.get("files", {}).items():
                full = os.path.join(repo, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                if text is None:
                    os.remove(full)
                else:
                    with open(full, "w", encoding="utf-8") as f:
                        f.write(text)
            if op == "commit":
                git(repo, "add", "-A")
                git(repo, "commit", "-q", "--allow-empty", "-m", step.get("message", "commit"), date=step["date"])
                labels[step.get("label", f"c{len(labels) + 1}")] = git(repo, "rev-parse", "HEAD")
        elif op == "tag":
            target = labels.get(step["target"], step["target"])
            git(repo, "tag", "-a", step["name"], "-m", step["message"], target, date=step["date"])
        elif op == "ltag":
            git(repo, "tag", step["name"], labels.get(step["target"], step["target"]))
        elif op == "branch":
            git(repo, "checkout", "-q", "-b", step["name"])
        elif op == "checkout":
            git(repo, "checkout", "-q", step["name"])
        elif op == "remote":  # a bare repository next to this one, as `origin`
            bare = repo + ".remote.git"
            git(repo, "init", "-q", "--bare", bare)
            git(repo, "remote", "add", step.get("name", "origin"), bare)
        elif op == "cmd":
            args = [a.format(**labels) for a in step["args"]]
            if tick and args[0] in WRITES:
                while int(time.time()) <= last_write:
                    time.sleep(0.05)
            cwd = os.getcwd()
            os.chdir(repo)
            try:
                code, out, err = command(args)
            finally:
                os.chdir(cwd)
            if args[0] in WRITES and code == 0:  # a refused command made no tag: no need to wait after it
                last_write = int(time.time())
            results.append({"args": args, "code": code, "out": out, "err": err})
        else:
            raise ValueError(f"unknown step {op!r}")
    remote = repo + ".remote.git"
    remote_tags = tags(remote) if os.path.isdir(remote) else None
    return {"results": results, "tags": tags(repo), "labels": labels, "remote_tags": remote_tags}


# --- in a GTO venv ------------------------------------------------------------------------------------------


def _gto_command() -> Command:
    import gto.cli
    from click.testing import CliRunner

    def command(args: list[str]) -> tuple[int, str, str]:
        res = CliRunner().invoke(gto.cli.app, args, catch_exceptions=True)
        err = res.stderr
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            err += f"\nCRASH {type(res.exception).__name__}: {res.exception}"
        return res.exit_code, res.stdout, err

    return command


def _shows(command: Command, repo: str) -> dict[str, Any]:
    code, out, err = command(["show", "-d", "--json", "-r", repo])
    show: dict[str, Any] = {"code": code, "json": json.loads(out) if code == 0 else None, "err": err}
    versions: dict[str, Any] = {}
    for name in show["json"] or {}:
        code, out, err = command(["show", name, "-d", "--json", "-r", repo])
        versions[name] = json.loads(out) if code == 0 else {"code": code, "err": err}
    show["versions"] = versions
    return show


def _job(job: dict[str, Any], command: Command) -> dict[str, Any]:
    out = run_script(job["repo"], job["steps"], command, tick=True) if job.get("steps") is not None else {}
    out["reads"] = {repo: _shows(command, repo) for repo in job.get("reads", [])}
    return out


def main(jobs_path: str, out_path: str, parallel: int = 12) -> None:
    command = _gto_command()
    with open(jobs_path, encoding="utf-8") as f:
        jobs = json.load(f)
    pending = list(enumerate(jobs))
    running: dict[int, int] = {}
    while pending or running:
        while pending and len(running) < parallel:
            index, job = pending.pop(0)
            pid = os.fork()
            if pid == 0:
                try:
                    result: Any = _job(job, command)
                except BaseException as exc:  # reported, not raised: the parent must collect every job
                    result = {"crash": f"{type(exc).__name__}: {exc}"}
                with open(f"{out_path}.{index}", "w", encoding="utf-8") as f:
                    json.dump(result, f)
                os._exit(0)
            running[pid] = index
        pid, _ = os.wait()
        running.pop(pid, None)
    results = []
    for index in range(len(jobs)):
        try:
            with open(f"{out_path}.{index}", encoding="utf-8") as f:
                results.append(json.load(f))
        except OSError:
            results.append({"crash": "no result"})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
