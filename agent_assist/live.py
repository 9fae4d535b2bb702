"""The engine driven by a live stream, one call's slot at a time.

A stream worker keeps one JSON-ready *slot* per call (in memory, saved to a changelog) and hands
it here with each input. What this adds to the engine:

- Caller history is looked up elsewhere (it lives with the caller, not the call): a call's
  events wait in its slot until the history arrives.
- Each call has its own clock: its latest event time plus the wall time since that event
  arrived. Live, that is the wall clock; for a recorded call produced at full speed, it is the
  call's own event time, so a hold's deadline never races the ``hold_ended`` behind it.
- A producer's clock cannot move a call's: an event stamped further ahead of the wall clock
  than ``max_clock_skew_s`` is taken at its arrival time (and counted), so it cannot fire a hold
  early; a redelivery finds it by offset, whatever its stamp.
- At-least-once: a redelivered input (its offset already applied) changes nothing and gives
  back the outputs it gave the first time, kept in the slot, and asks again for what the call
  still waits on (its caller's history, the record of its completed contact), so a crash between
  saving the state and sending the rest loses nothing. An ended call leaves a tombstone for that.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent_assist.call_state import CallState
from agent_assist.clock import Clock, system_clock
from agent_assist.decoding import decode_event
from agent_assist.engine import Engine, Step
from models import CallerHistory, CallStarted, InputEvent, OutputEvent

Slot = dict[str, Any]
"""A call's slot (see :func:`new_slot`): its ``state`` is a live ``CallState`` while the worker
works on it, and a dict in the JSON-ready copy a table stores (:func:`detached`)."""

KEEP_SENT = 8
"""How many recent inputs' outputs a slot keeps for redelivery."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where an input came from: a stream name and the message's offset in its partition."""

    stream: str
    offset: int


@dataclass(slots=True)
class Observed:
    """What happened to a call in one step, for metrics (the step may hold a whole call)."""

    queue: str | None = None
    started: list[str | None] = field(default_factory=list)
    """Engagement stage of each call that began (None: caller unknown)."""
    holds: list[float] = field(default_factory=list)
    """Length in seconds of each hold that ended."""
    skewed: int = 0
    """Events stamped too far ahead of the wall clock, taken at their arrival time instead."""


@dataclass(slots=True)
class LiveStep:
    """What to do after one input: store ``slot`` (None: delete it) and send the rest."""

    slot: Slot | None
    outputs: list[str] = field(default_factory=list)
    """Output events as JSON, in order."""
    lookup: tuple[str, CallStarted] | None = None
    """(caller key, call_started): ask for this caller's history."""
    contact: tuple[str, datetime] | None = None
    """(caller key, end time): a contact of this caller completed."""
    observed: Observed = field(default_factory=Observed)
    again: bool = False
    """A redelivered input: ``outputs`` were sent before."""


def new_slot(partition: int) -> Slot:
    return {
        "partition": partition,
        "state": None,
        "waiting": [],
        "seen": {},
        "sent": [],
        "event_ts": None,
        "arrived": None,
        "due": None,
        "ended": None,
        "contact": None,
    }


class LiveCalls:
    """Applies inputs to slots with an engine and an injectable wall clock."""

    def __init__(self, engine: Engine, clock: Clock = system_clock, keep_ended_s: float = 300):
        self.engine = engine
        self.clock = clock
        self.keep_ended_s = keep_ended_s

    def on_event(
        self, slot: Slot | None, event: InputEvent, source: Source, partition: int
    ) -> LiveStep:
        """An event from the input topic."""
        if slot is not None and _seen(slot, source):
            return self._again(slot, source)
        arrived = self.clock()
        if (event.ts - arrived).total_seconds() > self.engine.config.max_clock_skew_s:
            step = self._on_new(slot, event.model_copy(update={"ts": arrived}), source, partition)
            step.observed.skewed += 1
            return step
        return self._on_new(slot, event, source, partition)

    def _on_new(
        self, slot: Slot | None, event: InputEvent, source: Source, partition: int
    ) -> LiveStep:
        slot = slot or new_slot(partition)
        _mark(slot, source)
        if slot["waiting"]:
            slot["waiting"].append(event.model_dump_json())
            return LiveStep(slot)
        if isinstance(event, CallStarted) and slot["state"] is None and slot["ended"] is None:
            key = self.engine.caller_key(event)
            if key is not None:
                slot["waiting"].append(event.model_dump_json())
                return LiveStep(slot, lookup=(key, event))
        return self._apply(slot, source, [event], None)

    def _again(self, slot: Slot, source: Source) -> LiveStep:
        """What a redelivered input gave before, and the requests still outstanding."""
        again = LiveStep(slot, _sent(slot, source), again=True)
        started = decode_event(slot["waiting"][0]) if slot["waiting"] else None
        if isinstance(started, CallStarted):
            key = self.engine.caller_key(started)
            again.lookup = (key, started) if key else None
        if slot["contact"]:
            key, ended = slot["contact"]
            again.contact = (key, datetime.fromisoformat(ended))
        return again

    def on_history(self, slot: Slot | None, history: CallerHistory, source: Source) -> LiveStep:
        """The caller's history, answering this call's lookup: play the waiting events."""
        if slot is None or not slot["waiting"] or _seen(slot, source):
            return LiveStep(slot, _sent(slot, source) if slot else [], again=True)
        _mark(slot, source)
        waiting = [decode_event(raw) for raw in slot["waiting"]]
        slot["waiting"] = []
        return self._apply(slot, source, waiting, history)

    def on_tick(self, slot: Slot | None, source: Source) -> LiveStep:
        """Fire what is due on the call's clock; forget a tombstone that has served its time."""
        if slot is None or _seen(slot, source):
            return LiveStep(slot, _sent(slot, source) if slot else [], again=True)
        _mark(slot, source)
        now = self.clock().timestamp()
        if slot["ended"] is not None:
            return LiveStep(None if now >= slot["ended"] + self.keep_ended_s else slot)
        state = _state(slot)
        if state is None:
            return LiveStep(slot)
        call_now = _at(slot["event_ts"] + now - slot["arrived"])
        step = self.engine.advance(state, call_now, inclusive=True)
        return self._keep(slot, source, step.state, step.outputs)

    def wall_due(self, slot: Slot) -> float | None:
        """Wall-clock time (epoch seconds) at which the call next needs a tick."""
        if slot["ended"] is not None:
            return float(slot["ended"] + self.keep_ended_s)
        if slot["due"] is None:
            return None
        return float(slot["arrived"] + slot["due"] - slot["event_ts"])

    def _apply(
        self,
        slot: Slot,
        source: Source,
        events: Iterable[InputEvent],
        history: CallerHistory | None,
    ) -> LiveStep:
        state = _state(slot)
        outputs: list[OutputEvent] = []
        contact = None
        live = state is not None
        observed = Observed(queue=state.queue if state else None)
        for event in events:
            if state is not None:
                caught_up = self.engine.advance(state, event.ts)
                outputs += caught_up.outputs
                state = caught_up.state
            held = state.hold_started if state else None  # the engine updates state in place
            step: Step = self.engine.on_event(state, event, history)
            outputs += step.outputs
            contact = step.completed_contact or contact
            _observe(observed, state is None, held, step.state, event)
            state = step.state
            live = live or state is not None
            slot["event_ts"] = max(slot["event_ts"] or 0.0, event.ts.timestamp())
        slot["arrived"] = self.clock().timestamp()
        if live and state is None:
            slot["ended"] = slot["arrived"]
        if contact is not None:
            slot["contact"] = [contact[0], contact[1].isoformat()]
        step_out = self._keep(slot, source, state, outputs)
        step_out.contact = contact
        step_out.observed = observed
        return step_out

    def _keep(
        self, slot: Slot, source: Source, state: CallState | None, outputs: list[OutputEvent]
    ) -> LiveStep:
        slot["state"] = state
        slot["due"] = self.engine.next_deadline(state).timestamp() if state else None
        sent = [out.model_dump_json() for out in outputs]
        if sent:
            slot["sent"] = [*slot["sent"], [source.stream, source.offset, sent]][-KEEP_SENT:]
        observed = Observed(queue=state.queue if state else None)
        if state is None and slot["ended"] is None and not slot["waiting"]:
            return LiveStep(None, sent, observed=observed)
        return LiveStep(slot, sent, observed=observed)


def _observe(
    observed: Observed,
    new: bool,
    held: datetime | None,
    state: CallState | None,
    event: InputEvent,
) -> None:
    """Note what one event did: ``new`` if the call had no state, ``held`` its hold start."""
    if new and state is not None:
        observed.started.append(state.stage)
    if held is not None and (state is None or state.hold_started is None):
        observed.holds.append((event.ts - held).total_seconds())
    if state is not None:
        observed.queue = state.queue


def detached(slot: Slot) -> Slot:
    """A JSON-ready copy of ``slot`` that shares nothing with it: for a table to store, or to
    work on a stored slot without changing the table's copy."""
    state = slot["state"]
    return slot | {
        "state": state.to_dict() if isinstance(state, CallState) else state,
        "waiting": list(slot["waiting"]),
        "seen": dict(slot["seen"]),
        "sent": list(slot["sent"]),
    }


def queue_and_hold(slot: Slot) -> tuple[str | None, bool] | None:
    """A call's queue and whether it is on hold; None before its state exists or after it ended."""
    state = slot["state"]
    if state is None:
        return None
    if isinstance(state, CallState):
        return state.queue, state.hold_started is not None
    return state["queue"], state["hold_started"] is not None


def _state(slot: Slot) -> CallState | None:
    """The slot's call state, made live the first time a stored slot is worked on."""
    state: CallState | dict[str, Any] | None = slot["state"]
    if isinstance(state, dict):
        state = slot["state"] = CallState.from_dict(state)
    return state


def _seen(slot: Slot, source: Source) -> bool:
    last = slot["seen"].get(source.stream)
    return last is not None and source.offset <= last


def _mark(slot: Slot, source: Source) -> None:
    slot["seen"][source.stream] = source.offset


def _sent(slot: Slot, source: Source) -> list[str]:
    return [
        raw
        for stream, offset, sent in slot["sent"]
        if stream == source.stream and offset == source.offset
        for raw in sent
    ]


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
