"""Replay: the engine over a recorded event file, with a simulated clock.

Events are played in ``ts`` order; timers fire at their due time in between, and the ones still
pending at the end fire as if the clock ran on. Events at exactly a deadline are applied before
it: a hold that ends at its threshold is not a long hold. Events with equal ``ts`` are ordered by
type (``call_started`` first, ``call_ended`` last), then call and content, so the output never
depends on the order of lines in a file.
"""

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import count

from agent_assist.call_state import CallState
from agent_assist.engine import Engine, Step
from models import (
    EVENT_TYPES,
    CallerHistory,
    CallStarted,
    Guidance,
    GuidanceCleared,
    InputEvent,
    OutputEvent,
)


@dataclass(frozen=True, slots=True)
class Ignored:
    """An input event the engine did not apply, and why."""

    event: InputEvent
    reason: str


class Simulator:
    """Call states, caller history and pending timers for one run of the engine."""

    def __init__(self, engine: Engine, history: Iterable[CallerHistory] = ()):
        self.engine = engine
        self.history = {h.customer_id: h for h in history}
        self.calls: dict[str, CallState] = {}
        self._timers: list[tuple[datetime, int, str]] = []
        self._scheduled: dict[str, datetime] = {}
        self._seq = count()

    def feed(self, event: InputEvent) -> Step:
        """Apply one event (fire due timers first with ``advance_to``)."""
        history = None
        if isinstance(event, CallStarted):
            key = self.engine.caller_key(event)
            history = self.history.get(key) if key else None
        step = self.engine.on_event(self.calls.get(event.call_id), event, history)
        self._keep(event.call_id, step)
        return step

    def advance_to(self, now: datetime, inclusive: bool = False) -> Iterator[OutputEvent]:
        """Fire every timer due before ``now`` (or at it, if ``inclusive``), in due order."""
        while self._timers and (
            self._timers[0][0] < now or (inclusive and self._timers[0][0] == now)
        ):
            due, _, call_id = heapq.heappop(self._timers)
            if self._scheduled.get(call_id) != due:
                continue  # superseded by an earlier or later deadline
            del self._scheduled[call_id]
            step = self.engine.on_tick(self.calls[call_id], due)
            self._keep(call_id, step)
            yield from step.outputs

    def finish(self) -> Iterator[OutputEvent]:
        """Let the clock run on until no timer is left."""
        while self._timers:
            yield from self.advance_to(self._timers[0][0], inclusive=True)

    def _keep(self, call_id: str, step: Step) -> None:
        if step.completed_contact is not None:
            key, ended = step.completed_contact
            record = self.history.get(key) or CallerHistory(customer_id=key)
            self.history[key] = record.after_contact(ended)
        if step.state is None:
            self.calls.pop(call_id, None)
            self._scheduled.pop(call_id, None)
            return
        self.calls[call_id] = step.state
        due = self.engine.next_deadline(step.state)
        if self._scheduled.get(call_id) != due:
            self._scheduled[call_id] = due
            heapq.heappush(self._timers, (due, next(self._seq), call_id))


def event_order(event: InputEvent) -> tuple[datetime, int, str, str]:
    """Sort key: time, then a fixed order for ties."""
    return event.ts, EVENT_TYPES.index(event.type), event.call_id, event.model_dump_json()


def play(
    simulator: Simulator, events: Iterable[InputEvent]
) -> Iterator[InputEvent | OutputEvent | Ignored]:
    """Inputs in ``ts`` order, each followed by what it caused, with timer outputs in between."""
    for event in sorted(events, key=event_order):
        yield from simulator.advance_to(event.ts)
        yield event
        step = simulator.feed(event)
        if step.ignored:
            yield Ignored(event, step.ignored)
        yield from step.outputs
    yield from simulator.finish()


def replay(
    engine: Engine, events: Iterable[InputEvent], history: Iterable[CallerHistory] = ()
) -> list[OutputEvent]:
    """Every output of a run, in time order."""
    items = play(Simulator(engine, history), events)
    return [item for item in items if isinstance(item, Guidance | GuidanceCleared)]
