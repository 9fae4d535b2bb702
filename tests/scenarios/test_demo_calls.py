"""The bundled demo calls, run by every runner, against the reviewed golden output."""

import json
from pathlib import Path

import pytest

from tests.scenarios.runners import RUNNERS, Runner

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "agent_assist" / "demo_calls"
GOLDEN = ROOT / "tests" / "agent_assist" / "golden" / "demo_calls.jsonl"


@pytest.fixture(params=sorted(RUNNERS))
def runner(request: pytest.FixtureRequest) -> Runner:
    return RUNNERS[request.param]


def test_demo_calls_give_the_golden_prompts(runner: Runner) -> None:
    files = sorted(DEMO.glob("0*.jsonl"))
    outputs = runner(files, DEMO / "history.jsonl")
    golden = [json.loads(line) for line in GOLDEN.read_text().splitlines()]
    assert outputs == golden


def test_golden_prompts_are_what_the_demo_promises() -> None:
    golden = [json.loads(line) for line in GOLDEN.read_text().splitlines()]
    by_call = {}
    for out in golden:
        by_call.setdefault(out["call_id"], []).append(out.get("kind", out["type"]))
    assert by_call == {
        "demo-001": [
            "first_time_caller",
            "escalation_risk",
            "empathy_gap",
            "long_hold",
            "guidance_cleared",
        ],
        "demo-002": ["returning_caller", "repeat_contact"],
        "demo-003": ["first_time_caller", "interruption"],
        "demo-004": ["regular_caller"],
        "demo-005": [
            "first_time_caller",
            "empathy_gap",
            "agent_monologue",
            "guidance_cleared",
            "dead_air",
            "guidance_cleared",
        ],
    }
