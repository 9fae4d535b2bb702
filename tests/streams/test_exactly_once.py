"""faust's exactly_once processing guarantee, on the same scenario as replay."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from agent_assist.config import EngineConfig
from agent_assist.demo import load_demo
from agent_assist.engine import Engine
from agent_assist.replay import event_order, replay
from agent_assist.testing import CallScript
from streams.kafka_io import publish_profiles
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    BOOTSTRAP,
    WorkerProcess,
    collect,
    delete_topics,
    send_events,
    unique_settings,
)

HOLD_S = 4.0
ENV = {"AGENT_ASSIST_HOLD_THRESHOLD_S": str(HOLD_S),
       "AGENT_ASSIST_FIRST_TIME_HOLD_THRESHOLD_S": str(HOLD_S)}  # fmt: skip


async def read_committed(topic: str, count: int) -> list[dict]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest",
                                isolation_level="read_committed")  # fmt: skip
    await consumer.start()
    items: list[dict] = []
    try:
        async with asyncio.timeout(60):
            while len(items) < count:
                batch = await consumer.getmany(timeout_ms=500)
                items += [json.loads(m.value) for ms in batch.values() for m in ms]
    finally:
        await consumer.stop()
    return items


async def test_exactly_once_gives_the_same_guidance_as_replay(tmp_path: Path) -> None:
    settings = unique_settings("eos", tmp_path, partitions=2, processing_guarantee="exactly_once")
    await create_topics(settings)
    worker = WorkerProcess(settings, tmp_path / "worker.log", **ENV)
    try:
        await asyncio.to_thread(worker.wait_ready)
        events, history = load_demo()
        live = CallScript("eos-open-hold", datetime.now(UTC) - timedelta(seconds=1))
        live.hold(1)
        events += live.events
        await publish_profiles(settings, history)
        changelog = f"{settings.app_id}-callers-changelog"
        await collect(changelog, lambda items: len(items) >= len(history), decode=lambda m: m.key)
        await send_events(settings, sorted(events, key=event_order))
        config = EngineConfig(hold_threshold_s=HOLD_S, first_time_hold_threshold_s=HOLD_S)
        expected = [
            json.loads(o.model_dump_json()) for o in replay(Engine(config), events, history)
        ]
        received = await read_committed(settings.guidance_topic, len(expected))
        key = lambda item: (item["call_id"], item["ts"], item["prompt_id"], item["type"])  # noqa: E731
        assert sorted(received, key=key) == sorted(expected, key=key)
    finally:
        assert worker.stop() == 0, worker.log_path.read_text()[-3000:]
        await delete_topics(settings)
