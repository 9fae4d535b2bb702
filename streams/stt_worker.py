"""The speech worker: call audio from Kafka, transcript events to ``call-events``.

Run: ``agent-assist asr-worker`` (the model folder comes from AGENT_ASSIST_VOSK_MODEL).
Each call's channel has its own recognizer and its own queue, and decoding runs in a thread
pool, so one slow stream never holds up the others. Offsets are committed automatically: after
a restart mid-call, a channel's next chunk is not seq 0 and goes to the DLQ (recognizer state
cannot be restored), which ops see as a burst of "out of order" reasons.
"""

import asyncio
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pydantic import ValidationError

from models import AudioChunk, Transcript
from streams.asr import SpeechStream, load_model, to_pcm16
from streams.settings import Settings
from streams.topics import create_topics, dead_letter_headers

log = logging.getLogger(__name__)
END = None
"""Queued after a channel's last chunk: flush and free its recognizer."""


@dataclass
class Channel:
    """One speaker of one call: its recognizer, the chunks waiting for it, and its bookkeeping."""

    stream: SpeechStream
    chunk: AudioChunk
    next_seq: int = 1
    last_seen: float = field(default_factory=time.monotonic)
    queue: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)


class AsrWorker:
    """Routes audio chunks to their channel's queue; each channel decodes in its own task."""

    def __init__(self, settings: Settings, model: Any):
        self.settings, self.model = settings, model
        self.channels: dict[tuple[str, str], Channel] = {}
        self.pool = ThreadPoolExecutor(settings.asr_threads, thread_name_prefix="vosk")
        self.producer = AIOKafkaProducer(**settings.aiokafka_options(), linger_ms=5)
        self.tasks: set[asyncio.Task[None]] = set()

    async def on_message(self, message: Any) -> None:
        call_id = (message.key or b"").decode(errors="replace")
        try:
            headers = {k: v.decode() for k, v in message.headers or ()}
            chunk = AudioChunk.model_validate(headers)
            pcm = to_pcm16(message.value or b"", chunk.encoding)
        except (ValidationError, ValueError) as err:
            return await self.dead_letter(message, _reason(err))
        key = (call_id, chunk.speaker)
        channel = self.channels.get(key)
        expected = channel.next_seq if channel else 0
        if not call_id:
            return await self.dead_letter(message, "key: missing, must be the call_id")
        if chunk.seq != expected:
            return await self.dead_letter(message, f"seq: out of order, expected {expected}")
        if channel and (chunk.sample_rate, chunk.encoding) != (
            channel.chunk.sample_rate,
            channel.chunk.encoding,
        ):
            return await self.dead_letter(message, "sample_rate: changed within the stream")
        if channel is None:
            stream = SpeechStream(
                self.model,
                call_id,
                chunk.speaker,
                chunk.sample_rate,
                chunk.call_start,
                self.settings.asr_partial_interval_s,
            )
            channel = self.channels[key] = Channel(stream, chunk)
            task = asyncio.create_task(self.decode(channel))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        else:
            channel.next_seq += 1
            channel.last_seen = time.monotonic()
        channel.queue.put_nowait(pcm)
        if chunk.end_of_stream:
            self.close(key)

    def close(self, key: tuple[str, str]) -> None:
        self.channels.pop(key).queue.put_nowait(END)

    async def decode(self, channel: Channel) -> None:
        loop = asyncio.get_running_loop()
        while True:
            pcm = await channel.queue.get()
            if pcm is END:
                events = await loop.run_in_executor(self.pool, channel.stream.finish)
            else:
                events = await loop.run_in_executor(self.pool, channel.stream.accept, pcm)
            await self.publish(events)
            if pcm is END:
                return

    async def publish(self, events: list[Transcript]) -> None:
        for event in events:
            await self.producer.send(
                self.settings.call_events_topic,
                event.model_dump_json().encode(),
                key=event.call_id.encode(),
            )

    async def dead_letter(self, message: Any, reason: str) -> None:
        log.warning(
            "audio chunk to DLQ (%s[%s]@%s): %s",
            message.topic,
            message.partition,
            message.offset,
            reason,
        )
        headers = list(message.headers or ()) + dead_letter_headers(message, reason)
        await self.producer.send(
            self.settings.audio_dlq_topic, message.value or b"", key=message.key, headers=headers
        )

    def flush_idle(self) -> None:
        limit = time.monotonic() - self.settings.asr_idle_timeout_s
        for key in [k for k, c in self.channels.items() if c.last_seen < limit]:
            self.close(key)

    async def run(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            self.settings.audio_topic,
            **self.settings.aiokafka_options(),
            group_id=f"{self.settings.app_id}-asr",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        await self.producer.start()
        log.info("asr worker ready")
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200)
                for messages in batch.values():
                    for message in messages:
                        await self.on_message(message)
                self.flush_idle()
            for key in list(self.channels):
                self.close(key)
            await asyncio.gather(*self.tasks)
            await self.producer.flush()
        finally:
            await consumer.stop()
            await self.producer.stop()
            self.pool.shutdown()


def _reason(err: Exception) -> str:
    if isinstance(err, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
    return f"payload: {err}"


async def run_asr_worker(settings: Settings) -> None:
    model = load_model(settings.vosk_model)
    await create_topics(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await AsrWorker(settings, model).run(stop)
