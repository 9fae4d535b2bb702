"""The speech worker on the real broker with the real (Korean) Vosk model."""

import asyncio
import warnings
import wave
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer

from streams.asr import load_model, transcribe_wav
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
        out_of_order = next(chunks("call-x", "agent", b"\x00" * 100, 8000, "pcm_s16le", 100))
        out_of_order[2][1] = ("seq", b"5")
        wrong_rate = next(chunks("call-y", "agent", b"\x00" * 100, 44100, "pcm_s16le", 100))
        bad = [out_of_order, wrong_rate]
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
            (b"call-x", b"seq: out of order, expected 0"),
            (b"call-y", b"sample_rate: Input should be 8000 or 16000"),
        ]
    finally:
        assert worker.stop() == 0, worker.log_path.read_text()[-2000:]
        await delete_topics(settings)
