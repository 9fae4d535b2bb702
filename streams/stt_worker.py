"""The speech worker: call audio from Kafka, transcript events to ``call-events``.

Run: ``agent-assist asr-worker`` (the model folder comes from AGENT_ASSIST_VOSK_MODEL).
Each call's channel has its own recognizer and its own queue, and decoding runs in a thread
pool, so one slow stream never holds up the others. Recognizer state cannot be saved, so a
worker that gets a channel mid-call (after a restart or a partition move) starts a new
recognizer at that chunk's call time; a chunk missing inside a stream is filled with silence, so
the words after it keep their call times. Both are counted: ops see resumed streams and gaps.
"""

import asyncio
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from models import AudioChunk, Transcript
from streams.asr import SpeechStream, load_model, to_pcm16
from streams.metrics import SpeechMetrics
from streams.probes import start_probes
from streams.settings import Settings
from streams.shutdown import exit_after
from streams.topics import DEAD_LETTER_MAX_BYTES, create_topics, dead_letter_headers

log = logging.getLogger(__name__)
END = None
"""Queued after a channel's last chunk: flush and free its recognizer."""
Audio = tuple[bytes, float]
"""PCM and when its chunk arrived (monotonic), for the transcript lag metric."""


@dataclass
class Channel:
    """One speaker of one call: its recognizer, the chunks waiting for it, and its bookkeeping."""

    stream: SpeechStream
    chunk: AudioChunk
    end_s: float
    """Call time where the audio queued so far ends."""
    next_seq: int = 1
    last_seen: float = field(default_factory=time.monotonic)
    queue: asyncio.Queue[Audio | None] = field(default_factory=asyncio.Queue)


class AsrWorker:
    """Routes audio chunks to their channel's queue; each channel decodes in its own task."""

    def __init__(self, settings: Settings, model: Any, metrics: SpeechMetrics):
        self.settings, self.model, self.metrics = settings, model, metrics
        self.channels: dict[tuple[str, str], Channel] = {}
        self.pool = ThreadPoolExecutor(settings.asr_threads, thread_name_prefix="vosk")
        self.producer = AIOKafkaProducer(
            **settings.aiokafka_options(), linger_ms=5, max_request_size=DEAD_LETTER_MAX_BYTES
        )
        self.tasks: set[asyncio.Task[None]] = set()

    async def on_message(self, message: Any) -> None:
        call_id = (message.key or b"").decode(errors="replace")
        try:
            headers = {k: v.decode() for k, v in message.headers or () if v is not None}
            chunk = AudioChunk.model_validate(headers)
            pcm = to_pcm16(message.value or b"", chunk.encoding)
        except (ValidationError, ValueError) as err:
            return await self.dead_letter(message, _reason(err))
        if not call_id:
            return await self.dead_letter(message, "key: missing, must be the call_id")
        key = (call_id, chunk.speaker)
        channel = self.channels.get(key)
        if channel and chunk.seq < channel.next_seq:
            return await self.dead_letter(
                message, f"seq: out of order, expected {channel.next_seq}"
            )
        if channel and (chunk.sample_rate, chunk.encoding) != (
            channel.chunk.sample_rate,
            channel.chunk.encoding,
        ):
            return await self.dead_letter(message, "sample_rate: changed within the stream")
        seconds = len(pcm) / 2 / chunk.sample_rate
        at = chunk.seq * seconds if chunk.offset_ms is None else chunk.offset_ms / 1000
        if channel is None:
            if chunk.seq:
                self.metrics.resumed.inc()
                log.info("channel %s/%s picked up mid-call at %.2f s", *key, at)
            channel = self.open(key, chunk, at)
        elif chunk.seq > channel.next_seq:
            channel = self.bridge(key, channel, chunk, at)
        channel.next_seq = chunk.seq + 1
        channel.last_seen = time.monotonic()
        channel.end_s += seconds
        channel.queue.put_nowait((pcm, time.monotonic()))
        self.metrics.streams.set(len(self.channels))
        if chunk.end_of_stream:
            self.close(key)

    def open(self, key: tuple[str, str], chunk: AudioChunk, at: float) -> Channel:
        """A recognizer for a channel whose audio starts at call time ``at``."""
        stream = SpeechStream(
            self.model,
            key[0],
            chunk.speaker,
            chunk.sample_rate,
            chunk.call_start,
            self.settings.asr_partial_interval_s,
            origin_s=at,
        )
        channel = self.channels[key] = Channel(stream, chunk, end_s=at)
        task = asyncio.create_task(self.decode(channel))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return channel

    def bridge(
        self, key: tuple[str, str], channel: Channel, chunk: AudioChunk, at: float
    ) -> Channel:
        """Chunks are missing before ``at``: silence for a short gap, a restart after a long one."""
        gap = at - channel.end_s
        if gap > self.settings.asr_max_bridge_s:
            self.metrics.gaps.labels("restart").inc()
            self.close(key)
            return self.open(key, chunk, at)
        self.metrics.gaps.labels("silence").inc()
        if gap > 0:
            silence = bytes(2 * round(gap * chunk.sample_rate))
            channel.queue.put_nowait((silence, time.monotonic()))
            channel.end_s = at
        return channel

    def close(self, key: tuple[str, str]) -> None:
        self.channels.pop(key).queue.put_nowait(END)
        self.metrics.streams.set(len(self.channels))

    async def decode(self, channel: Channel) -> None:
        loop = asyncio.get_running_loop()
        arrived = time.monotonic()
        while True:
            audio = await channel.queue.get()
            if audio is END:
                events = await loop.run_in_executor(self.pool, channel.stream.finish)
            else:
                pcm, arrived = audio
                began = time.monotonic()
                events = await loop.run_in_executor(self.pool, channel.stream.accept, pcm)
                seconds = len(pcm) / 2 / channel.chunk.sample_rate
                self.metrics.audio.inc(seconds)
                if seconds:
                    self.metrics.rtf.observe((time.monotonic() - began) / seconds)
            await self.publish(events, arrived)
            if audio is END:
                return

    async def publish(self, events: list[Transcript], arrived: float) -> None:
        """Send transcripts; ``arrived``: when the audio that completed them came in."""
        for event in events:
            self.metrics.transcripts.labels(str(event.final).lower()).inc()
            self.metrics.transcript_lag.observe(time.monotonic() - arrived)
            await self.producer.send(
                self.settings.call_events_topic,
                event.model_dump_json().encode(),
                key=event.call_id.encode(),
            )

    async def dead_letter(self, message: Any, reason: str) -> None:
        self.metrics.invalid.labels("audio", reason.split(":", 1)[0]).inc()
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

    async def run(self, stop: asyncio.Event, assignment: "Assignment") -> None:
        consumer = AIOKafkaConsumer(
            **self.settings.aiokafka_options(),
            group_id=f"{self.settings.app_id}-asr",
            auto_offset_reset="earliest",
        )
        consumer.subscribe([self.settings.audio_topic], listener=assignment)
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


class Assignment(ConsumerRebalanceListener):  # type: ignore[misc]
    """Tracks the group's assignment: the worker is ready while it holds one."""

    def __init__(self) -> None:
        self.partitions: list[int] | None = None

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self.partitions = None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.partitions = sorted(tp.partition for tp in assigned)

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        return self.partitions is not None, {"partitions": self.partitions or []}


async def run_asr_worker(settings: Settings) -> None:
    registry = CollectorRegistry()
    assignment = Assignment()
    probes = await start_probes(
        registry, assignment.readiness, settings.http_host, settings.http_port
    )
    try:
        model = load_model(settings.vosk_model)
        await create_topics(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            exit_after(settings.shutdown_timeout_s)
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal)
        await AsrWorker(settings, model, SpeechMetrics(registry)).run(stop, assignment)
    finally:
        await probes.cleanup()
