"""How much two texts share at their start or end: an edit's changed span, found without copying either text."""

from __future__ import annotations

_CHUNK = 1 << 15


def common_length(a: str, b: str, limit: int, from_end: bool = False) -> int:
    """How many characters `a` and `b` share at their start (or end), at most `limit`: compared by chunks in C,
    then the first chunk that differs halved."""

    def part(text: str, skip: int, stop: int) -> str:  # text[skip:stop], counted from the end when from_end
        return text[len(text) - stop : len(text) - skip] if from_end else text[skip:stop]

    low = 0
    while low < limit and part(a, low, min(limit, low + _CHUNK)) == part(b, low, min(limit, low + _CHUNK)):
        low = min(limit, low + _CHUNK)
    high = min(limit, low + _CHUNK)
    while low < high:
        middle = (low + high + 1) // 2
        if part(a, low, middle) == part(b, low, middle):
            low = middle
        else:
            high = middle - 1
    return low
