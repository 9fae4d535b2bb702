"""Kafka over SASL_SSL (SCRAM-SHA-512 over TLS) with least-privilege ACLs, on the real broker.

``deploy/kafka/kafka.sh up`` starts the secure listener beside the plain one and keeps its CA and
the SCRAM users' passwords in the cache; ACLs are applied here, as the ``admin`` user.
"""

import asyncio
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from pydantic import SecretStr

from agent_assist.config import EngineConfig
from agent_assist.demo import load_demo
from agent_assist.engine import Engine
from agent_assist.replay import replay
from streams.acls import acls, apply
from streams.desk_links import LINK_TTL, DeskKeys
from streams.kafka_io import produce_events, publish_profiles
from streams.preflight import check_broker
from streams.settings import Settings
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    WorkerProcess,
    collect,
    delete_topics,
    unique_settings,
)
from tests.streams.test_asr_worker import DATA, channels, chunks, interleave, send_with_headers

CACHE = Path(os.environ.get("KAFKA_CACHE_DIR", Path(__file__).parents[2] / ".cache" / "kafka"))
SECURE = CACHE / "secure"
SASL_SSL = f"127.0.0.1:{os.environ.get('KAFKA_SASL_SSL_PORT', '9094')}"
DESKTOP_SECRET = "secure-desk"


def passwords() -> dict[str, str]:
    lines = (SECURE / "users.env").read_text().split()
    return dict(line.split("=", 1) for line in lines)


def as_user(settings: Settings, user: str, password: str | None = None, **tls: Any) -> Settings:
    """``settings`` connecting to the SASL_SSL listener as ``user``."""
    return settings.model_copy(
        update={
            "kafka_bootstrap": SASL_SSL,
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_username": user,
            "sasl_password": SecretStr(password or passwords()[user]),
            "ssl_cafile": SECURE / "ca.pem",
        }
        | tls
    )


def env_as(user: str, password: str | None = None) -> dict[str, str]:
    """A process's environment to connect as ``user`` (on top of its settings)."""
    return {
        "AGENT_ASSIST_KAFKA_BOOTSTRAP": SASL_SSL,
        "AGENT_ASSIST_SECURITY_PROTOCOL": "SASL_SSL",
        "AGENT_ASSIST_SASL_MECHANISM": "SCRAM-SHA-512",
        "AGENT_ASSIST_SASL_USERNAME": user,
        "AGENT_ASSIST_SASL_PASSWORD": password or passwords()[user],
        "AGENT_ASSIST_SSL_CAFILE": str(SECURE / "ca.pem"),
    }


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Topics made and ACLs granted by the administrator, as a deployment would."""
    host, port = SASL_SSL.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        pytest.fail(
            f"no SASL_SSL listener at {SASL_SSL}: a broker started before it existed? "
            "deploy/kafka/kafka.sh down, then make test"
        )
    settings = unique_settings("secure", tmp_path_factory.mktemp("secure"), partitions=2)
    asyncio.run(create_topics(settings))
    asyncio.run(apply(as_user(settings, "admin"), acls(settings)))
    yield settings
    asyncio.run(delete_topics(settings))


async def test_no_credentials_a_wrong_password_or_an_untrusted_ca_are_refused(
    secured: Settings,
) -> None:
    detection = as_user(secured, "detection")
    await check_broker(detection)  # the right password and CA get in
    with pytest.raises(SystemExit, match="refused user 'detection'"):
        await check_broker(as_user(secured, "detection", "not-the-password"))
    with pytest.raises(SystemExit, match="certificate is not trusted"):
        await check_broker(as_user(secured, "detection", ssl_cafile=None))
    anonymous = detection.model_copy(update={"security_protocol": "PLAINTEXT"})
    with pytest.raises(SystemExit, match="cannot connect to Kafka over PLAINTEXT"):
        await check_broker(anonymous)
    producer = AIOKafkaProducer(bootstrap_servers=SASL_SSL, request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()


async def send_as(settings: Settings, topic: str) -> None:
    producer = AIOKafkaProducer(**settings.aiokafka_options(), request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()


async def read_as(settings: Settings, topic: str) -> None:
    """Fetch from ``topic``'s start; raises if the principal may not read it."""
    consumer = AIOKafkaConsumer(topic, **settings.aiokafka_options(), auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer.getmany(timeout_ms=2000)
    finally:
        await consumer.stop()


async def test_each_principal_may_do_its_job_and_nothing_else(secured: Settings) -> None:
    desktop = as_user(secured, "desktop")
    await send_as(desktop, secured.feedback_topic)
    await read_as(desktop, secured.guidance_topic)
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(desktop, secured.guidance_topic)
    with pytest.raises(TopicAuthorizationFailedError):
        await read_as(desktop, secured.audio_topic)
    speech, producer = as_user(secured, "speech"), as_user(secured, "producer")
    with pytest.raises(TopicAuthorizationFailedError):
        await send_as(speech, secured.guidance_topic)
    await send_as(producer, secured.audio_topic)
    with pytest.raises(TopicAuthorizationFailedError):
        await read_as(producer, secured.call_events_topic)


def test_a_worker_with_a_wrong_password_exits_saying_why(secured: Settings, tmp_path: Path) -> None:
    worker = WorkerProcess(secured, tmp_path / "worker.log", **env_as("detection", "wrong"))
    with pytest.raises(RuntimeError, match="refused user 'detection'"):
        worker.wait_ready(timeout=60)
    assert worker.proc.returncode not in (0, None)


async def test_the_demo_runs_over_sasl_ssl_on_least_privilege(
    secured: Settings, tmp_path: Path, model_path: Path
) -> None:
    """Detection, speech and the gateway each as their own user: the same prompts as replay,
    speech transcribed, a desk that shows prompts and records feedback."""
    processes = [
        WorkerProcess(secured, tmp_path / "detection.log", **env_as("detection")),
        WorkerProcess.speech(
            secured,
            tmp_path / "speech.log",
            AGENT_ASSIST_VOSK_MODEL=str(model_path),
            **env_as("speech"),
        ),
        WorkerProcess(
            secured,
            tmp_path / "desktop.log",
            command="desktop",
            ready=b"desktop gateway on",
            AGENT_ASSIST_DESKTOP_SECRET=DESKTOP_SECRET,
            **env_as("desktop"),
        ),
    ]
    try:
        for process in processes:
            await asyncio.to_thread(process.wait_ready)
        events, history = load_demo()
        integration = as_user(secured, "producer")
        await publish_profiles(integration, history)
        changelog = f"{secured.app_id}-callers-changelog"
        await collect(changelog, lambda items: len(items) >= len(history), decode=lambda m: m.key)
        await produce_events(integration, events, speed=0)
        left, right = channels(DATA / "two-speakers-8k.wav")
        await send_with_headers(
            secured.audio_topic,
            interleave(
                chunks("audio-call", "agent", left, 8000, "pcm_s16le", 4000),
                chunks("audio-call", "customer", right, 8000, "pcm_s16le", 4000),
            ),
        )

        expected = [
            json.loads(o.model_dump_json()) for o in replay(Engine(EngineConfig()), events, history)
        ]
        received = await collect(secured.guidance_topic, lambda items: len(items) >= len(expected))
        assert sorted(received, key=json.dumps) == sorted(expected, key=json.dumps)

        def transcribed(items: list[dict[str, Any]]) -> bool:
            return any(i.get("call_id") == "audio-call" and i.get("final") for i in items)

        assert transcribed(await collect(secured.call_events_topic, transcribed, timeout=60))

        first = next(o for o in expected if o["type"] == "guidance")
        agent = first["agent_id"]
        token = DeskKeys.from_setting(DESKTOP_SECRET).token(agent, datetime.now(UTC) + LINK_TTL)
        url = f"http://127.0.0.1:{processes[2].port}/agents/{agent}/feedback"
        body = {"prompt_id": first["prompt_id"], "action": "helpful"}
        async with httpx.AsyncClient(timeout=10) as client:
            for _ in range(60):  # the gateway shows the prompt once it has read it
                answer = await client.post(url, params={"token": token}, json=body)
                if answer.status_code != 404:
                    break
                await asyncio.sleep(0.5)
        assert answer.status_code == 201, answer.text

        def clicks(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
            return [(i["prompt_id"], i["action"]) for i in items if "prompt_id" in i]

        feedback = await collect(secured.feedback_topic, clicks)
        assert clicks(feedback) == [(first["prompt_id"], "helpful")]
    finally:
        for process in processes:
            assert process.stop() == 0, process.log_path.read_text()[-3000:]
