"""One input on the detection path: decode it, step its call, send what the step says.

Two loops drive it: the checkpointed consumer (``streams.call_consumer``, at-least-once) and
faust's agent (``streams.agents``, exactly-once, where every send joins the transaction).
Each brings its own way to send and its own store of call slots.
"""

import logging
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from agent_assist.decoding import InvalidEvent, decode_event
from agent_assist.live import LiveCalls, LiveStep, Slot, Source
from streams.messages import Contact, HistoryReply, Lookup, Tick, control_adapter
from streams.metrics import DetectionMetrics
from streams.settings import Settings
from streams.topics import dead_letter_headers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Input:
    """A message from ``call-events`` or ``call-control``, whichever client read it."""

    topic: str
    partition: int
    offset: int
    arrived: float
    """When the broker got it (the record's timestamp), in epoch seconds."""
    key: bytes | None
    value: bytes | None


class Send(Protocol):
    def __call__(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> Awaitable[None]: ...


class Slots(Protocol):
    def get(self, call_id: str) -> Slot | None: ...

    def put(self, call_id: str, slot: Slot | None) -> None:
        """Store the call's slot (None: delete it) after one of its inputs."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """What caused a step (event, timer or history) and when, in epoch seconds."""

    name: str
    since: float


class Detection:
    """Applies inputs to call slots and sends prompts, caller requests and dead letters."""

    def __init__(
        self, settings: Settings, live: LiveCalls, metrics: DetectionMetrics, send: Send
    ) -> None:
        self.settings = settings
        self.live = live
        self.metrics = metrics
        self.send = send

    async def handle(self, message: Input, slots: Slots) -> None:
        if message.topic == self.settings.control_topic:
            control = control_adapter.validate_json(message.value or b"")
            slot = slots.get(control.call_id)
            source = Source("control", message.offset)
            if isinstance(control, HistoryReply):
                step = self.live.on_history(slot, control.history, source)
                trigger = Trigger("history", control.since or message.arrived)
            else:
                step = self.live.on_tick(slot, source)
                trigger = Trigger("timer", control.since or message.arrived)
            await self.apply(control.call_id, step, message.partition, trigger)
            slots.put(control.call_id, step.slot)
            return
        try:
            event = decode_event(message.value or b"")
        except InvalidEvent as err:
            await self.dead_letter(message, "events", str(err))
            return
        self.metrics.events.labels(event.type).inc()
        slot = slots.get(event.call_id)
        source = Source("events", message.offset)
        step = self.live.on_event(slot, event, source, message.partition)
        await self.apply(event.call_id, step, message.partition, Trigger("event", message.arrived))
        slots.put(event.call_id, step.slot)

    async def apply(self, call_id: str, step: LiveStep, partition: int, trigger: Trigger) -> None:
        settings = self.settings
        for raw in step.outputs:
            await self.send(settings.guidance_topic, call_id.encode(), raw.encode())
        if not step.again:  # a redelivered input was counted the first time
            self.metrics.observe(step.observed)
            waited = self.live.clock().timestamp() - trigger.since
            self.metrics.outputs(step.outputs, step.observed.queue, trigger.name, waited)
        if step.lookup:
            key, _ = step.lookup
            lookup = Lookup(
                caller_key=key, call_id=call_id, partition=partition, since=trigger.since
            )
            await self.send(settings.caller_topic, key.encode(), lookup.model_dump_json().encode())
        if step.contact:
            key, ended = step.contact
            contact = Contact(caller_key=key, call_id=call_id, ended=ended)
            await self.send(settings.caller_topic, key.encode(), contact.model_dump_json().encode())

    async def dead_letter(self, message: Any, source: str, reason: str) -> None:
        """Count it, log where it was (never its content) and copy it to the dead-letter topic."""
        self.metrics.invalid.labels(source, reason.split(":", 1)[0]).inc()
        log.warning(
            "invalid message at %s[%s]@%s: %s",
            message.topic,
            message.partition,
            message.offset,
            reason,
        )
        await self.send(
            self.settings.dlq_topic,
            message.key,
            message.value or b"",
            headers=dead_letter_headers(message, reason),
        )

    async def tick_due(
        self, calls: Iterable[tuple[str, Slot]], mine: set[int], ticked: dict[str, float]
    ) -> None:
        """Ask each call on ``mine`` whose deadline has passed for a tick, once per deadline
        (``ticked`` remembers them), through its partition of the control topic, so that the
        tick is an input like any other: ordered with the call's events, replayed after a
        crash."""
        now = self.live.clock().timestamp()
        present = set()
        for call_id, slot in calls:
            present.add(call_id)
            due = self.live.wall_due(slot)
            if slot["partition"] not in mine or due is None or due > now:
                continue
            if ticked.get(call_id) == due:
                continue
            ticked[call_id] = due
            tick = Tick(call_id=call_id, since=due).model_dump_json().encode()
            await self.send(
                self.settings.control_topic, call_id.encode(), tick, partition=slot["partition"]
            )
        for call_id in [c for c in ticked if c not in present]:
            del ticked[call_id]
