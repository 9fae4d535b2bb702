import json
from datetime import UTC, datetime, timedelta

from agent_assist.clock import FakeClock
from agent_assist.demo import load_demo
from agent_assist.engine import Engine
from agent_assist.live import LiveCalls, LiveStep, Slot, Source, detached
from agent_assist.replay import event_order, replay
from agent_assist.testing import CallScript
from models import CallerHistory, InputEvent
from tests.conftest import T0

WALL = T0 + timedelta(days=30)  # the worker's wall clock, far from the calls' event time


def kinds(step: LiveStep) -> list[str]:
    return [json.loads(o).get("kind", "cleared") for o in step.outputs]


class Worker:
    """Feeds a LiveCalls the way the stream worker does, keeping slots in a dict as JSON."""

    def __init__(self, clock: FakeClock, history: dict[str, CallerHistory] | None = None):
        self.live = LiveCalls(Engine(), clock)
        self.slots: dict[str, Slot] = {}
        self.history = history or {}
        self.offsets = {"events": 0, "control": 0}
        self.outputs: list[str] = []

    def source(self, stream: str) -> Source:
        self.offsets[stream] += 1
        return Source(stream, self.offsets[stream])

    def keep(self, call_id: str, step: LiveStep) -> LiveStep:
        if step.slot is None:
            self.slots.pop(call_id, None)
        else:
            self.slots[call_id] = json.loads(json.dumps(detached(step.slot)))
        self.outputs += step.outputs
        if step.contact:
            key, ended = step.contact
            record = self.history.get(key) or CallerHistory(customer_id=key)
            self.history[key] = record.after_contact(ended)
        return step

    def event(self, event: InputEvent, source: Source | None = None) -> LiveStep:
        source = source or self.source("events")
        step = self.keep(
            event.call_id, self.live.on_event(self.slot(event.call_id), event, source, 0)
        )
        if step.lookup:
            key, started = step.lookup
            history = self.history.get(key, CallerHistory(customer_id=key))
            reply = self.live.on_history(
                self.slot(started.call_id), history, self.source("control")
            )
            self.keep(started.call_id, reply)
            step.outputs += reply.outputs
        return step

    def slot(self, call_id: str) -> Slot | None:
        stored = self.slots.get(call_id)
        return detached(stored) if stored else None

    def tick_due(self, now: float) -> None:
        for call_id, slot in list(self.slots.items()):
            due = self.live.wall_due(slot)
            if due is not None and due <= now:
                self.keep(call_id, self.live.on_tick(detached(slot), self.source("control")))


def test_events_wait_for_the_callers_history_then_play_in_order() -> None:
    worker = Worker(FakeClock(WALL), {"c": CallerHistory(customer_id="c", contacts=4)})
    call = CallScript("c1", T0, customer_id="c")
    call.say("customer", "I want a supervisor", 1, 3)
    step = worker.live.on_event(None, call.events[0], Source("events", 1), 3)
    assert step.lookup is not None and step.lookup[0] == "c" and step.outputs == []
    assert step.slot is not None and step.slot["partition"] == 3
    waiting = worker.live.on_event(step.slot, call.events[1], Source("events", 2), 3)
    assert waiting.outputs == []
    history = worker.history["c"]
    played = worker.live.on_history(waiting.slot, history, Source("control", 1))
    assert kinds(played) == ["regular_caller", "escalation_risk"]


def test_unknown_caller_starts_at_once() -> None:
    worker = Worker(FakeClock(WALL))
    step = worker.event(CallScript("c1", T0).events[0])
    assert step.lookup is None and step.outputs == [] and "c1" in worker.slots


def test_redelivered_input_gives_back_its_outputs_and_changes_nothing() -> None:
    worker = Worker(FakeClock(WALL))
    call = CallScript("c1", T0)
    call.say("customer", "This is ridiculous", 1, 3)
    worker.event(call.events[0], Source("events", 10))
    first = worker.event(call.events[1], Source("events", 11))
    before = json.dumps(worker.slots["c1"], sort_keys=True)
    again = worker.event(call.events[1], Source("events", 11))
    assert again.outputs == first.outputs and kinds(first) == ["escalation_risk"]
    assert again.again and not first.again  # so metrics count the prompt once
    assert json.dumps(worker.slots["c1"], sort_keys=True) == before


def test_live_hold_fires_on_the_wall_clock_without_another_event() -> None:
    clock = FakeClock(T0)
    worker = Worker(clock, {"r": CallerHistory(customer_id="r", contacts=3)})
    call = CallScript("c1", T0, customer_id="r")
    worker.event(call.events[0])
    clock.advance(timedelta(seconds=5))
    worker.event(call.hold(5))
    assert worker.live.wall_due(worker.slots["c1"]) == (T0 + timedelta(seconds=95)).timestamp()
    clock.advance(timedelta(seconds=89))
    worker.tick_due(clock().timestamp())
    assert [json.loads(o)["kind"] for o in worker.outputs] == ["regular_caller"]
    clock.advance(timedelta(seconds=1))
    worker.tick_due(clock().timestamp())
    prompt = json.loads(worker.outputs[-1])
    assert prompt["kind"] == "long_hold" and prompt["ts"] == "2026-11-23T10:01:35.000Z"


def test_recorded_call_at_full_speed_uses_its_own_event_time() -> None:
    worker = Worker(FakeClock(WALL), {"r": CallerHistory(customer_id="r", contacts=3)})
    call = CallScript("c1", T0, customer_id="r")
    call.hold(10)
    call.unhold(30)  # a short hold, though the wall clock is a month past it
    call.hold(40)
    call.unhold(200)  # a long one
    for event in call.events:
        worker.event(event)
    worker.tick_due(WALL.timestamp())
    assert [json.loads(o).get("kind", "cleared") for o in worker.outputs] == [
        "regular_caller",
        "long_hold",
        "cleared",
    ]


def test_ended_call_leaves_a_tombstone_for_redelivery_then_goes() -> None:
    clock = FakeClock(WALL)
    worker = Worker(clock)
    call = CallScript("c1", T0)
    call.hold(0)
    worker.event(call.events[0])
    worker.event(call.events[1])
    ended = worker.event(call.end(100), Source("events", 99))
    assert kinds(ended) == ["long_hold", "cleared"]
    assert worker.event(call.events[-1], Source("events", 99)).outputs == ended.outputs
    clock.advance(timedelta(seconds=301))
    worker.tick_due(clock().timestamp())
    assert "c1" not in worker.slots


def test_same_prompts_as_replay_on_the_demo_calls() -> None:
    events, history = load_demo()
    worker = Worker(FakeClock(WALL), {h.customer_id: h for h in history})
    for event in sorted(events, key=event_order):
        worker.event(event)
    worker.tick_due(WALL.timestamp() + 86400)
    expected = [o.model_dump_json() for o in replay(Engine(), events, history)]
    assert sorted(worker.outputs) == sorted(expected)
    for call_id in {json.loads(o)["call_id"] for o in expected}:
        mine = [o for o in worker.outputs if json.loads(o)["call_id"] == call_id]
        assert mine == [o for o in expected if json.loads(o)["call_id"] == call_id]


def test_redelivery_asks_again_for_what_the_call_still_waits_on() -> None:
    worker = Worker(FakeClock(WALL))
    call = CallScript("c1", T0, customer_id="x")
    first = worker.live.on_event(None, call.events[0], Source("events", 5), 0)
    assert first.lookup is not None and first.slot is not None
    again = worker.live.on_event(first.slot, call.events[0], Source("events", 5), 0)
    assert again.lookup == first.lookup and again.outputs == []
    played = worker.live.on_history(
        again.slot, CallerHistory(customer_id="x"), Source("control", 1)
    )
    ended = worker.live.on_event(played.slot, call.end(10), Source("events", 6), 0)
    assert ended.contact == ("x", T0 + timedelta(seconds=10))
    assert (
        worker.live.on_event(ended.slot, call.events[-1], Source("events", 6), 0).contact
        == ended.contact
    )


def test_an_event_stamped_ahead_of_the_clock_cannot_fire_a_hold_early() -> None:
    clock = FakeClock(T0)
    worker = Worker(clock)
    call = CallScript("c1", T0)
    worker.event(call.events[0])
    clock.advance(timedelta(seconds=5))
    worker.event(call.hold(5))
    due = worker.live.wall_due(worker.slots["c1"])
    clock.advance(timedelta(seconds=1))
    ahead = worker.event(call.say("agent", "Still checking, bear with me.", 194, 200))
    assert ahead.observed.skewed == 1
    assert ahead.outputs == [] and worker.live.wall_due(worker.slots["c1"]) == due
    assert worker.slots["c1"]["event_ts"] == clock().timestamp()  # taken when it arrived
    assert due is not None
    worker.tick_due(due - 1)
    assert all(json.loads(o)["kind"] != "long_hold" for o in worker.outputs)
    clock.now = datetime.fromtimestamp(due, UTC)
    worker.tick_due(due)
    assert json.loads(worker.outputs[-1])["kind"] == "long_hold"


def test_an_event_within_the_allowed_skew_keeps_its_stamp() -> None:
    clock = FakeClock(T0)
    worker = Worker(clock)
    call = CallScript("c1", T0)
    worker.event(call.events[0])
    step = worker.event(call.say("customer", "Hello?", 2, 4))  # 4 s ahead: within 5 s
    assert step.observed.skewed == 0
    assert worker.slots["c1"]["event_ts"] == (T0 + timedelta(seconds=4)).timestamp()
