from datetime import timedelta

from agent_assist.call_state import CallState
from agent_assist.clock import FakeClock
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import CallerHistory, Guidance, GuidanceCleared, HoldEnded, HoldStarted
from tests.conftest import T0

REGULAR = [CallerHistory(customer_id="reg", contacts=5)]


def started(engine: Engine, customer_id: str = "reg") -> CallState:
    call = CallScript("c1", T0, customer_id=customer_id)
    history = CallerHistory(customer_id="reg", contacts=5) if customer_id == "reg" else None
    step = engine.on_event(None, call.events[0], history)
    assert step.state is not None
    return step.state


def test_fires_exactly_at_the_threshold_on_the_injected_clock(engine: Engine) -> None:
    clock = FakeClock(T0)
    state = started(engine)
    clock.advance(timedelta(seconds=10))
    state = engine.on_event(state, HoldStarted(call_id="c1", ts=clock())).state
    assert state is not None
    assert engine.next_deadline(state) == T0 + timedelta(seconds=100)
    clock.advance(timedelta(seconds=89.9))
    assert engine.on_tick(state, clock()).outputs == []
    clock.advance(timedelta(seconds=0.1))
    (prompt,) = engine.on_tick(state, clock()).outputs
    assert isinstance(prompt, Guidance) and prompt.kind == "long_hold"
    assert prompt.ts == T0 + timedelta(seconds=100)
    assert engine.on_tick(state, clock()).outputs == []  # once per hold


def test_fires_with_no_later_event_and_clears_when_the_hold_ends(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="reg")
    call.hold(10)
    (_, prompt) = replay(engine, call.events, REGULAR)
    assert prompt.ts == T0 + timedelta(seconds=100)
    call.unhold(130)
    *_, cleared = replay(engine, call.events, REGULAR)
    assert isinstance(cleared, GuidanceCleared)
    assert cleared.prompt_id == prompt.prompt_id
    assert cleared.ts == T0 + timedelta(seconds=130)


def test_first_time_callers_get_the_shorter_threshold(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="new")
    call.hold(10)
    call.end(200)
    outputs = replay(engine, call.events)
    assert [(o.type, o.ts - T0) for o in outputs] == [
        ("guidance", timedelta(0)),
        ("guidance", timedelta(seconds=70)),
        ("guidance_cleared", timedelta(seconds=200)),
    ]


def test_short_hold_gives_nothing_and_a_hold_ending_on_the_deadline_is_not_long(
    engine: Engine,
) -> None:
    call = CallScript("c1", T0, customer_id="reg")
    call.hold(0)
    call.unhold(90)
    call.hold(100)
    call.unhold(150)
    assert [o.kind for o in replay(engine, call.events, REGULAR)] == ["regular_caller"]


def test_each_hold_has_its_own_prompt(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="reg")
    call.hold(0)
    call.unhold(100)
    call.hold(200)
    call.unhold(300)
    prompts = [o for o in replay(engine, call.events, REGULAR) if o.type == "guidance"][1:]
    assert len({p.prompt_id for p in prompts}) == 2


def test_hold_end_without_prompt_and_unknown_calls_are_harmless(engine: Engine) -> None:
    state = started(engine)
    assert engine.on_event(state, HoldEnded(call_id="c1", ts=T0)).outputs == []
    step = engine.on_event(None, HoldStarted(call_id="zz", ts=T0))
    assert step.state is None and step.ignored
