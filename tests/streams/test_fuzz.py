"""100,000 malformed messages among valid calls on the real broker: every one in its DLQ, no
worker restart, and the valid calls get exactly the prompts replay gives."""

import asyncio
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer

from agent_assist.config import EngineConfig
from agent_assist.decoding import decode_event
from agent_assist.engine import Engine
from agent_assist.replay import replay
from models import caller_history_adapter
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    BOOTSTRAP,
    LONG_EMPATHY,
    WorkerProcess,
    collect,
    delete_topics,
    engine_env,
    escalating_calls,
    unique_settings,
)

BAD_EVENTS = 60_000
BAD_PROFILES = 20_000
BAD_AUDIO = 20_000
CALLS = 40
BIG = 1_000_000  # characters in the longest strings: about the broker's message limit
Message = tuple[bytes | None, bytes | None, list[tuple[str, bytes | None]]]


def bad_json(rng: random.Random, valid: str) -> bytes:
    """One of the ways a message can be wrong, as bytes."""
    kind = rng.randrange(9)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 200))
    if kind == 1:
        return valid.encode()[: rng.randrange(0, len(valid))]  # truncated
    if kind == 2:
        return json.dumps({"type": "transcript", "nested": json.loads(valid)}).encode()
    data = json.loads(valid)
    if kind == 3:
        data[rng.choice(list(data))] = rng.choice([None, [], {}, 3.5, -1, True])
    elif kind == 4:
        data["type"] = rng.choice(["", "call_paused", "TRANSCRIPT", "x" * 50])
    elif kind == 5:
        data.pop(rng.choice([k for k in data if k not in ("schema_version",)]))
    elif kind == 6 and rng.random() < 0.02:
        data["call_id"] = "x" * BIG
    elif kind == 7:
        data["ts"] = rng.choice(["2026-13-45T99:00:00Z", "yesterday", 1764500000, ""])
    else:
        data["schema_version"] = rng.choice([0, 2, "1", None])
    return json.dumps(data).encode()


def invalid(rng: random.Random, valid: str, decode: Callable[[bytes], object]) -> bytes:
    """A message ``decode`` rejects: some changes leave a message valid, so try until one fails."""
    while True:
        candidate = bad_json(rng, valid)
        try:
            decode(candidate)
        except ValueError:  # pydantic's ValidationError and InvalidEvent both are
            return candidate


def bad_audio(rng: random.Random, n: int) -> Message:
    good: list[tuple[str, bytes | None]] = [
        ("speaker", b"customer"),
        ("seq", b"0"),
        ("sample_rate", b"8000"),
        ("encoding", b"pcm_s16le"),
        ("call_start", b"2026-11-23T10:00:00Z"),
    ]
    headers = list(good)
    kind = rng.randrange(6)
    value = b"\x00\x01" * rng.randrange(1, 400)
    if kind == 0:
        headers.pop(rng.randrange(len(headers)))
    elif kind == 1:
        i = rng.randrange(len(headers))
        headers[i] = (headers[i][0], rng.choice([b"", b"\xff\xfe", b"-1", b"44.1", None]))
    elif kind == 2:
        value = value + b"\x01"  # an odd number of bytes of 16-bit PCM
    elif kind == 3:
        headers = []
    elif kind == 4:
        headers.append(("offset_ms", rng.choice([b"-40", b"soon", b""])))
    else:
        headers[0] = ("speaker", rng.choice([b"caller", b"CUSTOMER", b"x" * 1000]))
    return f"fuzz-audio-{n}".encode(), value, headers


async def send_all(messages: list[tuple[str, Message]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, max_request_size=2 * BIG, linger_ms=20)
    await producer.start()
    try:
        pending = []
        for topic, (key, value, headers) in messages:
            pending.append(await producer.send(topic, value, key=key, headers=headers))
            if len(pending) >= 5_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def test_malformed_messages_all_reach_a_dlq_and_valid_calls_still_get_their_prompts(
    tmp_path: Path, model_path: Path
) -> None:
    settings = unique_settings("fuzz", tmp_path, partitions=4, vosk_model=model_path)
    await create_topics(settings)
    workers = [
        WorkerProcess(settings, tmp_path / "detection.log", **engine_env(**LONG_EMPATHY)),
        WorkerProcess.speech(settings, tmp_path / "asr.log"),
    ]
    try:
        for worker in workers:
            await asyncio.to_thread(worker.wait_ready)
        rng = random.Random(20261130)
        events = escalating_calls(
            "fuzz-call", CALLS, datetime.now(UTC) - timedelta(minutes=5), CALLS
        )
        engine = Engine(EngineConfig(**LONG_EMPATHY))
        expected = {o.prompt_id: o.model_dump(mode="json") for o in replay(engine, events)}
        valid = [e.model_dump_json() for e in events]
        profile = json.dumps({"customer_id": "fuzz-p", "contacts": 2, "advocate": False})
        bad: list[tuple[str, Message]] = []
        for n in range(BAD_EVENTS):
            bad.append(
                (
                    settings.call_events_topic,
                    (f"b{n}".encode(), invalid(rng, rng.choice(valid), decode_event), []),
                )
            )
        for n in range(BAD_PROFILES):
            bad.append(
                (
                    settings.profiles_topic,
                    (
                        f"p{n}".encode(),
                        invalid(rng, profile, caller_history_adapter.validate_json),
                        [],
                    ),
                )
            )
        for n in range(BAD_AUDIO):
            bad.append((settings.audio_topic, bad_audio(rng, n)))
        rng.shuffle(bad)
        step = len(bad) // len(events)
        mixed = [
            m
            for i, e in enumerate(events)
            for m in [
                (settings.call_events_topic, (e.call_id.encode(), valid[i].encode(), [])),
                *bad[i * step : (i + 1) * step],
            ]
        ] + bad[len(events) * step :]
        await send_all(mixed)

        dead = await collect(
            settings.dlq_topic,
            lambda items: len(items) >= BAD_EVENTS + BAD_PROFILES,
            timeout=240,
            decode=lambda m: (m.key, dict(m.headers)),
        )
        dead_audio = await collect(
            settings.audio_dlq_topic,
            lambda items: len(items) >= BAD_AUDIO,
            timeout=120,
            decode=lambda m: (m.key, dict(m.headers)),
        )
        assert len(dead) == BAD_EVENTS + BAD_PROFILES
        assert len(dead_audio) == BAD_AUDIO
        assert {k for k, _ in dead} == {
            k for _, (k, _, _) in bad if not k.startswith(b"fuzz-audio")
        }
        assert all(h["error"] and h["source_topic"] for _, h in dead + dead_audio)

        received = await collect(
            settings.guidance_topic, lambda items: {i["prompt_id"] for i in items} >= set(expected)
        )
        assert {i["prompt_id"]: i for i in received} == expected
        for worker in workers:
            assert worker.proc.poll() is None, worker.log_path.read_text()[-3000:]
    finally:
        for worker in workers:
            worker.stop()
        await delete_topics(settings)
