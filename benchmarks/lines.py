"""Real customer and agent lines for the benchmarks' synthetic calls.

Drawn from the committed data, so that no cache or lucky repetition makes the engine look
faster than it is on live speech: the escalation development set (customers' own words, about
half of them cues) and the Harper Valley calm bank calls (both sides).
"""

import json
from functools import cache
from pathlib import Path

from agent_assist.cues.scoring import load_labeled

DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def real_lines() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(customer lines, agent lines)."""
    labeled = load_labeled(*sorted((DATA / "escalation/sources").glob("*.jsonl")))
    customer, agent = [item.text for item in labeled], []
    for line in (DATA / "listening/harper_valley.jsonl").read_text().splitlines():
        for role, _, _, text in json.loads(line)["segments"]:
            (agent if role == "agent" else customer).append(text)
    return tuple(customer), tuple(agent)
