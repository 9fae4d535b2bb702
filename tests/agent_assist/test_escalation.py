import pytest

from agent_assist.detectors.escalation_cues import CueClass, find_cues
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
    ],
)
def test_hard_negatives(text: str) -> None:
    assert cues(text) == []


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
    prompts = [o for o in replay(engine, call.events) if isinstance(o, Guidance)]
    assert [(p.kind, p.evidence["cues"]) for p in prompts] == [
        ("escalation_risk", ["anger"]),
        ("escalation_risk", ["supervisor_request"]),
    ]
    assert prompts[1].severity == "critical"
    assert "supervisor" in prompts[1].message
    assert prompts[1].evidence["phrases"] == ["get me your manager"]
