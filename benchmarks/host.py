"""How fast this shared machine is right now: a fixed piece of pure-Python work, timed.

The same code has measured up to three times faster one day than the day before here (the
engine benchmark: 5,500 events/s on 2026-11-30, 17,900 on 2026-12-01), so a figure means little
without the speed it was measured at. The benchmarks print this line first; compare figures
only when it reads about the same.
"""

import json
import re
import time

WORDS = re.compile(r"[a-z']+")
SAMPLE = json.dumps(
    {"type": "transcript", "speaker": "customer", "text": "this is the third time I am calling"}
)


def _work() -> None:
    """Decode, tokenise and count: the kind of work every worker here does per event."""
    counts: dict[str, int] = {}
    for _ in range(2_000):
        for word in WORDS.findall(json.loads(SAMPLE)["text"]):
            counts[word] = counts.get(word, 0) + 1


def reference_speed(repeats: int = 7) -> float:
    """Thousands of reference loops per second on one core: the best of ``repeats`` runs, which
    is the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        _work()
        best = min(best, time.perf_counter() - started)
    return 2_000 / best / 1000


def host_line() -> str:
    return f"host reference speed {reference_speed():,.0f}k loops/s (compare at like speeds)"
