import pytest

from agent_assist.cues.classes import CueClass
from agent_assist.cues.grammar import find_cues
from agent_assist.cues.text import spoken
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import Guidance
from tests.conftest import T0


def cues(text: str) -> list[str]:
    return [m.cue.value for m in find_cues(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to speak to your supervisor right now.", ["supervisor_request"]),
        ("Can I have a manager please?", ["supervisor_request"]),
        ("I'm going to cancel my subscription.", ["churn_threat"]),
        ("If this isn't fixed I'm switching to another provider.", ["churn_threat"]),
        ("I'll be contacting my lawyer about this.", ["legal_public_threat"]),
        ("I am filing a complaint with the FCC.", ["legal_public_threat"]),
        ("I'm going to post this all over social media.", ["legal_public_threat"]),
        ("This is absolutely ridiculous.", ["anger"]),
        ("This is the third time I'm calling about this.", ["repeat_contact"]),
        ("I've called four times and nobody helped.", ["repeat_contact"]),
        ("Is there someone above you I can talk to?", ["supervisor_request"]),
        ("i just want to talk to a real person", ["supervisor_request"]),
        ("Can you put me through to corporate?", ["supervisor_request"]),
        ("This is my third call this week.", ["repeat_contact"]),
        ("I called yesterday and the day before about this.", ["repeat_contact"]),
        ("I've reported it three times and it has never been fixed.", ["repeat_contact"]),
        ("I already called about this and it still hasn't been resolved.", ["repeat_contact"]),
        ("Every time I call I get a different answer.", ["repeat_contact"]),
        ("Honestly I'd rather use a competitor.", ["churn_threat"]),
        ("Never again.", ["churn_threat"]),
        ("I'm taking my business elsewhere.", ["churn_threat"]),
        ("I'm going to the news with this.", ["legal_public_threat"]),
        ("I'll be reporting you to the FCA.", ["legal_public_threat"]),
        ("This is a lawsuit waiting to happen, I've kept every letter.", ["legal_public_threat"]),
    ],
)
def test_cue_classes(text: str, expected: list[str]) -> None:
    assert cues(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to cancel my account, I just want the bill fixed.",
        "I need to cancel my order from yesterday.",
        "Can I cancel the appointment on Friday?",
        "My manager asked me to buy this for the office.",
        "I'm a lawyer and I need an invoice for my firm.",
        "I'm not angry, just a bit confused.",
        "My first bill is twice what I was quoted.",
        "I don't need a supervisor, you've been great.",
        "I'd like to close my savings account please.",
        "They threatened to sue me over the parking space.",
        "How do I cancel my membership?",
        "BEST SUPPORT EVER, thank you!",
        "I called yesterday and it's fixed now, thanks.",
        "This is the second time it broke.",
    ],
)
def test_hard_negatives(text: str) -> None:
    assert cues(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Get me a supervisor right now.",
        "This is the 3rd time I've called about this!",
        "If this isn't fixed I'm switching to another provider.",
        "I will be filing a complaint with the FCC.",
    ],
)
def test_cues_hold_in_a_recognisers_lower_case_unpunctuated_words(text: str) -> None:
    assert cues(spoken(text)) == cues(text) != []


def test_several_cues_in_one_utterance_are_ordered_by_urgency() -> None:
    assert cues("This is ridiculous, I'm cancelling my account and calling my lawyer.") == [
        CueClass.LEGAL_PUBLIC,
        CueClass.CHURN,
        CueClass.ANGER,
    ]


def test_only_final_customer_speech_counts_and_each_class_prompts_once(engine: Engine) -> None:
    call = CallScript("c1", T0)
    call.say("agent", "I can escalate this to my supervisor if you like.", 1, 3)
    call.say("customer", "This is ridiculous", 3, 4, final=False)
    call.say("customer", "This is ridiculous.", 3, 5)
    call.say("customer", "Honestly, ridiculous. Get me your manager.", 6, 9)
    call.say("customer", "Still ridiculous, and I want your supervisor now.", 10, 13)
    outputs = replay(engine, call.events)
    prompts = [o for o in outputs if isinstance(o, Guidance) and o.kind == "escalation_risk"]
    assert [(p.kind, p.evidence["cues"]) for p in prompts] == [
        ("escalation_risk", ["anger"]),
        ("escalation_risk", ["supervisor_request"]),
    ]
    assert prompts[1].severity == "critical"
    assert "supervisor" in prompts[1].message
    assert prompts[1].evidence["phrases"] == ["get me your manager"]
