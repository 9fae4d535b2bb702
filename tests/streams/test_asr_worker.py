"""The speech worker on the real broker with the real (Korean) Vosk model."""

import asyncio
import warnings
import wave
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry

from streams.asr import SpeechStream, load_model, transcribe_wav
from streams.metrics import SpeechMetrics
from streams.stt_worker import AsrWorker
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    BOOTSTRAP,
    WorkerProcess,
    collect,
    delete_topics,
    unique_settings,
)
from tests.streams.test_asr import DATA

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # only to encode test audio as G.711 mu-law

START = "2026-11-23T10:00:00.000Z"


def channels(path: Path) -> tuple[bytes, bytes]:
    with wave.open(str(path), "rb") as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
    return samples[0::2].tobytes(), samples[1::2].tobytes()


def chunks(
    call_id: str, speaker: str, audio: bytes, rate: int, encoding: str, size: int
) -> Iterator[tuple[bytes, bytes, list[tuple[str, bytes]]]]:
    pieces = [audio[i : i + size] for i in range(0, len(audio), size)]
    for seq, piece in enumerate(pieces):
        headers = {
            "speaker": speaker,
            "seq": str(seq),
            "sample_rate": str(rate),
            "encoding": encoding,
            "call_start": START,
            "end_of_stream": "1" if seq == len(pieces) - 1 else "0",
        }
        yield call_id.encode(), piece, [(k, v.encode()) for k, v in headers.items()]


def interleave(*streams: Iterator) -> list:
    out, streams_left = [], list(streams)
    while streams_left:
        for stream in list(streams_left):
            try:
                out.append(next(stream))
            except StopIteration:
                streams_left.remove(stream)
    return out


async def send_with_headers(topic: str, messages: list) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP)
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send(topic, value, key=key, headers=headers)
        await producer.flush()
    finally:
        await producer.stop()


async def test_audio_to_transcripts_two_calls_silence_and_bad_chunks(
    tmp_path: Path, model_path: Path
) -> None:
    settings = unique_settings("asr", tmp_path, partitions=2, vosk_model=model_path)
    await create_topics(settings)
    worker = WorkerProcess.speech(settings, tmp_path / "asr.log")
    try:
        await asyncio.to_thread(worker.wait_ready)
        left, right = channels(DATA / "two-speakers-8k.wav")
        mulaw = lambda pcm: audioop.lin2ulaw(pcm, 2)  # noqa: E731
        messages = interleave(
            chunks("call-a", "agent", left, 8000, "pcm_s16le", 4000),
            chunks("call-a", "customer", right, 8000, "pcm_s16le", 4000),
            # call B swaps the channels: its agent says call A's customer line
            chunks("call-b", "agent", mulaw(right), 8000, "mulaw", 2000),
            chunks("call-b", "customer", mulaw(left), 8000, "mulaw", 2000),
            chunks("call-quiet", "customer", b"\x00\x00" * 16000 * 3, 16000, "pcm_s16le", 8000),
        )
        first = next(chunks("call-x", "agent", b"\x00" * 200, 8000, "pcm_s16le", 100))
        wrong_rate = next(chunks("call-y", "agent", b"\x00" * 100, 44100, "pcm_s16le", 100))
        bad = [first, first, wrong_rate]  # the second "first" is a duplicate
        await send_with_headers(settings.audio_topic, bad + messages)
        finals = lambda items: [i for i in items if i["final"]]  # noqa: E731
        events = await collect(
            settings.call_events_topic, lambda items: len(finals(items)) >= 4, timeout=90
        )
        by_call = {}
        for event in finals(events):
            by_call.setdefault((event["call_id"], event["speaker"]), []).append(event)
        assert set(by_call) == {
            ("call-a", "agent"),
            ("call-a", "customer"),
            ("call-b", "agent"),
            ("call-b", "customer"),
        }
        offline = transcribe_wav(
            DATA / "two-speakers-8k.wav",
            load_model(model_path),
            "x",
            datetime(2026, 11, 23, 10, tzinfo=UTC),
        )
        said = {key: " ".join(s["text"] for s in segments) for key, segments in by_call.items()}
        assert said[("call-a", "agent")] == offline[0].text  # same words as offline
        assert said[("call-a", "customer")] == offline[1].text
        # call B's agent channel carries call A's customer audio: the calls did not mix
        b_agent, a_customer = by_call[("call-b", "agent")][0], by_call[("call-a", "customer")][0]
        assert abs(b_agent["start"] - a_customer["start"]) < 0.3
        for segments in by_call.values():
            ends = [s["end"] for s in segments]
            assert ends == sorted(ends) and all(0 <= s["start"] < s["end"] <= 7.6 for s in segments)
        assert by_call[("call-a", "agent")][0]["ts"].startswith("2026-11-23T10:00:0")
        assert not any(e["call_id"] == "call-quiet" for e in events)
        dead = await collect(
            settings.audio_dlq_topic,
            lambda items: len(items) >= 2,
            decode=lambda m: (m.key, dict(m.headers)["error"]),
        )
        assert sorted(dead) == [
            (b"call-x", b"seq: out of order, expected 1"),
            (b"call-y", b"sample_rate: Input should be 8000 or 16000"),
        ]
    finally:
        assert worker.stop() == 0, worker.log_path.read_text()[-2000:]
        await delete_topics(settings)


async def committed(group: str, topic: str) -> int:
    """The group's committed offset on partition 0 of ``topic`` (0 before any commit)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, 0))
    return meta.offset if meta else 0


async def test_a_speech_worker_killed_mid_call_is_replaced_and_call_times_hold(
    tmp_path: Path, model_path: Path
) -> None:
    settings = unique_settings("asr-resume", tmp_path, partitions=1, vosk_model=model_path)
    await create_topics(settings)
    model = load_model(model_path)
    size, cut = 2000, 24  # 125 ms chunks; the first worker gets the first 3.0 s of each channel
    offline, first_half, second_half = [], [], []
    left, right = channels(DATA / "two-speakers-8k.wav")
    for speaker, audio in (("agent", left), ("customer", right)):
        messages = list(chunks("call-r", speaker, audio, 8000, "pcm_s16le", size))
        first_half += messages[:cut]
        lost = cut + 4 if speaker == "customer" else None  # 3.5 s of the customer never arrives
        second_half += [m for n, m in enumerate(messages[cut:], cut) if n != lost]
        stream = SpeechStream(model, "call-r", speaker, 8000, datetime.now(UTC))
        offline += [e for _, piece, _ in messages for e in stream.accept(piece) if e.final]
        offline += stream.finish()
    agent_said, customer_said = offline
    assert agent_said.start < cut * size / 16000 < agent_said.end < customer_said.start
    first = WorkerProcess.speech(settings, tmp_path / "asr-1.log")
    second = None
    try:
        await asyncio.to_thread(first.wait_ready)
        await send_with_headers(settings.audio_topic, first_half)
        partial = await collect(settings.call_events_topic, lambda items: len(items) >= 1)
        assert partial and not partial[0]["final"]  # the agent is speaking when the worker dies
        group = f"{settings.app_id}-asr"
        for _ in range(100):  # offsets are committed every 5 s
            if await committed(group, settings.audio_topic) == len(first_half):
                break
            await asyncio.sleep(0.2)
        first.kill()
        second = WorkerProcess.speech(settings, tmp_path / "asr-2.log")
        await asyncio.to_thread(second.wait_ready)
        await send_with_headers(settings.audio_topic, second_half)
        customer = lambda items: [  # noqa: E731
            i for i in items if i["final"] and i["speaker"] == "customer"
        ]
        events = await collect(settings.call_events_topic, lambda items: bool(customer(items)))
        [heard] = customer(events)
        assert heard["text"]
        assert abs(heard["start"] - customer_said.start) <= 0.5
        assert abs(heard["end"] - customer_said.end) <= 0.5
        call_time = datetime.fromisoformat(heard["ts"]) - datetime.fromisoformat(START)
        assert call_time.total_seconds() == heard["end"]
        _, metrics = second.get("/metrics")
        assert "agent_assist_asr_resumed_streams_total 2.0" in metrics
        assert 'agent_assist_asr_audio_gaps_total{action="silence"} 1.0' in metrics
    finally:
        first.stop()
        if second:
            assert second.stop() == 0, second.log_path.read_text()[-2000:]
        await delete_topics(settings)


async def test_a_short_gap_is_decoded_as_silence_and_a_long_one_restarts_the_recognizer(
    tmp_path: Path, model_path: Path
) -> None:
    settings = unique_settings("asr-gaps", tmp_path, vosk_model=model_path)
    registry = CollectorRegistry()
    worker = AsrWorker(settings, load_model(model_path), SpeechMetrics(registry))
    _, audio = channels(DATA / "two-speakers-8k.wav")
    pieces = list(chunks("call-g", "customer", audio, 8000, "pcm_s16le", 1000))  # 62.5 ms
    received = [0, 1, 3, 4, 100]  # 2 is missing (62.5 ms), then 5-99 (5.9 s)
    for n, seq in enumerate(received):
        key, value, headers = pieces[seq]
        message = SimpleNamespace(key=key, value=value, headers=headers, topic="t", partition=0)
        await worker.on_message(message)
        channel = worker.channels[("call-g", "customer")]
        if n == 2:  # the gap was filled: the audio queued so far ends where seq 3 ends
            assert channel.end_s == 4 * 0.0625
    assert channel.stream.origin_s == 100 * 0.0625  # a new recognizer, at seq 100's call time
    for task in worker.tasks:  # decoding goes on in the background; its output is not checked
        task.cancel()
    await asyncio.gather(*worker.tasks, return_exceptions=True)
    worker.pool.shutdown()
    gaps = lambda action: registry.get_sample_value(  # noqa: E731
        "agent_assist_asr_audio_gaps_total", {"action": action}
    )
    assert (gaps("silence"), gaps("restart")) == (1, 1)
    assert registry.get_sample_value("agent_assist_asr_resumed_streams_total") == 0
