"""Two workers, one killed with SIGKILL mid-stream and restarted: no prompt lost."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent_assist.config import EngineConfig
from agent_assist.engine import Engine
from agent_assist.replay import event_order, replay
from agent_assist.testing import CallScript
from models import InputEvent
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    LONG_EMPATHY,
    WorkerProcess,
    collect,
    delete_topics,
    engine_env,
    send_events,
    unique_settings,
)

CALLS = 16
HOLD_S = 6.0
CONFIG = {"hold_threshold_s": HOLD_S, "first_time_hold_threshold_s": HOLD_S} | LONG_EMPATHY
ENV = engine_env(**CONFIG)
LINES = [
    ("customer", "Hi, my internet keeps dropping every evening."),
    ("agent", "I'm sorry to hear that, let me check your line."),
    ("customer", "This is ridiculous, it's the third time I'm calling about this."),
    ("agent", "uh-huh"),
    ("customer", "If it isn't fixed today I'm cancelling my contract."),
    ("agent", "I understand, I'll book an engineer now."),
]


def scripts(start: datetime) -> tuple[list[InputEvent], list[InputEvent], int]:
    """Phase one: calls start and talk. Phase two: more talk, then holds left open or ends."""
    first: list[InputEvent] = []
    second: list[InputEvent] = []
    open_holds = 0
    for n in range(CALLS):
        call = CallScript(f"crash-{n}", start, customer_id=f"crash-cust-{n}")
        at = 0.0
        for i, (speaker, text) in enumerate(LINES):
            overlap = 1.0 if n % 3 == 0 and speaker == "agent" and i == 1 else 0.0
            call.say(speaker, text, at - overlap, at - overlap + 2.5)  # type: ignore[arg-type]
            at += 3.0
        cut = 3 if n % 2 else 4
        if n % 4 == 0:
            call.hold(at)
            open_holds += 1
        else:
            call.end(at + 1)
        first += call.events[:cut]
        second += call.events[cut:]
    return first, second, open_holds


async def test_sigkill_mid_stream_loses_no_prompt(tmp_path: Path) -> None:
    settings = unique_settings("crash", tmp_path, partitions=4)
    await create_topics(settings)
    workers = [WorkerProcess(settings, tmp_path / f"w{n}.log", **ENV) for n in range(2)]
    try:
        for worker in workers:
            await asyncio.to_thread(worker.wait_ready)
        start = datetime.now(UTC) - timedelta(seconds=20)
        first, second, open_holds = scripts(start)
        config = EngineConfig(**CONFIG)
        expected = {
            o.prompt_id if o.type == "guidance" else f"clear:{o.prompt_id}": o.model_dump(
                mode="json"
            )
            for o in replay(Engine(config), first + second)
        }
        assert (
            open_holds
            and sum(v.get("kind") == "long_hold" for v in expected.values()) == open_holds
        )

        await send_events(settings, sorted(first, key=event_order))
        await collect(settings.guidance_topic, lambda items: len(items) >= CALLS)
        workers[0].kill()
        await send_events(settings, sorted(second, key=event_order))
        time.sleep(1)
        workers[0] = WorkerProcess(settings, tmp_path / "w0-restarted.log", **ENV)
        await asyncio.to_thread(workers[0].wait_ready)

        def key(item: dict) -> str:
            return item["prompt_id"] if item["type"] == "guidance" else f"clear:{item['prompt_id']}"

        received = await collect(
            settings.guidance_topic,
            lambda items: {key(i) for i in items} >= set(expected),
            timeout=60,
        )
        missing = sorted(
            (v["call_id"], v.get("kind", "clear"))
            for k, v in expected.items()
            if k not in {key(i) for i in received}
        )
        assert not missing, f"missing {missing}; logs in {tmp_path}"
        for item in received:  # duplicates are allowed, but only as exact copies
            assert item == expected[key(item)]
    finally:
        for worker in workers:
            worker.stop()
        await delete_topics(settings)
