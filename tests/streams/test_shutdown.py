"""SIGTERM in the middle of a stream: finish, commit, leave the group, exit 0, in bounded time."""

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from agent_assist.testing import CallScript
from models import InputEvent
from streams.topics import calls_group, create_topics
from tests.streams.kafka_harness import (
    BOOTSTRAP,
    WorkerProcess,
    collect,
    delete_topics,
    send_events,
    unique_settings,
)

CALLS = 8000
"""Enough that a worker (about 10,000 events/s) is still busy when the stop comes."""
SHUTDOWN_BOUND_S = 10


def escalating_calls(start: datetime) -> list[InputEvent]:
    """Calls with one escalation prompt each, so lost or repeated input shows in the output."""
    events: list[InputEvent] = []
    for n in range(CALLS):
        call = CallScript(f"stop-{n}", start, queue=None)
        call.say("agent", "Thanks for calling, how can I help?", 0.5, 2)
        call.say("customer", "I want to speak to your supervisor right now", 3, 6)
        call.say("agent", "I understand, let me look into it", 7, 9)
        events += call.events
    return events


async def group_state(group: str) -> tuple[str, int]:
    """(state, member count) of a consumer group, as the broker sees it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        _error, _group, state, _protocol_type, _protocol, members, *_ = response.groups[0]
        return state, len(members)
    finally:
        await admin.close()


async def test_sigterm_mid_stream_stops_cleanly_and_loses_nothing(tmp_path: Path) -> None:
    settings = unique_settings("shutdown", tmp_path, partitions=2)
    await create_topics(settings)
    first = WorkerProcess(settings, tmp_path / "first.log")
    try:
        await asyncio.to_thread(first.wait_ready)
        await send_events(settings, escalating_calls(datetime.now(UTC)))
        # Stop while the worker is still busy with the input.
        await collect(settings.guidance_topic, lambda items: len(items) >= 20, timeout=60)
        stopping = time.monotonic()
        assert await asyncio.to_thread(first.stop, 60) == 0, first.log_path.read_text()[-2000:]
        took = time.monotonic() - stopping
        assert took < SHUTDOWN_BOUND_S
        # It left the group (else its member would linger until the session timed out).
        assert await group_state(settings.app_id) == ("Empty", 0)
        assert await group_state(calls_group(settings)) == ("Empty", 0)
        done = await collect(settings.guidance_topic, lambda items: False, timeout=3)
        assert 0 < len(done) < CALLS  # it was stopped mid-stream
        second = WorkerProcess(settings, tmp_path / "second.log")
        try:
            prompts = await collect(
                settings.guidance_topic,
                lambda items: (
                    len({p["call_id"] for p in items if p["type"] == "guidance"}) >= CALLS
                ),
                timeout=90,
            )
        finally:
            assert second.stop() == 0, second.log_path.read_text()[-2000:]
        escalations = [p for p in prompts if p.get("kind") == "escalation_risk"]
        # Every call prompted, and each prompt sent once: the first worker committed what it
        # had finished, and the second one started there.
        assert len({p["call_id"] for p in escalations}) == CALLS
        assert len(escalations) == CALLS
    finally:
        first.stop()
        await delete_topics(settings)
