"""The worker pipeline on the real broker: two workers, the demo calls, bad input, history."""

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from confluent_kafka import Producer

from agent_assist.config import EngineConfig
from agent_assist.engine import Engine
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from models import CallerHistory
from streams.settings import Settings
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    WorkerProcess,
    collect,
    delete_topics,
    engine_env,
    partition_of,
    publish_demo,
    send_events,
    send_raw,
    unique_settings,
)

HOLD_S, FIRST_HOLD_S, DEAD_AIR_S = 5.0, 4.0, 3.0
THRESHOLDS = {
    "hold_threshold_s": HOLD_S,
    "first_time_hold_threshold_s": FIRST_HOLD_S,
    "dead_air_s": DEAD_AIR_S,
}
CONFIG = EngineConfig(**THRESHOLDS)
WORKER_ENV = engine_env(**THRESHOLDS)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    tmp = tmp_path_factory.mktemp("pipeline")
    settings = unique_settings("pipeline", tmp, partitions=4)
    asyncio.run(create_topics(settings))
    workers = [WorkerProcess(settings, tmp / f"worker-{n}.log", **WORKER_ENV) for n in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        yield settings
    finally:
        for worker in workers:
            assert worker.stop() == 0, worker.log_path.read_text()[-2000:]
            assert not worker.timer_failures(), worker.log_path.read_text()[-5000:]
        asyncio.run(delete_topics(settings))


def by_call(outputs: list[dict]) -> dict[str, list[dict]]:
    calls: dict[str, list[dict]] = {}
    for out in outputs:
        calls.setdefault(out["call_id"], []).append(out)
    return calls


async def test_demo_calls_give_the_same_guidance_as_replay(pipeline: Settings) -> None:
    events, history = await publish_demo(pipeline)
    expected = [json.loads(o.model_dump_json()) for o in replay(Engine(CONFIG), events, history)]
    received = await collect(pipeline.guidance_topic, lambda items: len(items) >= len(expected))
    assert by_call(received) == by_call(expected)


async def test_bad_input_goes_to_the_dlq_and_good_events_still_flow(pipeline: Settings) -> None:
    call = CallScript("dlq-good", datetime.now(UTC), customer_id="dlq-cust")
    call.say("customer", "I want a supervisor now", 1, 3)
    bad_schema = json.dumps({"type": "transcript", "call_id": "dlq-bad", "ts": "yesterday"})
    await send_raw(
        pipeline.call_events_topic,
        [(b"dlq-bytes", b"\xff\xfe not json"), (b"dlq-bad", bad_schema.encode())],
    )
    await send_events(pipeline, call.events)
    dead = await collect(pipeline.dlq_topic, lambda items: len(items) >= 2, decode=lambda m: m)
    dead.sort(key=lambda m: m.key)  # the two keys may sit on different partitions
    assert [m.value for m in dead] == [bad_schema.encode(), b"\xff\xfe not json"]
    headers = [dict(m.headers) for m in reversed(dead)]
    assert headers[0]["error"].startswith(b"(json): not valid JSON")
    assert b"ts: Value error, must be an RFC3339 timestamp" in headers[1]["error"]
    assert headers[1]["source_topic"] == pipeline.call_events_topic.encode()
    assert {h["source_partition"] for h in headers} <= {str(p).encode() for p in range(4)}
    assert all(h["source_offset"].isdigit() for h in headers)
    prompts = await collect(
        pipeline.guidance_topic, lambda items: sum(i["call_id"] == "dlq-good" for i in items) >= 2
    )
    assert [p["kind"] for p in prompts if p["call_id"] == "dlq-good"] == [
        "first_time_caller",
        "escalation_risk",
    ]


async def test_returning_caller_whose_calls_land_on_different_partitions(
    pipeline: Settings,
) -> None:
    first_id = "xp-first"
    second_id = next(
        f"xp-second-{n}"
        for n in range(100)
        if partition_of(f"xp-second-{n}", 4) != partition_of(first_id, 4)
    )
    start = datetime.now(UTC)
    first = CallScript(first_id, start, customer_id="xp-customer")
    first.end(30)
    await send_events(pipeline, first.events)
    changelog = f"{pipeline.app_id}-callers-changelog"
    await collect(
        changelog,
        lambda items: b"xp-customer" in b"".join(items),
        decode=lambda m: m.key + (m.value or b""),
    )
    second = CallScript(second_id, start + timedelta(minutes=5), customer_id="xp-customer")
    await send_events(pipeline, second.events)
    prompts = await collect(
        pipeline.guidance_topic, lambda items: sum(i["call_id"] == second_id for i in items) >= 2
    )
    # The two calls' prompts are on different partitions: no order between them.
    kinds = {(p["call_id"], p["kind"]) for p in prompts if p["call_id"].startswith("xp-")}
    assert kinds == {
        (first_id, "first_time_caller"),
        (second_id, "returning_caller"),
        (second_id, "repeat_contact"),
    }


async def test_call_state_is_written_per_commit_not_per_event(pipeline: Settings) -> None:
    call = CallScript("ckpt", datetime.now(UTC) - timedelta(minutes=3), customer_id=None)
    for n in range(120):
        call.say("agent" if n % 2 else "customer", "Let me check that for you.", n, n + 0.8)
    await send_events(pipeline, call.events)
    changelog = f"{pipeline.app_id}-calls-changelog"
    last = call.events[-1].ts.timestamp()

    def applied(items: list[dict | None]) -> bool:
        """The call's latest write (other calls' writes, decoded as None, are skipped)."""
        mine = [i for i in items if i is not None]
        return bool(mine) and mine[-1]["event_ts"] > last - 0.001

    writes = await collect(
        changelog,
        applied,
        decode=lambda m: json.loads(m.value) if m.key == b'"ckpt"' and m.value else None,
    )
    writes = [w for w in writes if w is not None]
    assert applied(writes), "the call's final state never reached the changelog"
    assert len(writes) < len(call.events) / 4, f"{len(writes)} writes for {len(call.events)} events"


async def first_prompt(pipeline: Settings, call_id: str) -> tuple[dict, float]:
    """The first prompt for ``call_id`` on the guidance topic, and when the worker sent it (the
    record's create time: a slow reader here must not look like a late timer there)."""
    arrival: dict[str, float] = {}

    def mark(message: object) -> dict:
        item = json.loads(message.value)  # type: ignore[attr-defined]
        arrival.setdefault(item["prompt_id"], message.timestamp / 1000)  # type: ignore[attr-defined]
        return item

    prompts = await collect(
        pipeline.guidance_topic,
        lambda items: any(i["call_id"] == call_id for i in items),
        timeout=30,
        decode=mark,
    )
    (prompt,) = [p for p in prompts if p["call_id"] == call_id]
    return prompt, arrival[prompt["prompt_id"]]


async def test_an_open_hold_fires_on_the_wall_clock(pipeline: Settings) -> None:
    call = CallScript("live-hold", datetime.now(UTC) - timedelta(seconds=0.5))  # unknown caller
    hold = call.hold(0.5)  # now
    await send_events(pipeline, call.events)
    prompt, arrived = await first_prompt(pipeline, "live-hold")
    assert prompt["kind"] == "long_hold"
    late = arrived - (hold.ts.timestamp() + HOLD_S)
    assert -0.05 <= late <= 1.0, f"long_hold arrived {late:.2f}s after its due time"


async def test_dead_air_fires_on_the_wall_clock_and_clears_at_the_next_speech(
    pipeline: Settings,
) -> None:
    call = CallScript("live-silence", datetime.now(UTC) - timedelta(seconds=2))
    call.say("customer", "my router", 0.5, 1.5, final=False)
    spoken = call.say("customer", "my router is broken", 0.5, 2)  # now
    await send_events(pipeline, call.events)
    prompt, arrived = await first_prompt(pipeline, "live-silence")
    assert prompt["kind"] == "dead_air"
    late = arrived - (spoken.ts.timestamp() + DEAD_AIR_S)
    assert -0.05 <= late <= 1.0, f"dead_air arrived {late:.2f}s after its due time"
    again = CallScript("live-silence", call.start)
    await send_events(pipeline, [again.say("agent", "Sorry, still checking.", 10, 11)])
    cleared = await collect(
        pipeline.guidance_topic,
        lambda items: any(i.get("prompt_id") == prompt["prompt_id"] and i["type"] ==
                          "guidance_cleared" for i in items),
    )  # fmt: skip
    assert any(i["type"] == "guidance_cleared" for i in cleared)


async def test_profiles_and_calls_from_a_client_with_another_partitioner(
    pipeline: Settings,
) -> None:
    """librdkafka's default partitioner (CRC32, as in kcat and the confluent clients) puts many
    keys elsewhere than Java's murmur2: every caller must still get their own stage."""
    producer = Producer({"bootstrap.servers": pipeline.kafka_bootstrap})
    landed: dict[str, int] = {}

    def delivered(err: object, message: object) -> None:
        assert err is None, err
        landed[message.key().decode()] = message.partition()

    customers = [f"crc-{n}" for n in range(12)]
    for customer in customers:
        record = CallerHistory(customer_id=customer, contacts=5)
        producer.produce(
            pipeline.profiles_topic, record.model_dump_json(), customer, on_delivery=delivered
        )
    producer.flush(10)
    moved = [c for c in customers if landed[c] != partition_of(c, 4)]
    assert len(moved) >= 4, landed  # the test means something only if many moved
    changelog = f"{pipeline.app_id}-callers-changelog"
    await collect(
        changelog,
        lambda items: all(c.encode() in b"".join(items) for c in customers),
        decode=lambda m: m.key,
    )
    start = datetime.now(UTC)
    for n, customer in enumerate(customers):
        call = CallScript(f"crc-call-{n}", start, customer_id=customer)
        for event in call.events:
            producer.produce(pipeline.call_events_topic, event.model_dump_json(), call.call_id)
    producer.flush(10)
    prompts = await collect(
        pipeline.guidance_topic,
        lambda items: sum(i["call_id"].startswith("crc-call-") for i in items) >= len(customers),
    )
    stages = {p["call_id"]: p["kind"] for p in prompts if p["call_id"].startswith("crc-call-")}
    assert stages == {f"crc-call-{n}": "regular_caller" for n in range(len(customers))}
