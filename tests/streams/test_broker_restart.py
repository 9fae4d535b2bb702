"""The broker restarts under load: no prompt lost, repeats only as exact copies, and the workers
carry on without a restart of their own."""

import asyncio
import functools
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer

from agent_assist.config import EngineConfig
from agent_assist.engine import Engine
from agent_assist.replay import replay
from models import InputEvent
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    BOOTSTRAP,
    LONG_EMPATHY,
    WorkerProcess,
    collect,
    delete_topics,
    engine_env,
    escalating_calls,
)
from tests.streams.kafka_harness import unique_settings as settings_for

KAFKA = Path(__file__).parents[2] / "deploy" / "kafka" / "kafka.sh"
CALLS = 1_500
RATE = 300  # events per second offered
RESTART_AFTER_S = 5


async def offer(topic: str, events: list[InputEvent]) -> None:
    """Send at ``RATE``, retrying what the broker refuses while it is away."""
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, request_timeout_ms=5000)
    await producer.start()
    try:
        began = time.monotonic()
        for i, event in enumerate(events):
            await asyncio.sleep(max(0.0, began + i / RATE - time.monotonic()))
            while True:
                try:
                    key, value = event.call_id.encode(), event.model_dump_json().encode()
                    await (await producer.send(topic, value, key=key))
                    break
                except Exception:  # the broker is down: wait and send again
                    await asyncio.sleep(0.5)
    finally:
        await producer.stop()


def restart_broker() -> None:
    subprocess.run([str(KAFKA), "down"], check=True, capture_output=True)
    subprocess.run([str(KAFKA), "up"], check=True, capture_output=True)


async def test_a_broker_restart_under_load_loses_no_prompt(tmp_path: Path) -> None:
    settings = settings_for("restart", tmp_path, partitions=4)
    await create_topics(settings)
    env = engine_env(**LONG_EMPATHY)
    workers = [WorkerProcess(settings, tmp_path / f"w{n}.log", **env) for n in range(2)]
    try:
        for worker in workers:
            await asyncio.to_thread(worker.wait_ready)
        events = escalating_calls("restart", CALLS, datetime.now(UTC) - timedelta(minutes=5), 500)
        engine = Engine(EngineConfig(**LONG_EMPATHY))
        expected = {o.prompt_id: o.model_dump(mode="json") for o in replay(engine, events)}
        assert len(expected) == 2 * CALLS  # first_time_caller and escalation_risk per call

        load = asyncio.create_task(offer(settings.call_events_topic, events))
        await asyncio.sleep(RESTART_AFTER_S)
        assert not load.done()
        await asyncio.to_thread(restart_broker)
        # The load ran on through the outage, from before it until after. (A send in flight may
        # still succeed: aiokafka retries it for up to request_timeout_ms, longer than a quick
        # restart takes, so counting refused sends proved nothing on a fast machine.)
        assert not load.done()
        await load

        received = await collect(
            settings.guidance_topic,
            lambda items: {i["prompt_id"] for i in items} >= set(expected),
            timeout=120,
        )
        missing = set(expected) - {i["prompt_id"] for i in received}
        assert not missing, f"{len(missing)} prompts missing; logs in {tmp_path}"
        for item in received:  # a prompt may repeat, but only as an exact copy
            assert item == expected[item["prompt_id"]]
        for worker in workers:
            assert worker.proc.poll() is None, worker.log_path.read_text()[-3000:]
            ready = await asyncio.to_thread(wait_for, functools.partial(worker.get, "/readyz"))
            assert ready[0] == 200, ready
    finally:
        for worker in workers:
            worker.stop()
        await delete_topics(settings)


def wait_for(probe: Callable[[], tuple[int, str]], timeout: float = 60) -> tuple[int, str]:
    """Poll ``probe`` until it answers 200 or the timeout; the last answer."""
    deadline = time.monotonic() + timeout
    answer = probe()
    while answer[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        answer = probe()
    return answer
