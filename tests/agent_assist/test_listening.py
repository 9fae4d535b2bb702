"""Listening and empathy: empathy gaps, agent monologues and dead air, on the injected clock."""

from datetime import timedelta

import pytest

from agent_assist.config import EngineConfig
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import CallerHistory, Guidance, GuidanceCleared, OutputEvent, Transcript
from tests.conftest import T0

REGULAR = [CallerHistory(customer_id="reg", contacts=5)]
WORRIED = "I'm really worried, the payment left my account twice and rent is due."


def outputs(call: CallScript, kind: str, history: list[CallerHistory] = REGULAR) -> list:
    """The prompts of ``kind`` and the clears of any prompt, in time order."""
    found: list[OutputEvent] = replay(Engine(), call.events, history)
    prompts = {o.prompt_id for o in found if isinstance(o, Guidance) and o.kind == kind}
    return [
        o
        for o in found
        if (isinstance(o, Guidance) and o.kind == kind)
        or (isinstance(o, GuidanceCleared) and o.prompt_id in prompts)
    ]


def regular_call() -> CallScript:
    return CallScript("c1", T0, customer_id="reg")


# empathy_gap


def test_two_agent_turns_without_acknowledgement_prompt_at_the_second() -> None:
    call = regular_call()
    call.say("customer", WORRIED, 1, 6)
    call.say("agent", "Can I take the account number please?", 6.5, 8)
    second = call.say("agent", "And the postcode on the account?", 12, 14)
    (prompt,) = outputs(call, "empathy_gap")
    assert prompt.ts == second.ts and prompt.severity == "warning"
    assert prompt.evidence["words"] == "i'm really worried"
    assert prompt.evidence["agent_turns"] == [
        "Can I take the account number please?",
        "And the postcode on the account?",
    ]
    assert "Name the feeling" in prompt.message


def test_fires_at_the_end_of_the_window_when_nothing_follows() -> None:
    call = regular_call()
    complaint = call.say("customer", "This has ruined my week, honestly.", 1, 4)
    call.say("agent", "Let me look at the order.", 5, 7)
    (prompt,) = outputs(call, "empathy_gap")
    assert prompt.ts == complaint.ts + timedelta(seconds=20)


def test_first_time_callers_get_a_shorter_window() -> None:
    call = CallScript("c1", T0, customer_id="new")
    complaint = call.say("customer", "I'm so frustrated with this.", 1, 3)
    (prompt,) = outputs(call, "empathy_gap", [CallerHistory(customer_id="new", contacts=0)])
    assert prompt.ts == complaint.ts + timedelta(seconds=12)


@pytest.mark.parametrize(
    "answer",
    [
        "I'm so sorry to hear that, let me check.",
        "I can see why that's worrying.",
        "That sounds really stressful.",
        "I understand, let's get this sorted.",
    ],
)
def test_an_acknowledgement_in_time_means_no_prompt(answer: str) -> None:
    call = regular_call()
    call.say("customer", WORRIED, 1, 6)
    call.say("agent", "One moment.", 6.5, 7)
    call.say("agent", answer, 8, 10)
    assert outputs(call, "empathy_gap") == []


def test_a_backchannel_is_not_an_acknowledgement_nor_a_turn() -> None:
    call = regular_call()
    call.say("customer", WORRIED, 1, 6)
    call.say("agent", "uh-huh", 3, 3.4)
    call.say("agent", "mm-hmm", 6.5, 7)
    call.say("agent", "What's the account number?", 8, 10)
    (prompt,) = outputs(call, "empathy_gap")
    assert prompt.evidence["agent_turns"] == ["What's the account number?"]
    assert prompt.ts == call.at(6 + 20)  # the window, not the turns, ended it


def test_an_apology_before_the_complaint_does_not_count() -> None:
    call = regular_call()
    call.say("agent", "Sorry for the wait, how can I help?", 0, 2)
    call.say("customer", WORRIED, 3, 8)
    call.say("agent", "What's the account number?", 9, 10)
    call.say("agent", "And your postcode?", 12, 13)
    assert len(outputs(call, "empathy_gap")) == 1


def test_an_apology_finalised_late_but_said_before_does_not_count() -> None:
    call = regular_call()
    call.say("customer", WORRIED, 3, 8)
    late = Transcript(call_id="c1", ts=call.at(8.5), speaker="agent", text="Sorry for the wait",
                      start=1, end=2.5)  # fmt: skip
    call.events.append(late)  # finalised after the complaint, said before it
    call.say("agent", "What's the account number?", 9, 10)
    call.say("agent", "And your postcode?", 12, 13)
    assert len(outputs(call, "empathy_gap")) == 1


def test_partials_are_not_turns() -> None:
    call = regular_call()
    call.say("customer", WORRIED, 1, 6)
    call.say("agent", "Can I", 7, 8, final=False)
    call.say("agent", "Can I take the", 7, 9, final=False)
    call.say("agent", "Can I take the account number, I'm sorry about this", 7, 10)
    assert outputs(call, "empathy_gap") == []


@pytest.mark.parametrize(
    "calm",
    [
        "I'm not worried about it, I just want to know the date.",
        "My son was worried it would not arrive but it did, thanks.",
        "Can you tell me when my contract ends?",
        "That's great, thank you so much.",
    ],
)
def test_calm_or_negated_words_are_not_distress(calm: str) -> None:
    call = regular_call()
    call.say("customer", calm, 1, 5)
    call.say("agent", "Let me check.", 6, 7)
    call.say("agent", "It ends in March.", 9, 11)
    assert outputs(call, "empathy_gap") == []


def test_cooldown_stops_repeats() -> None:
    call = regular_call()
    for start in (0, 30, 100):
        call.say("customer", "I'm so fed up with this.", start, start + 2)
        call.say("agent", "Account number?", start + 3, start + 4)
        call.say("agent", "Postcode?", start + 5, start + 6)
    prompts = outputs(call, "empathy_gap")
    assert [p.ts for p in prompts] == [call.at(6), call.at(106)]


# agent_monologue


def agent_talks(call: CallScript, start: float, end: float, step: float = 1.0) -> None:
    """The agent talking from ``start`` to ``end``: a partial each ``step``, one final."""
    at = start + step
    while at < end:
        call.say("agent", "so what we do is", start, at, final=False)
        at += step
    call.say("agent", "so what we do is we check the line and then the router", start, end)


def test_a_long_run_prompts_on_time_from_partials_and_clears_when_the_customer_speaks() -> None:
    call = regular_call()
    call.say("customer", "Why is my bill so high?", 0, 3)
    agent_talks(call, 4, 60)
    answer = call.say("customer", "Okay, so what do I do now?", 61, 63)
    prompt, cleared = outputs(call, "agent_monologue")
    assert isinstance(prompt, Guidance) and prompt.evidence["reason"] == "run"
    assert prompt.ts == call.at(50)  # the first partial past 45 s of talk
    assert prompt.severity == "info" and "ask a question" in prompt.message
    assert isinstance(cleared, GuidanceCleared) and cleared.ts == answer.ts


def test_customer_backchannels_do_not_end_the_run() -> None:
    call = regular_call()
    agent_talks(call, 0, 25)
    call.say("customer", "uh-huh", 25.5, 26)
    agent_talks(call, 26, 50)
    (prompt,) = outputs(call, "agent_monologue")
    assert prompt.ts == call.at(47)


def test_pauses_are_not_talk() -> None:
    call = regular_call()
    agent_talks(call, 0, 20)
    agent_talks(call, 40, 60)  # 40 s of talk in 60 s
    assert outputs(call, "agent_monologue") == []


def test_a_long_customer_monologue_is_not_an_agent_monologue() -> None:
    call = regular_call()
    for at in range(1, 90):
        call.say("customer", "and then they said", 0, at, final=False)
    call.say("agent", "I see.", 90, 91)
    assert outputs(call, "agent_monologue") == []


def test_most_of_the_talk_over_two_minutes_prompts() -> None:
    call = regular_call()
    for start in range(0, 160, 20):  # 17 s of agent, 2 s of customer, in every 20 s
        agent_talks(call, start, start + 17)
        call.say("customer", "right, and then?", start + 17.5, start + 19.5)
    (prompt, cleared) = outputs(call, "agent_monologue")
    assert prompt.evidence["reason"] == "share" and prompt.evidence["share_pct"] > 80
    assert prompt.ts == call.at(121) and "talk time" in prompt.message  # first agent speech then
    assert isinstance(cleared, GuidanceCleared)


def test_overlapping_talk_counts_once() -> None:
    call = regular_call()
    call.say("agent", "first part", 0, 30)
    call.say("agent", "first part again", 10, 30)  # a repeated final for the same speech
    call.say("agent", "more", 31, 44)
    assert outputs(call, "agent_monologue") == []


# dead_air


def test_silence_prompts_on_time_and_the_next_speech_clears_it() -> None:
    call = regular_call()
    call.say("customer", "my", 1, 2, final=False)
    last = call.say("customer", "my router is broken", 1, 3)
    back = call.say("agent", "Thanks for waiting.", 20, 21)
    call.end(22)
    prompt, cleared = outputs(call, "dead_air")
    assert prompt.ts == last.ts + timedelta(seconds=12) and prompt.severity == "info"
    assert "Tell the customer what you are doing" in prompt.message
    assert isinstance(cleared, GuidanceCleared) and cleared.ts == back.ts


def test_a_hold_is_not_dead_air_and_its_end_restarts_the_clock() -> None:
    call = regular_call()
    call.say("agent", "one", 1, 2, final=False)
    call.say("agent", "one moment please", 1, 3)
    call.hold(4)
    ended = call.unhold(40)
    call.say("agent", "thanks for holding", 50, 51)
    call.end(52)
    assert outputs(call, "dead_air") == []
    del call.events[-2:]  # now nothing after the hold
    (prompt,) = outputs(call, "dead_air")
    assert prompt.ts == ended.ts + timedelta(seconds=12)


def test_a_hold_started_after_the_prompt_clears_it() -> None:
    call = regular_call()
    call.say("agent", "let me", 1, 2, final=False)
    call.say("agent", "let me see", 1, 3)
    hold = call.hold(20)
    prompt, cleared = outputs(call, "dead_air")
    assert isinstance(prompt, Guidance) and cleared.ts == hold.ts


def test_partials_during_a_long_utterance_are_speech() -> None:
    call = regular_call()
    call.say("customer", "so", 1, 2, final=False)
    for at in range(2, 40, 2):
        call.say("customer", "so the story is", 1, at, final=False)
    call.say("customer", "so the story is long", 1, 40)
    call.say("agent", "I see", 45, 46)
    call.end(47)
    assert outputs(call, "dead_air") == []


def test_a_call_without_partials_gets_no_dead_air() -> None:
    call = regular_call()
    call.say("customer", "my router is broken", 1, 3)
    call.say("agent", "Thanks for waiting.", 40, 41)
    assert outputs(call, "dead_air") == []


def test_thresholds_come_from_the_config() -> None:
    config = EngineConfig(dead_air_s=5, monologue_s=10, empathy_window_s=3)
    call = regular_call()
    call.say("customer", "I'm", 0, 1, final=False)
    call.say("customer", "I'm really upset about this", 0, 2)
    kinds = [
        (o.kind, o.ts)
        for o in replay(Engine(config), call.events, REGULAR)
        if isinstance(o, Guidance) and o.kind in ("dead_air", "empathy_gap")
    ]
    assert kinds == [("empathy_gap", call.at(5)), ("dead_air", call.at(7))]
