"""The two stages of the escalation detector, and the shortcut that keeps the grammar fast."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent_assist.config import EngineConfig
from agent_assist.cues import grammar
from agent_assist.cues.classes import CueClass
from agent_assist.cues.classifier import CueModel, bundled_model
from agent_assist.cues.features import Feature
from agent_assist.cues.literals import anchor_words, required_clauses, required_strings
from agent_assist.cues.text import spoken
from agent_assist.detectors.escalation import EscalationDetector
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import Guidance
from tests.conftest import T0

SOURCES = Path(__file__).parents[2] / "data" / "escalation" / "sources"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bsupervisor\b", {"supervisor"}),
        (
            r"\b(?:get|put) me (?:a|the) manager",
            {"get me a manager", "get me the manager", "put me a manager", "put me the manager"},
        ),
        (r"\b(?:i|we) (?:\w+ ){0,3}called again", {"called again"}),
        (r"f+u+ck", {"uck"}),
        (r"\w+ times?", {" time"}),
        (r"(?:sue|\w+ lawyer)", {"sue", " lawyer"}),
        (r"\w+", None),
    ],
)
def test_required_strings_are_what_every_match_must_contain(
    pattern: str, expected: set[str] | None
) -> None:
    assert required_strings(pattern) == (frozenset(expected) if expected else None)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            r"\b(?:i|we) will (?:\w+ )?(?:cancel|leave)\b",
            [[{"i will ", "we will "}, {"cancel", "leave"}]],
        ),
        (r"\bsupervisor\b|\bmy (?:\w+ )?lawyer", [[{"supervisor"}], [{"my "}, {"lawyer"}]]),
        (r"\w+", [[]]),
    ],
)
def test_required_clauses_are_every_part_each_alternative_needs(
    pattern: str, expected: list[list[set[str]]]
) -> None:
    assert required_clauses(pattern) == [[frozenset(s) for s in clause] for clause in expected]


def test_anchors_are_word_parts_preferring_uncommon_words() -> None:
    assert anchor_words([r"\bthe ceo\b", r"\bmy lawyer\b"]) == {"ceo", "lawyer"}
    assert anchor_words([r"\bsupervisor\b", r"\w+ again"]) == {"supervisor", "again"}
    assert anchor_words([r"\bsupervisor\b", r"[a-z]+"]) is None


def without_shortcut(text: str) -> list[grammar.CueMatch]:
    """find_cues with every rule tried on every text."""
    saved = grammar._rules_to_try
    grammar._rules_to_try = lambda norm: list(range(len(grammar._RULES)))
    try:
        return grammar.find_cues(text)
    finally:
        grammar._rules_to_try = saved


def test_skipping_rules_without_anchors_changes_nothing_on_the_development_set() -> None:
    texts = [json.loads(line)["text"] for p in SOURCES.glob("*.jsonl") for line in p.open()]
    for text in texts + [spoken(t) for t in texts]:
        assert grammar.find_cues(text) == without_shortcut(text), text


_WORDS = sorted(
    {a for rule in grammar._RULES for a in rule.anchors or ()}
    | {a for rule in grammar._RULES for sets in rule.alternatives for s in sets for a in s}
    | {"i", "i'm", "we", "you", "the", "my", "to", "not", "don't", "they", "again", "times", "3rd"}
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14))
def test_skipping_rules_changes_nothing_on_any_mix_of_their_words(words: list[str]) -> None:
    text = " ".join(words)
    assert grammar.find_cues(text) == without_shortcut(text)


def toy_model(word: str, cue: CueClass, weight: float) -> CueModel:
    """A model that knows ``word``, which speaks for ``cue``, and "this", which speaks a little."""
    classes = tuple(CueClass)
    weights: dict[Feature, tuple[float, ...]] = {
        word: tuple(weight if c is cue else 0.0 for c in classes),
        "this": tuple(weight / 2 if c is cue else 0.0 for c in classes),
    }
    return CueModel(classes, tuple(-4.0 for _ in classes), weights, dict.fromkeys(classes, 0.5))


def prompts(detector: EscalationDetector, *lines: str) -> list[Guidance]:
    engine = Engine(EngineConfig())
    engine.detectors[0] = detector
    call = CallScript("c-stages", T0)
    for n, line in enumerate(lines):
        call.say("customer", line, 1 + 4 * n, 4 + 4 * n)
    outputs = replay(engine, call.events)
    return [o for o in outputs if isinstance(o, Guidance) and o.kind == "escalation_risk"]


def test_the_classifier_prompts_what_the_grammar_misses_and_says_so() -> None:
    detector = EscalationDetector(toy_model("kaput", CueClass.CHURN, 12.0))
    [prompt] = prompts(detector, "Honestly this whole thing is kaput for me.")  # not "this"
    assert prompt.evidence["cues"] == ["churn_threat"]
    assert prompt.evidence["stages"] == ["classifier"]
    assert prompt.evidence["phrases"] == ["kaput"]
    assert prompt.evidence["scores"]["churn_threat"] > 0.5
    assert "leaving" in prompt.message


def test_a_threshold_from_config_overrides_the_models_and_above_one_turns_it_off() -> None:
    model = toy_model("kaput", CueClass.CHURN, 12.0)
    assert prompts(EscalationDetector(model, {CueClass.CHURN: 1.01}), "It is kaput.") == []
    config = EngineConfig(escalation_thresholds={"churn_threat": 0.2})
    assert config.escalation_thresholds == {CueClass.CHURN: 0.2}


def test_grammar_and_classifier_together_still_prompt_once_per_class() -> None:
    detector = EscalationDetector(toy_model("kaput", CueClass.ANGER, 12.0))
    found = prompts(
        detector,
        "This is ridiculous.",  # grammar: anger
        "It is all kaput.",  # classifier: anger again, no second prompt
        "Get me your manager, it's kaput.",  # grammar: supervisor only
    )
    assert [(p.evidence["cues"], p.evidence["stages"]) for p in found] == [
        (["anger"], ["grammar"]),
        (["supervisor_request"], ["grammar"]),
    ]
    assert found[0].evidence["scores"] == {}


def test_the_bundled_model_loads_with_a_threshold_for_every_class() -> None:
    model = bundled_model()
    assert set(model.thresholds) == set(CueClass)
    assert all(0 < t <= 1 for t in model.thresholds.values())
    assert len(model.weights) > 1000
