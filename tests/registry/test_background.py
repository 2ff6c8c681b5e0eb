"""Background work gives way to requests (lsp/session/background.py): the warm-up's `complete()` pauses between
artifacts while a request is in flight, every pause is bounded, and nothing it does changes a registry's states."""

from __future__ import annotations

import contextvars
import threading

from gto_lsp.core.registry.cache import LazyRegistry, group_lines
from gto_lsp.core.registry.replay import registry_artifacts
from gto_lsp.lsp.session.background import Foreground, Pauses, serving

C1, C2 = "1" * 40, "2" * 40
HANG = 30.0  # seconds a test waits for a thread before calling it a hang


def line(ref: str, commit: str, when: int) -> bytes:
    """One for-each-ref line in FOR_EACH_REF_FORMAT's fields (an annotated tag)."""
    return "\0".join([ref, "tag", commit, f"{when} +0000", ref, f"{when - 50} +0000", f"{when:040d}"]).encode()


def many_refs(artifacts: int = 200) -> bytes:
    lines = []
    for n in range(artifacts):
        name = f"models/nlp=m{n}" if n % 7 == 0 else f"m{n}"
        lines += [line(f"{name}@v1.0.{n}", C1, 100 + n), line(f"{name}#prod#{n}", C1, 20000 + n)]
        if n % 3 == 0:
            lines.append(line(f"{name}@v2.0.0", C2, 40000 + n))
        if n % 11 == 0:
            lines.append(line(f"{name}@deprecated", C2, 60000 + n))
    return b"\n".join(sorted(lines)) + b"\n"


def joined(thread: threading.Thread) -> None:
    thread.join(HANG)
    assert not thread.is_alive(), "hung"


def pause_in_a_thread(pauses: Pauses, times: int) -> None:
    """Call `pauses` `times` times in a worker thread, as a background run does, and wait for it (hang-bounded)."""

    def pause_often() -> None:
        for _ in range(times):
            pauses()

    worker = threading.Thread(target=pause_often)
    worker.start()
    joined(worker)


def test_a_pause_waits_for_the_request_in_flight_and_no_longer() -> None:
    gate = Foreground()
    assert gate.wait(HANG) == 0.0  # nothing in flight: no wait at all
    gate.begin(7)
    assert gate.in_flight() == 1 and gate.in_flight(own=7) == 0 and gate.in_flight(own="7") == 1
    waited: list[float] = []
    waiter = threading.Thread(target=lambda: waited.append(gate.wait(HANG)))
    waiter.start()
    gate.end(7)  # the answer is written: the waiter goes on
    joined(waiter)
    assert gate.in_flight() == 0 and waited


def test_pauses_are_bounded_when_a_request_is_never_answered() -> None:
    gate = Foreground()
    gate.begin("stuck")
    pauses = Pauses(gate, patience=0.05)

    pause_in_a_thread(pauses, 1000)  # the run waits PATIENCE in all at most
    assert pauses.left <= 0


def test_work_for_a_request_never_waits_for_it() -> None:
    gate = Foreground()
    gate.begin(1)
    token = serving.set(1)
    try:
        own = contextvars.copy_context()  # what asyncio.to_thread copies from the request's task
    finally:
        serving.reset(token)
    pauses = own.run(Pauses, gate, HANG)

    pause_in_a_thread(pauses, 100)
    assert pauses.waited == 0.0
    gate.begin(2)  # another request: now it gives way, until that one is answered
    later = threading.Thread(target=pauses)
    later.start()
    gate.end(2)
    joined(later)


def test_complete_with_pauses_equals_the_whole_parse() -> None:
    refs = many_refs()
    whole = registry_artifacts(refs, None)
    calls: list[int] = []
    lazy = LazyRegistry(group_lines(refs, None), registry_artifacts)
    lazy.complete(lambda: calls.append(1))
    assert dict(lazy) == dict(whole) and list(lazy) == list(whole)
    assert len(calls) == len(group_lines(refs, None))  # one pause between artifacts


def test_a_caller_waiting_for_a_paused_run_ends_its_pauses() -> None:
    """A handler that needs the whole registry while the warm-up pauses for that very request: the warm-up stops
    pausing (no deadlock until PATIENCE), and both see the registry a sequential read gives."""
    refs = many_refs()
    whole = registry_artifacts(refs, None)
    gate = Foreground()
    gate.begin("handler")  # the request whose handler asks for the whole registry
    lazy = LazyRegistry(group_lines(refs, None), registry_artifacts)
    paused = threading.Event()
    pauses = Pauses(gate, patience=HANG * 10)  # only a waiting caller can end these pauses in time

    def pause() -> None:
        paused.set()
        pauses()

    warm = threading.Thread(target=lambda: lazy.complete(pause))
    warm.start()
    assert paused.wait(HANG)
    seen: list[dict[str, object]] = []
    handler = contextvars.copy_context()
    handler.run(serving.set, "handler")
    asking = threading.Thread(target=lambda: seen.append(dict(handler.run(lazy.complete))))
    asking.start()
    joined(asking)
    joined(warm)
    assert seen == [dict(whole)]
    assert pauses.left > HANG  # ended by the waiting caller, not by running out of patience


def hovers_during_warm_up(refs: bytes, names: list[str]) -> tuple[dict[str, object], LazyRegistry]:
    """Each name asked by its own request thread while the warm-up completes the registry, pausing for them."""
    gate = Foreground()
    lazy = LazyRegistry(group_lines(refs, None), registry_artifacts)
    asked: dict[str, object] = {}

    def hover(name: str) -> None:  # a request: counted in flight while it reads its own artifact
        gate.begin(name)
        try:
            asked[name] = lazy.get(name)
        finally:
            gate.end(name)

    warm = threading.Thread(target=lambda: lazy.complete(Pauses(gate)))
    hovers = [threading.Thread(target=hover, args=(name,)) for name in names[::-1]]
    warm.start()
    for thread in hovers:
        thread.start()
    for thread in (*hovers, warm):
        joined(thread)
    return asked, lazy


def test_hovers_during_a_paused_warm_up_see_what_a_sequential_read_sees() -> None:
    refs = many_refs()
    whole = registry_artifacts(refs, None)
    names = [*whole, "missing", "models/nlp:missing"]
    for _ in range(5):
        asked, lazy = hovers_during_warm_up(refs, names)
        assert asked == {name: whole.get(name) for name in names}
        assert dict(lazy) == dict(whole) and list(lazy) == list(whole)


def test_an_ended_run_pauses_no_more() -> None:
    gate = Foreground()
    gate.begin("in flight")
    pauses = Pauses(gate, patience=HANG)
    pauses.end()  # a request waits for this run (the first parse): it must not wait for that request

    pause_in_a_thread(pauses, 100)
    assert pauses.waited == 0.0
