from datetime import timedelta

from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import CallerHistory, Guidance
from tests.conftest import T0


def kinds(
    engine: Engine, *calls: CallScript, history: list[CallerHistory] | None = None
) -> list[tuple[str, str]]:
    outputs = replay(engine, [e for call in calls for e in call.events], history or [])
    return [(o.call_id, o.kind) for o in outputs if isinstance(o, Guidance)]


def test_first_time_returning_regular_and_advocate(engine: Engine) -> None:
    history = [
        CallerHistory(customer_id="ret", contacts=2, last_contact_ts=T0 - timedelta(days=30)),
        CallerHistory(customer_id="reg", contacts=3),
        CallerHistory(customer_id="adv", contacts=1, advocate=True),
    ]
    calls = [CallScript(f"c-{c}", T0, customer_id=c) for c in ("new", "ret", "reg", "adv")]
    assert sorted(kinds(engine, *calls, history=history)) == [
        ("c-adv", "advocate"),
        ("c-new", "first_time_caller"),
        ("c-reg", "regular_caller"),
        ("c-ret", "returning_caller"),
    ]


def test_returning_prompt_names_the_contact_number(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="ret")
    history = [CallerHistory(customer_id="ret", contacts=1)]
    (prompt,) = replay(engine, call.events, history)
    assert isinstance(prompt, Guidance)
    assert "2" in prompt.title and prompt.evidence["contact_number"] == 2


def test_unknown_caller_gets_no_stage_prompt(engine: Engine) -> None:
    assert kinds(engine, CallScript("c1", T0)) == []


def test_repeat_contact_within_the_window(engine: Engine) -> None:
    history = [CallerHistory(customer_id="x", contacts=1, last_contact_ts=T0 - timedelta(days=3))]
    call = CallScript("c1", T0, customer_id="x")
    prompts = [o for o in replay(engine, call.events, history) if isinstance(o, Guidance)]
    assert [p.kind for p in prompts] == ["returning_caller", "repeat_contact"]
    assert prompts[1].evidence["days_ago"] == 3.0
    assert prompts[1].severity == "warning"


def test_a_second_call_in_the_same_run_is_a_returning_repeat_contact(engine: Engine) -> None:
    first = CallScript("c1", T0, caller_number="+15551230000")
    first.end(60)
    second = CallScript("c2", T0 + timedelta(hours=2), caller_number="+15551230000")
    assert kinds(engine, first, second) == [
        ("c1", "first_time_caller"),
        ("c2", "returning_caller"),
        ("c2", "repeat_contact"),
    ]


def test_speech_repeat_cue_is_not_prompted_twice_when_history_already_said_so(
    engine: Engine,
) -> None:
    history = [CallerHistory(customer_id="x", contacts=2, last_contact_ts=T0 - timedelta(days=1))]
    call = CallScript("c1", T0, customer_id="x")
    call.say("customer", "This is the third time I'm calling about this.", 1, 4)
    assert [k for _, k in kinds(engine, call, history=history)] == [
        "returning_caller",
        "repeat_contact",
    ]
