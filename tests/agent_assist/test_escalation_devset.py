"""The cue finder on the labeled development set of real customer text (regression guard)."""

import json
from pathlib import Path

import pytest

from agent_assist.cue_scores import Labeled, Scores, load_labeled, score
from agent_assist.detectors.escalation_cues import CueClass

DEVSET = Path(__file__).parent / "data" / "escalation_devset.jsonl"


def test_devset_is_real_and_licensed() -> None:
    rows = [json.loads(line) for line in DEVSET.read_text().splitlines() if line.strip()]
    assert len(rows) >= 250
    assert all(row["source"] and row["license"] for row in rows)
    for cue in CueClass:
        assert sum(cue in row["cues"] for row in rows) >= 25, cue
    assert sum(not row["cues"] for row in rows) >= 80


@pytest.mark.parametrize("cue", list(CueClass))
def test_f1_per_cue_class_meets_the_goal(cue: CueClass) -> None:
    result = score(load_labeled(DEVSET))[cue]
    assert result.f1 >= 0.9, f"{cue}: P={result.precision:.3f} R={result.recall:.3f}"


def test_scores_count_hits_misses_and_false_alarms() -> None:
    items = [
        Labeled("I want to speak to your manager", frozenset({"supervisor_request"})),
        Labeled("my manager asked me to call", frozenset({"supervisor_request"})),
        Labeled("get me a supervisor", frozenset()),
    ]
    result = score(items)[CueClass.SUPERVISOR]
    assert (result.tp, result.fn, result.fp) == (1, 1, 1)
    assert result.precision == result.recall == result.f1 == 0.5
    assert Scores().f1 == 0.0
