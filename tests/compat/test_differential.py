"""Differential tests: gto-lsp's core against the real GTO on many inputs.

1. Reader verdict: GTO 1.10.1's reader vs `read_checked(parse(text), allow_empty=False)` and `check()`, plus what
   each side reads (our `describe` vs GTO's state) and GTO's validation after an add (`invalid-label/-type`).
2. annotate/remove on files GTO wrote: sequences of calls through GTO 1.10.1's core and ours, byte for byte, with
   GTO's error messages; every step starts from the file GTO wrote at the previous step.
3. annotate/remove on hand-written files: GTO reads our result as the same state GTO's own annotate gives, and
   every byte outside the annotated entry stays.
4. describe: gto 0.2.8's `gto describe NAME` JSON vs ours.

Every GTO call of a group runs in one subprocess (tests/compat/batch.py). A failure prints a minimal repro:
the input file, the request, our result and GTO's.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, TypeVar, cast

import pytest

from compat import batch, known_differences
from compat import cases as C
from compat import gto_runner as gr
from gto_lsp.core.codes import reader_refusals
from gto_lsp.core.config import parse_config
from gto_lsp.core.edits import AnnotateRequest, GTOError
from gto_lsp.core.formats.gto.check import check, read_checked
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.formats.gto.edit import annotate, describe, needs_rewrite, remove
from gto_lsp.core.messages import WRONG_ARTIFACTS_YAML
from gto_lsp.core.repo.reader import RepoFacts

pytestmark = pytest.mark.compat

READ_CASES = C.read_cases()
SEQ_CASES = C.seq_cases()
HAND_CASES = [(f, i) for f in C.HAND_FILES for i in range(len(C.HAND_OPS))]
DESCRIBE_CASES = [(f, n) for f in C.DESCRIBE_FILES for n in C.DESCRIBE_NAMES]

# Problem codes that claim "GTO's reader refuses this file" (the `.gto` codes never come from check()).
READER_CODES = {code for code in reader_refusals("gto") if not code.startswith("config-")}
PROBE = "probe-x"
DEFAULTS: dict[str, Any] = {
    "type": None,
    "path": None,
    "virtual": True,
    "labels": [],
    "description": "",
    "custom": None,
}
MODEL_ORDER = ("type", "path", "virtual", "labels", "description", "custom")
NAME_028 = re.compile(r"^[a-z][a-z0-9-/]*[a-z0-9]$")


T = TypeVar("T")
DEADLINE = 5.0  # seconds one call of our core may take before the test calls it a hang
_HUNG: dict[tuple[str, str], str] = {}  # (function, text) that hung once: fail fast the next time


class Hang(BaseException):
    """Our core did not return in time (a BaseException, so the core's `except Exception` cannot swallow it)."""


@contextlib.contextmanager
def _deadline(seconds: float = DEADLINE) -> Iterator[None]:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"did not return within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _call(fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """fn(*args) of our core; a hang fails the test with the call in the message instead of blocking the run."""
    key = (fn.__name__, args[0] if args and isinstance(args[0], str) else "")
    if key in _HUNG and key[1]:
        raise AssertionError(_HUNG[key])
    try:
        with _deadline():
            return fn(*args, **kw)
    except Hang as hang:
        shown = ", ".join(_show(a) if isinstance(a, str) else repr(a) for a in args)
        _HUNG[key] = f"HANG: our {fn.__name__}({shown}) {hang}"
        raise AssertionError(_HUNG[key]) from None


def _need(*which: gr.Which) -> None:
    for w in which:
        if gr.venv_python(w) is None:
            pytest.skip(gr.missing_venv_message(w))


def _show(text: Optional[str]) -> str:
    if text is None:
        return "<no file>"
    return repr(text) if len(text) < 3000 else repr(text[:3000]) + f"... ({len(text)} chars)"


# --- repositories ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    _need("gto110")
    base = tmp_path_factory.mktemp("diff")
    out = {}
    for rid, (gto_text, _env) in C.REPOS.items():
        repo = gr.init_git_repo(base / rid)
        if rid != "nocommit":
            for rel in C.COMMITTED:
                (repo / rel).parent.mkdir(parents=True, exist_ok=True)
                (repo / rel).write_text(rel + "\n", encoding="utf-8")
            gr.git(repo, "add", *C.COMMITTED)
            gr.git(repo, "commit", "-q", "-m", "files")
            (repo / "gone.pkl").unlink()
            for rel in C.STAGED:
                (repo / rel).write_text("staged\n", encoding="utf-8")
                gr.git(repo, "add", rel)
        for rel in C.UNTRACKED:
            (repo / rel).write_text("untracked\n", encoding="utf-8")
        if gto_text is not None:
            (repo / ".gto").write_text(gto_text, encoding="utf-8")
        out[rid] = repo
    return out


def _config(rid: str) -> Any:
    gto_text, env = C.REPOS[rid]
    return parse_config(gto_text, env=env)


def _env(rid: str) -> dict[str, str]:
    return dict(C.REPOS[rid][1])


def _ours(text: Optional[str], op: C.Op, rid: str = "plain", root: Optional[Path] = None) -> tuple[Optional[str], Any]:
    """(new text, None) or (None, error message) of our annotate/remove."""
    try:
        if op.kind == "remove":
            return _call(remove, text, op.name).text, None
        request = AnnotateRequest(
            name=op.name,
            type=op.type,
            path=op.path,
            must_exist=op.must_exist,
            allow_same_path=op.allow_same_path,
            labels=op.labels,
            description=op.description,
            custom=op.custom,
        )
        in_head = RepoFacts(root).in_head if root is not None else None
        return _call(annotate, text, request, _config(rid), in_head).text, None
    except GTOError as error:
        return None, error.message
    except AssertionError as hang:  # _call's hang report
        return None, str(hang)


# --- 1. reader verdict ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reads(repos: dict[str, Path]) -> dict[str, gr.ReadResult]:
    results = batch.read_many(repos["plain"], [c.text for c in READ_CASES])
    return {c.id: r for c, r in zip(READ_CASES, results)}


def _our_verdict(text: str) -> Optional[str]:
    try:
        _call(read_checked, _call(parse, text), allow_empty=False)
    except GTOError as error:
        return error.message + (f" [{error.detail}]" if error.detail else "")
    return None


def _problems(text: str) -> list[tuple[str, str, str]]:
    return [(p.code, p.severity, p.message) for p in _call(check, _call(parse, text))]


@pytest.mark.parametrize("case", READ_CASES, ids=[c.id for c in READ_CASES])
def test_reader_verdict(case: C.ReadCase, reads: dict[str, gr.ReadResult]) -> None:
    gto = reads[case.id]
    ours = _our_verdict(case.text)
    if _stricter(case.id, gto, ours):
        return
    repro = (
        f"\ninput: {_show(case.text)}"
        f"\nGTO 1.10.1 reader: {'reads it' if gto.ok else gto.error}"
        f"\nours (read_checked): {'reads it' if ours is None else ours}"
        f"\ncheck(): {_problems(case.text)}"
    )
    assert (ours is None) == gto.ok, "reader verdict differs" + repro
    if not gto.ok:
        assert ours is not None
        # Where GTO's reader crashes instead of raising its own error ("Unexpected error: ..." from a constructor),
        # GTO's file-level message is the right one for us.
        expected = WRONG_ARTIFACTS_YAML if cast(str, gto.error).startswith("Unexpected error:") else gto.error
        ours = ours.split(" [")[0]
        assert ours == known_differences.expected(expected, ours), "error message differs" + repro


@pytest.mark.parametrize("case", READ_CASES, ids=[c.id for c in READ_CASES])
def test_check_matches_reader(case: C.ReadCase, reads: dict[str, gr.ReadResult]) -> None:
    gto = reads[case.id]
    problems = _problems(case.text)
    if _stricter(case.id, gto, _our_verdict(case.text)):
        return
    repro = (
        f"\ninput: {_show(case.text)}\nGTO 1.10.1 reader: {'reads it' if gto.ok else gto.error}\ncheck(): {problems}"
    )
    if not gto.ok:
        assert any(sev == "error" for _, sev, _ in problems), "GTO refuses the file but check() has no error" + repro
    else:
        claims = [p for p in problems if p[0] in READER_CODES]
        assert not claims, "check() says GTO cannot read a file GTO reads" + repro


def _non_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields[k] for k in MODEL_ORDER if k in fields and fields[k] != DEFAULTS[k]}


@pytest.mark.parametrize("case", READ_CASES, ids=[c.id for c in READ_CASES])
def test_reader_state(case: C.ReadCase, reads: dict[str, gr.ReadResult]) -> None:
    """What GTO reads is what we describe (only files both read)."""
    gto = reads[case.id]
    if not gto.ok or _our_verdict(case.text) is not None:
        pytest.skip("not read by both (test_reader_verdict covers it)")
    assert gto.state is not None
    doc = _call(parse, case.text)
    ours_names = sorted(str(a.name) for a in doc.artifacts)
    repro = f"\ninput: {_show(case.text)}"
    assert ours_names == sorted(gto.state), f"artifact names differ: ours {ours_names}, GTO {sorted(gto.state)}" + repro
    for name, fields in gto.state.items():
        expected = _non_defaults(fields)
        ours = _call(describe, case.text, name)
        got = batch.jsonable(ours)
        if "!!set" in case.text and got and "labels" in got:
            # GTO lists a set in Python's set order, which changes from run to run: compare the members.
            got["labels"], expected["labels"] = sorted(got["labels"]), sorted(expected["labels"])
        assert got == expected and list(got or {}) == list(expected), (
            f"describe({name!r}) differs\nours: {got}\nGTO:  {expected}" + repro
        )


# --- 1b/3. an annotate of a new name on every reader case -------------------------------------------------------


@pytest.fixture(scope="module")
def probes(repos: dict[str, Path]) -> dict[str, dict[str, Any]]:
    repo = repos["plain"]
    op = C.add(PROBE)
    jobs = [{"repo": str(repo), "text": c.text, "steps": [op.step()]} for c in READ_CASES]
    gto = batch.run_batch("gto110", jobs)
    ours = {c.id: _ours(c.text, op) for c in READ_CASES}
    ok_ids = [cid for cid, (text, _) in ours.items() if text is not None]
    read_back = batch.read_many(repo, [ours[cid][0] for cid in ok_ids])
    ours_read = dict(zip(ok_ids, read_back))
    return {c.id: {"gto": g[0], "ours": ours[c.id], "ours_read": ours_read.get(c.id)} for c, g in zip(READ_CASES, gto)}


@pytest.mark.parametrize("case", READ_CASES, ids=[c.id for c in READ_CASES])
def test_probe_annotate(case: C.ReadCase, probes: dict[str, dict[str, Any]]) -> None:
    """`gto annotate probe-x` on every reader case: same error, or a file GTO reads as GTO's own result; the
    original bytes stay around the new entry."""
    p = probes[case.id]
    gto, (our_text, our_error) = p["gto"], p["ours"]
    doc = _call(parse, case.text)
    repro = (
        f"\ninput: {_show(case.text)}\nrequest: gto annotate {PROBE}"
        f"\nours: {our_error if our_text is None else _show(our_text)}"
        f"\nGTO:  {gto['error'] if not gto['ok'] else _show(gto['text'])}"
        f"\ncheck(): {_problems(case.text)}"
    )
    if _stricter(case.id, gto, our_error):
        return
    expected_error = _expected_error(doc, gto, our_error)
    assert our_error == expected_error, "annotate outcome differs" + repro
    if our_text is None:
        return
    if needs_rewrite(doc) and gto["ok"]:
        _assert_rewritten_like_gto(our_text, gto["text"], repro)
        return
    ours_read = p["ours_read"]
    assert ours_read is not None and ours_read.ok, f"GTO cannot read our result: {ours_read}" + repro
    expected = gto["state"] if gto["ok"] else {PROBE: DEFAULTS}
    got = ours_read.state
    if "!!set" in case.text:
        # GTO lists a set in Python's set order, which changes from run to run: compare the members.
        got, expected = _labels_sorted(got), _labels_sorted(expected)
    assert got == expected, f"GTO reads our result as {ours_read.state}; its annotate made {expected}" + repro
    if doc.kind == "mapping" and not doc.flow:
        _assert_inserted(case.text, our_text, repro)


@pytest.mark.parametrize("case", READ_CASES, ids=[c.id for c in READ_CASES])
def test_invalid_values_match_gto_add(
    case: C.ReadCase, reads: dict[str, gr.ReadResult], probes: dict[str, dict[str, Any]]
) -> None:
    """GTO's reader takes bad labels and types; its add then refuses them (for any artifact). check() reports
    `invalid-label`/`invalid-type` exactly when that add fails with GTO's "Invalid value" message."""
    if not reads[case.id].ok:
        pytest.skip("GTO cannot read the file (test_reader_verdict covers it)")
    gto = probes[case.id]["gto"]
    codes = {code for code, _, _ in _problems(case.text)}
    flagged = bool(codes & {"invalid-label", "invalid-type"})
    refused = not gto["ok"] and gto["error"].startswith("Invalid value")
    assert flagged == refused, (
        f"\ninput: {_show(case.text)}\nGTO annotate {PROBE}: {gto['error'] or 'ok'}\ncheck(): {_problems(case.text)}"
    )


def _expected_error(doc: Any, gto: dict[str, Any], ours: Optional[str]) -> Optional[str]:
    """GTO's error for a call on a file; but an empty / comments-only file is deliberately an empty state for us,
    where GTO's reader refuses it, where GTO's reader crashes we give its file-level message, and where GTO's text
    is itself the problem ours is clearer (known_differences.py)."""
    if gto["ok"] or (doc.kind == "empty" and gto["error"] == WRONG_ARTIFACTS_YAML):
        return None
    if gto["error"].startswith("Unexpected error:"):
        return WRONG_ARTIFACTS_YAML  # GTO's reader crashed on the file (see test_reader_verdict)
    return known_differences.expected(str(gto["error"]), ours)


# --- preservation helpers -------------------------------------------------------------------------------------------


# Inputs GTO 1.10.1 reads that we refuse, on purpose: exotic YAML whose meaning for GTO is an accident of its
# reader (merge keys at the top level, !!omap/!!set entries), and a collection that contains itself through an
# alias (an infinite value: DVC's reader crashes on it, and expanding it is how alias bombs hang a server). We flag
# them as errors; the test checks that this stays true on both sides, so a change of either is noticed.
STRICTER_THAN_GTO = {
    "merge-top",
    "merge-top-alias",
    "key-merge-key-top",
    "entry-omap",
    "alias-recursive",
}


def _stricter(case_id: str, gto: Any, ours: Optional[str]) -> bool:
    """A listed input: GTO reads it and we refuse it (asserted, so the list cannot go stale silently)."""
    if case_id not in STRICTER_THAN_GTO:
        return False
    assert gto.ok if hasattr(gto, "ok") else gto["ok"], f"{case_id}: GTO no longer reads it: drop it from the list"
    assert ours is not None, f"{case_id}: we read it now: drop it from the list"
    return True


_YAML_HEADER = re.compile(r"\A(%[^\n]*\n)+---\n")


def _assert_rewritten_like_gto(ours: str, gto_text: str, repro: str) -> None:
    """A file written whole (aliases, markers, explicit keys, indented or flow top level): exactly GTO's bytes
    (GTO also repeats a `%YAML` directive it read; we write none)."""
    # We keep a byte order mark the file had; GTO drops it.
    assert ours.removeprefix("\ufeff") == _YAML_HEADER.sub("", gto_text), (
        "a file written whole differs from GTO's" + repro
    )


def _entry_texts(text: str) -> dict[str, str]:
    doc = parse(text)
    out = {}
    for artifact in doc.artifacts:
        start, end = _entry_bounds(text, artifact.first_line)
        out[str(artifact.name)] = text[start:end]
    return out


def _kept_other_entries(before: str, ours: str, gto_text: str, name: Optional[str]) -> bool:
    """The one deliberate difference on GTO-written files: GTO re-renders every entry on each write (ruamel 0.17's
    folding from gto 0.2.8, or a NEL it reads back as a space), we leave the entries we did not touch as they are.
    True when that is the only difference: the target entry is GTO's, every other entry is its original bytes."""
    if parse(before).top is not None:
        return False
    mine, theirs, original = _entry_texts(ours), _entry_texts(gto_text), _entry_texts(before)
    if sorted(mine) != sorted(theirs):
        return False
    for key in mine:
        if key == name or key not in original:
            if mine[key] != theirs[key]:
                return False
        elif mine[key] != original[key]:
            return False
    return True


def _labels_sorted(state: Any) -> Any:
    return {name: {**fields, "labels": sorted(fields.get("labels") or [])} for name, fields in (state or {}).items()}


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def _assert_inserted(original: str, ours: str, repro: str) -> None:
    """`ours` is `original` with text inserted at one line boundary (or appended)."""
    bom = [1] if original.startswith("\ufeff") else []  # a new first entry goes after the byte order mark
    for k in [*bom, *_line_starts(original), len(original)]:
        if ours.startswith(original[:k]) and ours.endswith(original[k:]) and len(ours) >= len(original):
            break
    else:
        raise AssertionError("the original file is not kept around the new entry" + repro)
    _assert_style_kept(original, ours, repro)


def _assert_style_kept(original: str, ours: str, repro: str) -> None:
    assert ours.startswith("\ufeff") == original.startswith("\ufeff"), "BOM not kept" + repro
    if "\r\n" in original and "\n" not in original.replace("\r\n", ""):
        assert "\n" not in ours.replace("\r\n", ""), "CRLF file got LF line endings" + repro


def _entry_bounds(text: str, first_line: int) -> tuple[int, int]:
    """Offsets of an entry's lines: its key line through its last content line (not trailing comments/blanks),
    found from the text alone: the entry ends before the next line that starts at column 0 (other than the `:`
    of an explicit `? key`)."""
    starts = _line_starts(text)
    lines = [text[s:e] for s, e in zip(starts, [*starts[1:], len(text)])]
    end = first_line + 1
    while end < len(lines) and (
        lines[end][:1] in (" ", "\t", "#")
        or lines[end].strip() == ""
        or re.match(r":(\s|$)", lines[end]) is not None  # the value of an explicit `? key`
    ):
        end += 1
    last = end - 1
    while last > first_line and (lines[last].strip() == "" or lines[last].lstrip().startswith("#")):
        last -= 1
    stop = starts[last + 1] if last + 1 < len(starts) else len(text)
    return starts[first_line], stop


# --- 2. sequences on files GTO wrote --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sequences(repos: dict[str, Path]) -> dict[str, Any]:
    """GTO's result of every step, and GTO's reading of our result of the steps whose input is a hand-written
    start file (GTO has not written the file yet): those are compared by state, the others byte for byte."""
    jobs = [
        {"repo": str(repos[c.repo]), "text": c.start, "steps": [op.step() for op in c.ops], "env": _env(c.repo)}
        for c in SEQ_CASES
    ]
    gto = {c.id: r for c, r in zip(SEQ_CASES, batch.run_batch("gto110", jobs))}
    hand_keys, hand_texts = [], []
    for case in SEQ_CASES:
        if case.start is None:
            continue
        for i, (op, step) in enumerate(zip(case.ops, gto[case.id])):
            text, _ = _ours(case.start, op, case.repo, repos[case.repo])
            if text is not None:
                hand_keys.append((case.id, i))
                hand_texts.append(text)
            if step["ok"]:
                break  # from here on GTO wrote the input
    reads = dict(zip(hand_keys, batch.read_many(repos["plain"], hand_texts)))
    return {"gto": gto, "hand_reads": reads}


def _refused_lossy(op: Any, our_error: Optional[str], gto: dict[str, Any]) -> bool:
    """Deliberate (issue 12, item 12): GTO writes a NEL of a value where its own reader takes it back as a space;
    we refuse that write and say what the file would read."""
    values = [op.name, op.type, op.path, op.description, op.custom, *op.labels]
    odd = any(isinstance(v, str) and "\x85" in v for v in values)
    return bool(odd and gto["ok"] and our_error and "would read back with" in our_error)


@pytest.mark.parametrize("case", SEQ_CASES, ids=[c.id for c in SEQ_CASES])
def test_sequence_bytes(case: C.SeqCase, sequences: dict[str, Any], repos: dict[str, Path]) -> None:
    """Each call applied to the file GTO wrote at the previous step: byte-identical result or the same error.
    (While the input is still a hand-written start file, GTO must read our result as the state its call made.)"""
    before = case.start
    written = case.start is None
    mismatches = []
    for i, (op, gto) in enumerate(zip(case.ops, sequences["gto"][case.id])):
        assert "batch crash" not in (gto.get("error") or ""), gto["error"]
        our_text, our_error = _ours(before, op, case.repo, repos[case.repo])
        gto_error = known_differences.expected(None if gto["ok"] else gto["error"], our_error)
        problem = None
        if our_error != gto_error:
            if not _refused_lossy(op, our_error, gto):
                problem = "outcome differs"
        elif our_error is None and written and our_text != gto["text"]:
            if not _kept_other_entries(before or "", our_text or "", gto["text"], op.name):
                problem = "bytes differ"
        elif our_error is None and not written:
            read = sequences["hand_reads"].get((case.id, i))
            if read is None or not read.ok or read.state != gto["state"]:
                problem = f"GTO reads our result as {read and (read.state or read.error)}, its call made {gto['state']}"
        if problem:
            mismatches.append(
                f"step {i + 1} [repo {case.repo}]: {problem}\n  input: {_show(before)}\n  request: {op.cli()}"
                f"\n  ours: {our_error if our_error is not None else _show(our_text)}"
                f"\n  GTO:  {gto_error if gto_error is not None else _show(gto['text'])}"
            )
        written = written or gto["ok"]
        before = gto["text"]
    assert not mismatches, f"{len(mismatches)} step(s) differ from GTO 1.10.1:\n" + "\n".join(mismatches)


# --- 3. hand-written files ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hand(repos: dict[str, Path]) -> dict[tuple[str, int], dict[str, Any]]:
    repo = repos["plain"]
    jobs = [{"repo": str(repo), "text": C.HAND_FILES[f], "steps": [C.HAND_OPS[i].step()]} for f, i in HAND_CASES]
    gto = batch.run_batch("gto110", jobs)
    ours = {(f, i): _ours(C.HAND_FILES[f], C.HAND_OPS[i], "plain", repo) for f, i in HAND_CASES}
    ok = [key for key, (text, _) in ours.items() if text is not None]
    read_back = dict(zip(ok, batch.read_many(repo, [ours[key][0] for key in ok])))
    return {key: {"gto": g[0], "ours": ours[key], "ours_read": read_back.get(key)} for key, g in zip(HAND_CASES, gto)}


@pytest.mark.parametrize("key", HAND_CASES, ids=[f"{f}-{C.HAND_OPS[i].cli()}" for f, i in HAND_CASES])
def test_hand_written(key: tuple[str, int], hand: dict[tuple[str, int], dict[str, Any]]) -> None:
    file_id, index = key
    original, op = C.HAND_FILES[file_id], C.HAND_OPS[index]
    p = hand[key]
    gto, (our_text, our_error) = p["gto"], p["ours"]
    doc = _call(parse, original)
    repro = (
        f"\ninput: {_show(original)}\nrequest: {op.cli()}"
        f"\nours: {our_error if our_text is None else _show(our_text)}"
        f"\nGTO:  {gto['error'] if not gto['ok'] else _show(gto['text'])}"
    )
    if doc.kind == "empty" and op.kind == "remove":
        # Deliberate: a comments-only file is an empty state for us (GTO's reader refuses it).
        assert our_error == f"Cannot find artifact '{op.name}'", repro
        return
    assert our_error == _expected_error(doc, gto, our_error), "annotate outcome differs" + repro
    if our_text is None:
        return
    expected = gto["state"] if gto["ok"] else {op.name: _fields_of(op)}
    ours_read = p["ours_read"]
    assert ours_read is not None and ours_read.ok, f"GTO cannot read our result: {ours_read}" + repro
    assert ours_read.state == expected, (
        f"GTO reads our result as\n  {ours_read.state}\nand its annotate made\n  {expected}" + repro
    )
    if needs_rewrite(doc):
        if gto["ok"]:
            _assert_rewritten_like_gto(our_text, gto["text"], repro)
        return
    target = doc.find(op.name)
    if target is None:
        _assert_inserted(original, our_text, repro)
        return
    start, end = _entry_bounds(original, target.first_line)
    assert our_text.startswith(original[:start]), "the text before the entry changed" + repro
    assert our_text.endswith(original[end:]), "the text after the entry changed" + repro
    _assert_style_kept(original, our_text, repro)


def _fields_of(op: C.Op) -> dict[str, Any]:
    return {
        "type": op.type,
        "path": op.path,
        "virtual": not op.must_exist,
        "labels": list(op.labels),
        "description": op.description,
        "custom": op.custom,
    }


# --- 2b. files gto 0.2.8's CLI wrote -------------------------------------------------------------------------------

GTO028_CASES = [(f, i) for f in C.GTO028_WRITES for i in range(len(C.GTO028_OPS))]


@pytest.fixture(scope="module")
def gto028_written(repos: dict[str, Path]) -> dict[str, Any]:
    _need("gto028")
    repo = repos["plain"]
    jobs = [
        {"repo": str(repo), "text": None, "steps": [{"op": "cli", "args": args} for args in seq]}
        for seq in C.GTO028_WRITES.values()
    ]
    files = {}
    for fid, steps in zip(C.GTO028_WRITES, batch.run_batch("gto028", jobs)):
        assert all(step["ok"] for step in steps), steps
        files[fid] = steps[-1]["text"]
    jobs = [{"repo": str(repo), "text": files[f], "steps": [C.GTO028_OPS[i].step()]} for f, i in GTO028_CASES]
    return {"files": files, "gto": dict(zip(GTO028_CASES, batch.run_batch("gto110", jobs)))}


@pytest.mark.parametrize("key", GTO028_CASES, ids=[f"{f}-{C.GTO028_OPS[i].cli()}" for f, i in GTO028_CASES])
def test_gto028_written_bytes(key: tuple[str, int], gto028_written: dict[str, Any], repos: dict[str, Path]) -> None:
    """A file the real `gto annotate` of 0.2.8 wrote, then one call: byte-identical to GTO 1.10.1's result."""
    file_id, index = key
    original, op = gto028_written["files"][file_id], C.GTO028_OPS[index]
    (gto,) = gto028_written["gto"][key]
    our_text, our_error = _ours(original, op, "plain", repos["plain"])
    gto_error = known_differences.expected(None if gto["ok"] else gto["error"], our_error)
    repro = (
        f"\ninput (written by gto 0.2.8): {_show(original)}\nrequest: {op.cli()}"
        f"\nours: {our_error if our_error is not None else _show(our_text)}"
        f"\nGTO 1.10.1: {gto_error if gto_error is not None else _show(gto['text'])}"
    )
    assert our_error == gto_error, "outcome differs" + repro
    if our_error is None and our_text != gto["text"]:
        assert _kept_other_entries(original, our_text or "", gto["text"], op.name), "bytes differ" + repro


# --- 4. describe against gto 0.2.8's CLI ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def describes(repos: dict[str, Path], sequences: dict[str, Any]) -> dict[str, dict[Any, Any]]:
    _need("gto028")
    files = dict(C.DESCRIBE_FILES)
    # Files GTO 1.10.1 wrote in the sequences, when gto 0.2.8 can read them too (its name rule is narrower).
    for case in SEQ_CASES:
        steps = sequences["gto"][case.id]
        written = [step["text"] for step in steps if step["ok"]]
        text = written[-1] if written else None
        if text and text != "{}\n" and len(files) < len(C.DESCRIBE_FILES) + 40:
            doc = _call(parse, text)
            if all(NAME_028.match(str(a.name)) for a in doc.artifacts):
                files[f"seq-{case.id}"] = text
    jobs, keys = [], []
    for fid, text in files.items():
        doc = _call(parse, text)
        names = list(dict.fromkeys([*(str(a.name) for a in doc.artifacts), *C.DESCRIBE_NAMES]))
        for name in names:
            keys.append((fid, name))
            jobs.append(
                {"repo": str(repos["plain"]), "text": text, "steps": [{"op": "cli", "args": ["describe", name]}]}
            )
    results = batch.run_batch("gto028", jobs)
    return {"files": files, "results": {k: r[0] for k, r in zip(keys, results)}}


def test_describe_matches_gto028(describes: dict[str, Any]) -> None:
    """`gto describe NAME` of gto 0.2.8 (JSON in model order, 4-space indent) vs our describe."""
    mismatches = []
    for (fid, name), res in describes["results"].items():
        text = describes["files"][fid]
        assert "Traceback" not in res["output"], res["output"]
        try:
            value = _call(describe, text, name)
            ours = "" if value is None else json.dumps(value, indent=4) + "\n"
            ours_code = 0
        except GTOError as error:
            ours, ours_code = error.message + "\n", 1
        if (ours_code, ours) != (res["exit_code"], res["output"]):
            mismatches.append(
                f"file {fid}: {_show(text)}\n  gto describe {name}\n  ours ({ours_code}): {ours!r}"
                f"\n  GTO 0.2.8 ({res['exit_code']}): {res['output']!r}"
            )
    assert len(describes["results"]) > 100
    assert not mismatches, f"{len(mismatches)} describe result(s) differ:\n" + "\n".join(mismatches)


# --- the batch helper itself ---------------------------------------------------------------------------------------


def test_batch_agrees_with_gto_runner(tmp_path: Path) -> None:
    """batch.py gives what gto_runner's one-call-per-subprocess helpers give."""
    _need("gto110", "gto028")
    repo = gr.init_git_repo(tmp_path / "r")
    # The directive must not leak into the next read (GTO's YAML object is reset per step, as per process).
    texts = [
        "rf: {}\n",
        "rf:\n",
        "a.b: {}\n",
        "rf: {custom: 2024-01-01}\n",
        "%YAML 1.1\n---\nrf: {}\n",
        "rf: {a: yes}\n",
    ]
    for text, res in zip(texts, batch.read_many(repo, texts)):
        (repo / "artifacts.yaml").write_text(text, encoding="utf-8")
        assert res == gr.read_with_gto110(repo), text
    ops = [C.add("rf", labels=["bb", "aa"], description="x"), C.add("nn", path="x"), C.rm("zz"), C.add("a.b")]
    steps = batch.run_batch("gto110", [{"repo": str(repo), "text": None, "steps": [op.step() for op in ops]}])[0]
    (repo / "artifacts.yaml").unlink()
    for op, step in zip(ops, steps):
        if op.kind == "remove":
            done = gr.remove_with_gto110_core(repo, op.name)
        else:
            done = gr.annotate_with_gto110_core(repo, **op.kw())
        text = (repo / "artifacts.yaml").read_text(encoding="utf-8")
        assert (done.exit_code == 0, step["text"]) == (step["ok"], text)
        assert done.exit_code == 0 or done.stderr.strip() == step["error"]
    (repo / "artifacts.yaml").write_text("rf: {type: model, labels: [b, a]}\n", encoding="utf-8")
    cli = batch.run_batch("gto028", [{"repo": str(repo), "steps": [{"op": "cli", "args": ["describe", "rf"]}]}])
    assert cli[0][0]["output"] == gr.describe_with_gto028(repo, ["rf"]).stdout
