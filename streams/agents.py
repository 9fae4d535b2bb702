"""The stream agents: bytes in, the engine, guidance out. No detection rules live here."""

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator

import faust
from pydantic import ValidationError

from agent_assist.live import LiveCalls, Slot, detached, queue_and_hold
from models import CallerHistory, caller_history_adapter
from streams.call_consumer import CallConsumer
from streams.detection import Detection, Input, Send
from streams.messages import HistoryReply, Lookup, Profile, caller_adapter
from streams.metrics import DetectionMetrics
from streams.settings import Settings
from streams.topics import Topics

log = logging.getLogger(__name__)
COUNTED_CALLS = 16
"""Recent call ids kept per caller, so a redelivered contact is not counted twice."""


def register_agents(
    app: faust.App,
    settings: Settings,
    topics: Topics,
    calls: CallConsumer | faust.Table,
    callers: faust.Table,
    live: LiveCalls,
    metrics: DetectionMetrics,
) -> None:
    """The caller agents, the timers and, under exactly-once, the calls agent. At-least-once,
    ``calls`` is the checkpointed consumer, which reads the calls itself."""
    detection = Detection(settings, live, metrics, faust_sender(settings, topics))

    def owned() -> set[int]:
        """Partitions this worker processes (a table also holds standby copies of others)."""
        if isinstance(calls, CallConsumer):
            return calls.owned()
        actives = app.assignor.assigned_actives()
        return {tp.partition for tp in actives if tp.topic == settings.call_events_topic}

    def call_slots() -> Iterator[tuple[str, Slot]]:
        return calls.store.items() if isinstance(calls, CallConsumer) else iter(calls.items())

    if isinstance(calls, faust.Table):
        register_transactional_calls(app, settings, topics, detection, calls, owned)

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
                await detection.dead_letter(event.message, "profiles", f"{field}: {problem['msg']}")
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

    @app.timer(interval=settings.lag_interval_s, name="measure")
    @keep_running
    async def measure() -> None:
        """Live-call gauges from the table, and the lag of every input partition we own."""
        mine = owned()
        metrics.live(
            summary
            for _, slot in call_slots()
            if slot["partition"] in mine and (summary := queue_and_hold(slot))
        )
        sources = {
            settings.call_events_topic,
            settings.control_topic,
            settings.caller_topic,
            settings.profiles_topic,
        }
        tps = [tp for tp in app.assignor.assigned_actives() if tp.topic in sources]
        lags = calls.lags() if isinstance(calls, CallConsumer) else {}
        ends = await app.consumer.highwaters(*tps) if tps else {}
        committed = app.monitor.tp_committed_offsets
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


def register_transactional_calls(
    app: faust.App,
    settings: Settings,
    topics: Topics,
    detection: Detection,
    table: faust.Table,
    owned: Callable[[], set[int]],
) -> None:
    """Under exactly-once, faust reads the calls: each event's prompts, requests and state
    write join its transaction."""
    slots = TableSlots(table)

    @app.agent(topics.calls_in, name="process_calls")
    async def process_calls(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            m = event.message
            message = Input(m.topic, m.partition, m.offset, m.timestamp, m.key, m.value)
            await detection.handle(message, slots)

    ticked: dict[str, float] = {}

    @app.timer(interval=settings.tick_interval_s, name="tick_due_calls")
    @keep_running
    async def tick_due_calls() -> None:
        await detection.tick_due(iter(table.items()), owned(), ticked)


class TableSlots:
    """faust's ``calls`` table as the agent's store: a slot is written at each of its events,
    so that faust puts the write on the event's partition and in its transaction."""

    def __init__(self, table: faust.Table) -> None:
        self.table = table

    def get(self, call_id: str) -> Slot | None:
        stored = self.table.get(call_id)
        return None if stored is None else detached(stored)

    def put(self, call_id: str, slot: Slot | None) -> None:
        if slot is not None:
            self.table[call_id] = detached(slot)
        elif call_id in self.table:
            del self.table[call_id]


def faust_sender(settings: Settings, topics: Topics) -> Send:
    """Sends through faust's topics (and so, under exactly-once, in the event's transaction)."""
    by_name = {
        settings.guidance_topic: topics.guidance,
        settings.caller_topic: topics.callers,
        settings.control_topic: topics.control,
        settings.dlq_topic: topics.dlq,
    }

    async def send(
        topic: str,
        key: bytes | None,
        value: bytes,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        await by_name[topic].send(key=key, value=value, partition=partition, headers=headers)

    return send
