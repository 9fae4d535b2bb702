"""``agent-assist ingest``: the telephony ingest app on a Kafka producer."""

import asyncio
import base64
import gc
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry

from models import InputEvent
from streams.call_audio import Chunk
from streams.desktop_run import serve
from streams.ingest import create_ingest_app
from streams.settings import Settings, secret_list
from streams.topics import PRODUCER_BATCH_BYTES, create_topics

log = logging.getLogger(__name__)


def audiohook_secrets(settings: Settings) -> list[bytes]:
    try:
        return [
            base64.b64decode(secret, validate=True)
            for secret in secret_list(settings.audiohook_client_secrets)
        ]
    except ValueError:
        raise SystemExit("AGENT_ASSIST_AUDIOHOOK_CLIENT_SECRETS: not base64") from None


async def run_ingest(settings: Settings) -> None:
    api_keys = secret_list(settings.ingest_api_keys)
    if not api_keys:
        raise SystemExit("set AGENT_ASSIST_INGEST_API_KEYS: telephony streams authenticate with it")
    await create_topics(settings)
    # A chunk is already 200 ms of audio: no linger, which only delays the speech worker.
    producer = AIOKafkaProducer(
        **settings.aiokafka_options(),
        acks="all",
        linger_ms=0,
        max_batch_size=PRODUCER_BATCH_BYTES,
    )
    await producer.start()
    # What exists now lives as long as the process: keep it out of the garbage collector's full
    # passes, which otherwise paused every session for 50-60 ms.
    gc.collect()
    gc.freeze()

    async def send_event(event: InputEvent) -> None:
        value = event.model_dump_json(exclude_none=True).encode()
        await producer.send_and_wait(settings.call_events_topic, value, key=event.call_id.encode())

    async def send_chunk(chunk: Chunk) -> "asyncio.Future[Any]":
        key = chunk.call_id.encode()
        return await producer.send(
            settings.audio_topic, chunk.audio, key=key, headers=chunk.headers()
        )

    app = create_ingest_app(
        send_event,
        send_chunk,
        api_keys,
        CollectorRegistry(),
        lambda: (True, {}),
        settings.ingest_chunk_ms,
        settings.ingest_end_grace_s,
        settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None,
        settings.ingest_public_url,
        audiohook_secrets=audiohook_secrets(settings),
        audiohook_ping_timeout_s=settings.audiohook_ping_timeout_s,
    )
    log.info("ingest on %s:%s", settings.http_host, settings.http_port)
    try:
        await serve(app, settings.http_host, settings.http_port, settings.shutdown_timeout_s)
    finally:
        await producer.stop()
