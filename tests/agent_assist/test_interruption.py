import pytest

from agent_assist.config import EngineConfig
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import Guidance
from tests.conftest import T0


def interruptions(call: CallScript, engine: Engine | None = None) -> list[Guidance]:
    outputs = replay(engine or Engine(), call.events)
    return [o for o in outputs if isinstance(o, Guidance) and o.kind == "interruption"]


def test_agent_starting_inside_customer_speech_is_an_interruption() -> None:
    call = CallScript("c1", T0)
    call.say("customer", "So the thing is, the router keeps restarting every night", 2.0, 8.0)
    call.say("agent", "Have you tried turning it off and on again?", 6.0, 9.0)
    (prompt,) = interruptions(call)
    assert prompt.evidence == {"agent_start_s": 6.0, "customer_start_s": 2.0,
                               "customer_end_s": 8.0, "overlap_s": 2.0}  # fmt: skip
    assert prompt.severity == "warning"


def test_found_whichever_side_is_finalised_first() -> None:
    call = CallScript("c1", T0)
    call.say("agent", "Let me stop you there, I know the fix.", 4.0, 6.0)
    call.say("customer", "I have been waiting on the line for an hour already", 1.0, 7.0)
    assert len(interruptions(call)) == 1


@pytest.mark.parametrize("words", ["uh-huh", "Mm-hmm.", "Yeah, right.", "Okay okay", "I see."])
def test_backchannels_are_listening(words: str) -> None:
    call = CallScript("c1", T0)
    call.say("customer", "and then the engineer never showed up at all that day", 1.0, 8.0)
    call.say("agent", words, 4.0, 4.6)
    assert interruptions(call) == []


def test_customer_talking_over_the_agent_is_not_the_agents_interruption() -> None:
    call = CallScript("c1", T0)
    call.say("agent", "Your contract renews in March and the price will go up", 1.0, 6.0)
    call.say("customer", "No, no, I never agreed to that", 3.0, 7.0)
    assert interruptions(call) == []


def test_short_overlap_is_turn_taking() -> None:
    call = CallScript("c1", T0)
    call.say("customer", "That's all I wanted to ask", 1.0, 5.0)
    call.say("agent", "Great, I've noted it down", 4.6, 7.0)
    assert interruptions(call) == []


def test_cooldown_stops_a_burst_then_lets_the_next_one_through() -> None:
    call = CallScript("c1", T0)
    for start in (0.0, 10.0, 45.0):
        call.say("customer", "Please let me finish what I am saying here", start, start + 6)
        call.say("agent", "Sorry but I need to explain the policy", start + 2, start + 7)
    prompts = interruptions(call)
    assert [p.evidence["agent_start_s"] for p in prompts] == [2.0, 47.0]


def test_threshold_and_backchannels_come_from_config() -> None:
    engine = Engine(EngineConfig(interruption_min_overlap_s=3.0, backchannels=("sure thing",)))
    call = CallScript("c1", T0)
    call.say("customer", "I was hoping to upgrade my plan today", 1.0, 6.0)
    call.say("agent", "Sure thing", 3.0, 3.8)
    call.say("agent", "We have a new plan", 4.0, 7.0)
    assert interruptions(call, engine) == []
