"""The stream agents: bytes in, the engine, guidance out. No detection rules live here."""

import logging
from typing import Any

import faust
from pydantic import ValidationError

from agent_assist.decoding import InvalidEvent, decode_event
from agent_assist.live import LiveCalls, LiveStep, Source
from models import CallerHistory, caller_history_adapter
from streams import metrics
from streams.messages import (
    Contact,
    HistoryReply,
    Lookup,
    Tick,
    caller_adapter,
    control_adapter,
)
from streams.settings import Settings
from streams.topics import Topics, dead_letter_headers

log = logging.getLogger(__name__)
COUNTED_CALLS = 16
"""Recent call ids kept per caller, so a redelivered contact is not counted twice."""


def register_agents(
    app: faust.App,
    settings: Settings,
    topics: Topics,
    calls: faust.Table,
    callers: faust.Table,
    live: LiveCalls,
) -> None:
    async def send_dlq(message: Any, reason: str) -> None:
        metrics.INVALID_EVENTS.labels(reason=reason.split(":", 1)[0]).inc()
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

    async def apply(call_id: str, step: LiveStep, partition: int) -> None:
        for raw in step.outputs:
            await topics.guidance.send(key=call_id.encode(), value=raw.encode())
        metrics.PROMPTS.inc(len(step.outputs))
        if step.lookup:
            key, _ = step.lookup
            lookup = Lookup(caller_key=key, call_id=call_id, partition=partition)
            await topics.callers.send(key=key.encode(), value=lookup.model_dump_json().encode())
        if step.contact:
            key, ended = step.contact
            contact = Contact(caller_key=key, call_id=call_id, ended=ended)
            await topics.callers.send(key=key.encode(), value=contact.model_dump_json().encode())
        if step.slot is None:
            if call_id in calls:
                del calls[call_id]
        else:
            calls[call_id] = step.slot

    @app.agent(topics.calls_in, name="process_calls")
    async def process_calls(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            if message.topic == settings.control_topic:
                control = control_adapter.validate_json(event.value)
                slot = calls.get(control.call_id)
                source = Source("control", message.offset)
                if isinstance(control, HistoryReply):
                    step = live.on_history(slot, control.history, source)
                else:
                    step = live.on_tick(slot, source)
                await apply(control.call_id, step, message.partition)
                continue
            try:
                call_event = decode_event(event.value or b"")
            except InvalidEvent as err:
                await send_dlq(message, str(err))
                continue
            metrics.EVENTS.labels(type=call_event.type).inc()
            slot = calls.get(call_event.call_id)
            step = live.on_event(
                slot, call_event, Source("events", message.offset), message.partition
            )
            await apply(call_event.call_id, step, message.partition)

    @app.agent(topics.callers_in, name="resolve_callers")
    async def resolve_callers(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            if message.topic == settings.profiles_topic:
                try:
                    profile = caller_history_adapter.validate_json(event.value or b"")
                except ValidationError as err:
                    await send_dlq(message, f"customer profile: {err.errors()[0]['msg']}")
                    continue
                entry = callers.get(profile.customer_id) or {"counted": []}
                callers[profile.customer_id] = entry | {"history": profile.model_dump(mode="json")}
                continue
            request = caller_adapter.validate_json(event.value)
            entry = callers.get(request.caller_key) or {"history": None, "counted": []}
            history = (
                CallerHistory.model_validate(entry["history"])
                if entry["history"]
                else CallerHistory(customer_id=request.caller_key)
            )
            if isinstance(request, Lookup):
                reply = HistoryReply(call_id=request.call_id, history=history)
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
    async def tick_due_calls() -> None:
        now = live.clock().timestamp()
        for call_id, slot in list(calls.items()):
            due = live.wall_due(slot)
            if due is None or due > now or ticked.get(call_id) == due:
                continue
            ticked[call_id] = due
            tick = Tick(call_id=call_id).model_dump_json().encode()
            await topics.control.send(key=call_id.encode(), value=tick, partition=slot["partition"])
        for call_id in [c for c in ticked if c not in calls]:
            del ticked[call_id]
