"""A worker upgraded from a version whose faust agent read the calls goes on where that version's
group committed, not from the earliest offset (which would prompt on every retained call)."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from agent_assist.replay import event_order
from agent_assist.testing import CallScript
from models import InputEvent
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    BOOTSTRAP,
    WorkerProcess,
    collect,
    delete_topics,
    send_events,
    unique_settings,
)


def supervisor_call(call_id: str, start: datetime) -> list[InputEvent]:
    call = CallScript(call_id, start, queue=None)
    call.say("customer", "I want to speak to your supervisor right now", 1, 4)
    return call.events


async def test_a_partition_never_committed_starts_where_faust_s_group_left_it(
    tmp_path: Path,
) -> None:
    settings = unique_settings("upgrade", tmp_path, partitions=1)
    await create_topics(settings)
    start = datetime.now(UTC) - timedelta(minutes=1)
    old = sorted(supervisor_call("before-upgrade", start), key=event_order)
    await send_events(settings, old)
    # What the previous version's faust group committed once it had processed those events.
    faust_group = AIOKafkaConsumer(
        bootstrap_servers=BOOTSTRAP, group_id=settings.app_id, enable_auto_commit=False
    )
    await faust_group.start()
    try:
        events = TopicPartition(settings.call_events_topic, 0)
        faust_group.assign([events])
        await faust_group.commit({events: len(old)})
    finally:
        await faust_group.stop()
    await send_events(settings, supervisor_call("after-upgrade", start))
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    try:
        await asyncio.to_thread(worker.wait_ready)
        prompts = await collect(
            settings.guidance_topic,
            lambda items: any(i["call_id"] == "after-upgrade" for i in items),
        )
        prompts += await collect(settings.guidance_topic, lambda items: False, timeout=2)
    finally:
        assert worker.stop() == 0, worker.log_path.read_text()[-2000:]
        await delete_topics(settings)
    calls = {p["call_id"] for p in prompts}
    assert calls == {"after-upgrade"}, f"prompts for {calls}"
