from datetime import timedelta

from agent_assist.call_state import CallState
from agent_assist.config import EngineConfig
from agent_assist.detectors.base import prompt_id
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import CallerHistory, HoldStarted
from tests.conftest import T0


def test_prompt_ids_are_deterministic_and_distinct() -> None:
    assert prompt_id("c1", "long_hold", "t") == prompt_id("c1", "long_hold", "t")
    assert prompt_id("c1", "long_hold", "t") != prompt_id("c2", "long_hold", "t")
    call = CallScript("c1", T0, customer_id="x")
    call.say("customer", "I want a supervisor, this is ridiculous", 1, 3)
    first = [o.prompt_id for o in replay(Engine(), call.events)]
    assert first == [o.prompt_id for o in replay(Engine(), call.events)]
    assert len(set(first)) == len(first)


def test_redelivered_events_do_not_add_prompts(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="x")
    call.say("customer", "Get me a manager now", 1, 3)
    once = replay(engine, call.events)
    twice = replay(engine, call.events + call.events)
    assert twice == once


def test_state_snapshot_round_trips_mid_call(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="reg")
    call.say("customer", "This is ridiculous", 1, 3)
    call.say("agent", "Sorry about that, let me look", 2, 4)
    state = None
    for event in call.events:
        state = engine.on_event(state, event, CallerHistory(customer_id="reg", contacts=3)).state
    assert state is not None
    state = engine.on_event(state, HoldStarted(call_id="c1", ts=T0 + timedelta(seconds=5))).state
    assert state is not None
    restored = CallState.from_dict(state.to_dict())
    assert restored == state
    due = engine.next_deadline(restored)
    assert due == T0 + timedelta(seconds=95)
    assert [o.kind for o in engine.on_tick(restored, due).outputs] == ["long_hold"]


def test_idle_calls_are_forgotten(engine: Engine) -> None:
    engine = Engine(EngineConfig(call_idle_timeout_s=600))
    step = engine.on_event(None, CallScript("c1", T0).events[0])
    assert step.state is not None
    due = engine.next_deadline(step.state)
    assert due == T0 + timedelta(seconds=600)
    assert engine.on_tick(step.state, due).state is None


def test_call_end_reports_the_completed_contact(engine: Engine) -> None:
    call = CallScript("c1", T0, customer_id="x")
    call.end(30)
    state = engine.on_event(None, call.events[0]).state
    step = engine.on_event(state, call.events[1])
    assert step.state is None
    assert step.completed_contact == ("x", T0 + timedelta(seconds=30))


def test_advance_fires_every_deadline_up_to_a_time(engine: Engine) -> None:
    state = engine.on_event(None, CallScript("c1", T0, customer_id="x").events[0]).state
    assert state is not None
    state = engine.on_event(state, HoldStarted(call_id="c1", ts=T0)).state
    assert state is not None
    due = T0 + timedelta(seconds=60)
    assert engine.advance(state, due).outputs == []
    assert [o.kind for o in engine.advance(state, due, inclusive=True).outputs] == ["long_hold"]
    assert engine.advance(state, T0 + timedelta(days=1)).state is None  # idle: forgotten
