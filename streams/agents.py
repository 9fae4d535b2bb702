"""The stream agents: bytes in, the engine, guidance out. No detection rules live here."""

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import faust
from pydantic import ValidationError

from agent_assist.decoding import InvalidEvent, decode_event
from agent_assist.live import LiveCalls, LiveStep, Source, queue_and_hold
from models import CallerHistory, caller_history_adapter
from streams.checkpoint import CheckpointedSlots
from streams.messages import (
    Contact,
    HistoryReply,
    Lookup,
    Profile,
    Tick,
    caller_adapter,
    control_adapter,
)
from streams.metrics import DetectionMetrics
from streams.settings import Settings
from streams.topics import Topics, dead_letter_headers

log = logging.getLogger(__name__)
COUNTED_CALLS = 16
"""Recent call ids kept per caller, so a redelivered contact is not counted twice."""


def register_agents(
    app: faust.App,
    settings: Settings,
    topics: Topics,
    calls: CheckpointedSlots,
    callers: faust.Table,
    live: LiveCalls,
    metrics: DetectionMetrics,
) -> None:
    def owned() -> set[int]:
        """Partitions this worker processes (a table also holds standby copies of others)."""
        actives = app.assignor.assigned_actives()
        return {tp.partition for tp in actives if tp.topic == settings.call_events_topic}

    async def send_dlq(message: Any, source: str, reason: str) -> None:
        metrics.invalid.labels(source, reason.split(":", 1)[0]).inc()
        log.warning(
            "invalid message at %s[%s]@%s: %s",
            message.topic,
            message.partition,
            message.offset,
            reason,
        )
        await topics.dlq.send(
            key=message.key,
            value=message.value or b"",
            headers=dead_letter_headers(message, reason),
        )

    async def apply(call_id: str, step: LiveStep, event: faust.EventT, trigger: Trigger) -> None:
        partition = event.message.partition
        for raw in step.outputs:
            await topics.guidance.send(key=call_id.encode(), value=raw.encode())
        if not step.again:  # a redelivered input was counted the first time
            metrics.observe(step.observed)
            waited = live.clock().timestamp() - trigger.since
            metrics.outputs(step.outputs, step.observed.queue, trigger.name, waited)
        if step.lookup:
            key, _ = step.lookup
            lookup = Lookup(
                caller_key=key, call_id=call_id, partition=partition, since=trigger.since
            )
            await topics.callers.send(key=key.encode(), value=lookup.model_dump_json().encode())
        if step.contact:
            key, ended = step.contact
            contact = Contact(caller_key=key, call_id=call_id, ended=ended)
            await topics.callers.send(key=key.encode(), value=contact.model_dump_json().encode())
        calls.put(call_id, step.slot, event)

    @app.agent(topics.calls_in, name="process_calls")
    async def process_calls(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            arrived = message.timestamp  # seconds (faust converts Kafka's milliseconds)
            if message.topic == settings.control_topic:
                control = control_adapter.validate_json(event.value)
                slot = calls.get(control.call_id)
                source = Source("control", message.offset)
                if isinstance(control, HistoryReply):
                    step = live.on_history(slot, control.history, source)
                    trigger = Trigger("history", control.since or arrived)
                else:
                    step = live.on_tick(slot, source)
                    trigger = Trigger("timer", control.since or arrived)
                await apply(control.call_id, step, event, trigger)
                continue
            try:
                call_event = decode_event(event.value or b"")
            except InvalidEvent as err:
                await send_dlq(message, "events", str(err))
                continue
            metrics.events.labels(call_event.type).inc()
            slot = calls.get(call_event.call_id)
            step = live.on_event(
                slot, call_event, Source("events", message.offset), message.partition
            )
            trigger = Trigger("event", arrived)
            await apply(call_event.call_id, step, event, trigger)

    @app.agent(topics.profiles_in, name="rekey_profiles")
    async def rekey_profiles(stream: faust.StreamT[bytes]) -> None:
        """A profile may sit on any partition (its producer's partitioner picked it): send it on,
        keyed by customer, to the partition where lookups for that customer go."""
        async for event in stream.events():
            try:
                profile = caller_history_adapter.validate_json(event.value or b"")
            except ValidationError as err:
                problem = err.errors()[0]
                field = ".".join(map(str, problem["loc"])) or "(json)"
                await send_dlq(event.message, "profiles", f"{field}: {problem['msg']}")
                continue
            await topics.callers.send(
                key=profile.customer_id.encode(),
                value=Profile(history=profile).model_dump_json().encode(),
            )

    @app.agent(topics.callers_in, name="resolve_callers")
    async def resolve_callers(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            request = caller_adapter.validate_json(event.value)
            if isinstance(request, Profile):
                key = request.history.customer_id
                entry = callers.get(key) or {"counted": []}
                callers[key] = entry | {"history": request.history.model_dump(mode="json")}
                continue
            entry = callers.get(request.caller_key) or {"history": None, "counted": []}
            history = (
                CallerHistory.model_validate(entry["history"])
                if entry["history"]
                else CallerHistory(customer_id=request.caller_key)
            )
            if isinstance(request, Lookup):
                reply = HistoryReply(call_id=request.call_id, history=history, since=request.since)
                await topics.control.send(
                    key=request.call_id.encode(),
                    partition=request.partition,
                    value=reply.model_dump_json().encode(),
                )
            elif request.call_id not in entry["counted"]:
                callers[request.caller_key] = {
                    "history": history.after_contact(request.ended).model_dump(mode="json"),
                    "counted": [*entry["counted"], request.call_id][-COUNTED_CALLS:],
                }

    ticked: dict[str, float] = {}

    @app.timer(interval=settings.tick_interval_s, name="tick_due_calls")
    @keep_running
    async def tick_due_calls() -> None:
        now = live.clock().timestamp()
        mine = owned()
        present = set()
        for call_id, slot in calls.items():
            present.add(call_id)
            due = live.wall_due(slot)
            if slot["partition"] not in mine or due is None or due > now:
                continue
            if ticked.get(call_id) == due:
                continue
            ticked[call_id] = due
            tick = Tick(call_id=call_id, since=due).model_dump_json().encode()
            await topics.control.send(key=call_id.encode(), value=tick, partition=slot["partition"])
        for call_id in [c for c in ticked if c not in present]:
            del ticked[call_id]

    @app.timer(interval=settings.lag_interval_s, name="measure")
    @keep_running
    async def measure() -> None:
        """Live-call gauges from the table, and the lag of every input partition we own."""
        mine = owned()
        metrics.live(
            summary
            for _, slot in calls.items()
            if slot["partition"] in mine and (summary := queue_and_hold(slot))
        )
        sources = {
            settings.call_events_topic,
            settings.control_topic,
            settings.caller_topic,
            settings.profiles_topic,
        }
        tps = [tp for tp in app.assignor.assigned_actives() if tp.topic in sources]
        if not tps:
            metrics.consumer_lag({})
            return
        ends = await app.consumer.highwaters(*tps)
        committed = app.monitor.tp_committed_offsets
        lags = {}
        for tp in tps:
            done = committed.get(tp)
            if done is None:
                done = await app.consumer.position(tp) or 0
            lags[(tp.topic, tp.partition)] = max(ends.get(tp, 0) - done, 0)
        metrics.consumer_lag(lags)


def keep_running(timer: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """faust ends a timer for good the first time it raises: log instead, and run next time."""

    @functools.wraps(timer)
    async def run() -> None:
        try:
            await timer()
        except Exception:
            log.exception("timer %s failed; it runs again at its next interval", timer.__name__)

    return run


@dataclass(frozen=True, slots=True)
class Trigger:
    """What caused a step (event, timer or history) and when, in epoch seconds."""

    name: str
    since: float
