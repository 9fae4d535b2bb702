"""The listening and empathy detectors on the evaluation data (benchmarks/listening.py prints
the figures): the constructed cases keep their labels, real calm calls stay quiet."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import spoken_call
from models import CallerHistory, Guidance

DATA = Path(__file__).parents[2] / "data" / "listening"
KINDS = {"empathy_gap", "agent_monologue", "dead_air"}
START = datetime(2026, 1, 1, tzinfo=UTC)
LABELLED = [json.loads(line) for line in (DATA / "labelled.jsonl").read_text().splitlines()]


def kinds(call_id: str, segments: list) -> list[str]:
    call = spoken_call(call_id, START, [tuple(s) for s in segments])
    history = [CallerHistory(customer_id=call_id, contacts=0)]  # first-time: shortest window
    outputs = replay(Engine(), call.events, history)
    return [o.kind for o in outputs if isinstance(o, Guidance) and o.kind in KINDS]


@pytest.mark.parametrize("item", LABELLED, ids=[item["id"] for item in LABELLED])
def test_each_constructed_call_gets_its_label(item: dict) -> None:
    assert kinds(item["id"], item["segments"]) == ([item["expect"]] if item["expect"] else [])


def test_real_calm_calls_get_at_most_one_prompt_of_a_kind_in_twenty_calls() -> None:
    calls = [json.loads(line) for line in (DATA / "harper_valley.jsonl").read_text().splitlines()]
    assert len(calls) >= 40
    found: Counter[str] = Counter()
    for call in calls:
        segments = [
            (role, start / 1000, (start + length) / 1000, text)
            for role, start, length, text in call["segments"]
        ]
        found.update(kinds(call["call"], segments))
    assert all(found[kind] / len(calls) <= 0.05 for kind in KINDS), found
