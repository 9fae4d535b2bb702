"""Telephony ingest on the local broker: concurrent streams at real-time pace.

Run: make bench-ingest   (starts the broker; or .venv/bin/python benchmarks/ingest.py
[--platform audiohook])
Starts a real `agent-assist ingest` process, opens --sessions WebSocket streams of --seconds
each (Twilio: both tracks, a 20 ms mu-law frame per track every 20 ms; Genesys AudioHook: a 100
ms stereo mu-law frame every 100 ms and a ping every 5 s), arriving at random over --ramp
seconds after an unmeasured warm-up, and reads `call-audio` meanwhile. For the steady part
(every stream open) and for the whole step (arrivals and ends too) it prints the latency ingest
adds, from the frame that completes a chunk reaching ingest to the broker acknowledging the
chunk (p50/p99 from ingest's own histogram, interpolated within its buckets as Prometheus does,
and the share within 20 ms exactly); the latency seen from outside, from sending that frame to
reading the chunk off the topic; frames that fell behind real time on the sending side; the
process's resident memory idle and with every stream open (per stream); and the CPU time ingest
used (streams per core at that pace). The load, the broker and the consumer share the two cores
with ingest, so latency figures are upper bounds.
"""

import argparse
import asyncio
import base64
import gc
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from host import host_line  # benchmarks/, beside this script
from pipeline import (  # benchmarks/, beside this script
    rss_mib,
    settings_for,
    web_process,
)
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from streams.settings import Settings
from streams.topics import create_topics

KEY = "bench"
FRAME_MS = 20
CHUNK_MS = 200
PAYLOAD = base64.b64encode(bytes(range(256))[:160]).decode()
MEDIA = json.dumps(
    {"event": "media", "media": {"track": "%s", "timestamp": "%d", "payload": PAYLOAD}}
)
"""A media message with its track and timestamp to fill in: the generator's own JSON encoding
took a core's worth of the CPU that ingest shares with it."""


class Pace:
    """A stream's frame slots in real time; counts the frames sent more than 20 ms after their
    slot."""

    def __init__(self, seconds: float, frame_ms: int) -> None:
        self.frames, self.frame_ms, self.late = int(seconds * 1000 / frame_ms), frame_ms, 0

    async def slots(self) -> AsyncIterator[int]:
        """Each frame's call time in ms, as its slot comes."""
        began = time.perf_counter()
        for i in range(self.frames):
            wait = began + i * self.frame_ms / 1000 - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -FRAME_MS / 1000:
                self.late += 1
            yield i * self.frame_ms


async def stream(
    url: str, n: int, seconds: float, sent: dict[tuple[str, int], float], delay: float
) -> int:
    """One call, starting after ``delay`` s; returns how many frames went out later than their
    real-time slot + 20 ms."""
    call_id = f"CAbench{n:05d}"
    await asyncio.sleep(delay)
    async with connect(url) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        parameters = {"token": KEY, "agent_id": f"agent-{n}"}
        tracks = ["inbound", "outbound"]
        start = {"callSid": call_id, "tracks": tracks, "customParameters": parameters}
        await ws.send(json.dumps({"event": "start", "start": start}))
        pace = Pace(seconds, FRAME_MS)
        async for at in pace.slots():
            for track in ("inbound", "outbound"):
                await ws.send(MEDIA % (track, at))
            if (at + FRAME_MS) % CHUNK_MS == 0:  # this frame completes a chunk
                sent[(call_id, at + FRAME_MS - CHUNK_MS)] = time.time()
        await ws.send(json.dumps({"event": "stop", "stop": {"callSid": call_id}}))
    return pace.late


AUDIOHOOK_FRAME_MS = 100
WARM_UP_S = 20


async def audiohook_stream(
    url: str, n: int, seconds: float, sent: dict[tuple[str, int], float], delay: float
) -> int:
    """One AudioHook session, starting after ``delay`` s; returns how many frames went out later
    than their slot + 20 ms."""
    session, call_id = str(uuid.uuid4()), str(uuid.uuid4())
    await asyncio.sleep(delay)
    seq = 0

    def message(kind: str, at_ms: int, **parameters: Any) -> str:
        nonlocal seq
        seq += 1
        return json.dumps(
            {
                "version": "2",
                "type": kind,
                "id": session,
                "seq": seq,
                "serverseq": 0 if kind == "open" else 1,  # opened was 1
                "position": f"PT{at_ms / 1000}S",
                "parameters": parameters,
            }
        )

    headers = {"Audiohook-Session-Id": session, "X-API-Key": KEY}
    async with connect(url, additional_headers=headers) as ws:
        stereo = {"type": "audio", "format": "PCMU", "channels": ["external", "internal"]}
        participant = {"id": str(n), "ani": "", "aniName": "", "dnis": ""}
        opening = message(
            "open",
            0,
            organizationId=str(uuid.uuid4()),
            conversationId=call_id,
            participant=participant,
            media=[stereo | {"rate": 8000}],
            customConfig={"agent_id": f"agent-{n}"},
        )
        await ws.send(opening)
        opened = json.loads(await ws.recv())
        assert opened["type"] == "opened", opened
        frame = bytes(range(256))[:160] * (AUDIOHOOK_FRAME_MS // 10)  # both sides interleaved
        pace = Pace(seconds, AUDIOHOOK_FRAME_MS)
        async for at in pace.slots():
            await ws.send(frame)
            if (at + AUDIOHOOK_FRAME_MS) % CHUNK_MS == 0:
                sent[(call_id, at + AUDIOHOOK_FRAME_MS - CHUNK_MS)] = time.time()
            if at % 5000 == 0:
                await ws.send(message("ping", at))
        await ws.send(message("close", int(seconds * 1000), reason="end"))
    return pace.late


@dataclass
class Step:
    """What one step measured: outside latencies by the time their frame was sent, ingest's
    histogram at the start and end of the step and of its steady part, and late frames."""

    outside: list[tuple[float, float]] = field(default_factory=list)
    histograms: dict[str, dict[float, float]] = field(default_factory=dict)
    steady: tuple[float, float] = (0.0, 0.0)
    late: int = 0


async def measure(
    settings: Settings, url: str, sessions: int, seconds: float, ramp: float, platform: str
) -> Step:
    """Sessions arrive at random over the first ``ramp`` s and each lasts ``seconds``: the steady
    part, with every session open, runs from ``ramp`` + 1 s until the first one ends."""
    step = Step()
    sent: dict[tuple[str, int], float] = {}
    base_url = url.replace("ws://", "http://").rpartition("/")[0]
    consumer = AIOKafkaConsumer(
        settings.audio_topic, **settings.aiokafka_options(), auto_offset_reset="latest"
    )
    await consumer.start()
    await asyncio.sleep(1)  # assigned before the first chunk

    async def read() -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.time()
            for messages in batch.values():
                for m in messages:
                    headers = {k: v.decode() for k, v in m.headers}
                    key = (m.key.decode(), int(headers["offset_ms"]))
                    if headers["speaker"] == "agent" and key in sent:
                        step.outside.append((sent[key], now - sent[key]))

    async def snapshot(name: str, at: float) -> None:
        await asyncio.sleep(at - time.time())
        step.histograms[name] = await asyncio.to_thread(latency_buckets, base_url, platform)

    began = time.time()
    step.steady = (began + ramp + 1, began + seconds)
    step.histograms["start"] = await asyncio.to_thread(latency_buckets, base_url, platform)
    reader = asyncio.create_task(read())
    snapshots = [
        asyncio.create_task(snapshot(name, at))
        for name, at in zip(("steady", "steady end"), step.steady, strict=True)
    ]
    try:
        streamer = audiohook_stream if platform == "audiohook" else stream
        late = await asyncio.gather(
            *(streamer(url, n, seconds, sent, random.uniform(0, ramp)) for n in range(sessions))
        )
        await asyncio.gather(*snapshots)
        await asyncio.sleep(2)
        step.histograms["end"] = await asyncio.to_thread(latency_buckets, base_url, platform)
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        await consumer.stop()
    step.late = sum(late)
    return step


LATENCY = "agent_assist_ingest_chunk_latency_seconds"


def latency_buckets(url: str, platform: str) -> dict[float, float]:
    """Ingest's chunk-latency histogram: cumulative count per upper bound, in seconds."""
    text = httpx.get(f"{url}/metrics").text
    return {
        float(sample.labels["le"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == LATENCY
        for sample in family.samples
        if sample.name == f"{LATENCY}_bucket" and sample.labels["platform"] == platform
    }


def bucket_quantile(q: float, cumulative: dict[float, float]) -> float:
    """The q-quantile, interpolated linearly within its bucket (Prometheus' histogram_quantile)."""
    bounds = sorted(cumulative)
    rank, lower, below = q * cumulative[bounds[-1]], 0.0, 0.0
    for bound in bounds:
        if cumulative[bound] >= rank:
            if bound == float("inf"):
                return lower
            share = (rank - below) / (cumulative[bound] - below)
            return lower + (bound - lower) * share
        lower, below = bound, cumulative[bound]
    return lower


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def peak_rss(pid: int, seconds: float) -> float:
    peak = 0.0
    for _ in range(int(seconds * 4)):
        peak = max(peak, rss_mib(pid))
        await asyncio.sleep(0.25)
    return peak


async def run(
    settings: Settings,
    url: str,
    pid: int,
    sessions: int,
    seconds: float,
    ramp: float,
    idle: float,
    platform: str,
) -> None:
    peak = asyncio.create_task(peak_rss(pid, seconds + ramp + 3))
    cpu_before, began = cpu_seconds(pid), time.monotonic()
    # This process is the telephony platform: its own full garbage collections (up to 75 ms
    # here) would hold frames back and send them in bursts, which no real platform does.
    gc.collect()
    gc.disable()
    try:
        step = await measure(settings, url, sessions, seconds, ramp, platform)
    finally:
        gc.enable()
    busy = (cpu_seconds(pid) - cpu_before) / (time.monotonic() - began)
    top = await peak
    frames = (
        sessions * seconds * 1000 / (AUDIOHOOK_FRAME_MS if platform == "audiohook" else FRAME_MS)
    )
    print(
        f"  {sessions} streams: frames sent more than 20 ms late {step.late / frames:.1%}; "
        f"peak RSS {top:.0f} MiB, {(top - idle) * 1024 / sessions:.0f} KiB per stream; "
        f"ingest CPU {busy:.0%} of a core, {sessions / busy:.0f} streams per core at this pace"
    )
    steady_s = step.steady[1] - step.steady[0]
    windows = {  # label: ingest's histograms at its start and end, when its frames were sent
        f"all {sessions} open ({steady_s:.0f} s)": ("steady", "steady end", step.steady),
        "whole step (arrivals and ends too)": ("start", "end", (0.0, float("inf"))),
    }
    for label, (first, last, (since, until)) in windows.items():
        histogram = {
            bound: count - step.histograms[first].get(bound, 0.0)
            for bound, count in step.histograms[last].items()
        }
        own = [bucket_quantile(quantile, histogram) * 1000 for quantile in (0.5, 0.99)]
        within = [lag for at, lag in step.outside if since <= at < until]
        q = statistics.quantiles(within, n=100)
        print(
            f"    {label}: ingest's added latency p50 {own[0]:.1f} ms, p99 {own[1]:.1f} ms, "
            f"{histogram[0.02] / histogram[float('inf')]:.2%} within 20 ms "
            f"({histogram[float('inf')]:.0f} chunks); seen from outside p50 {q[49] * 1000:.1f} "
            f"ms, p99 {q[98] * 1000:.1f} ms ({len(within)} agent chunks)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", default="50,200", help="Concurrent streams, comma-separated.")
    parser.add_argument("--seconds", type=float, default=20, help="Each session's length.")
    parser.add_argument(
        "--ramp", type=float, default=2, help="Sessions arrive at random over this many s."
    )
    parser.add_argument("--platform", choices=("twilio", "audiohook"), default="twilio")
    args = parser.parse_args()
    if args.seconds <= args.ramp + 2:
        parser.error("--seconds must exceed --ramp by more than 2: no steady part is left")
    print(host_line())
    settings = settings_for("ingest", partitions=6)
    asyncio.run(create_topics(settings))
    env = {
        "AGENT_ASSIST_INGEST_API_KEYS": KEY,
        "AGENT_ASSIST_INGEST_CHUNK_MS": str(CHUNK_MS),
        "AGENT_ASSIST_INGEST_END_GRACE_S": "0",
    }
    with web_process("ingest", settings, **env) as (pid, url):
        idle = rss_mib(pid)
        pace = f"sessions of {args.seconds:.0f} s arriving over {args.ramp:.0f} s"
        print(f"ingest RSS idle {idle:.0f} MiB; {args.platform}, {pace}, {CHUNK_MS} ms chunks")
        stream_url = url.replace("http://", "ws://") + f"/{args.platform}"
        counts = [int(s) for s in args.sessions.split(",")]
        # Unmeasured: ingest, its topics and perhaps the broker started a moment ago, and the
        # first sessions then stalled for up to a second (new partitions' first writes, producer
        # metadata, a cold broker); a running system pays that once, not per call. On a fresh
        # broker, 5 s of it still left AudioHook's p99 at 30-45 ms; 20 s gave 14-19 ms.
        asyncio.run(measure(settings, stream_url, max(counts), WARM_UP_S, 1, args.platform))
        for sessions in counts:
            asyncio.run(
                run(
                    settings,
                    stream_url,
                    pid,
                    sessions,
                    args.seconds,
                    args.ramp,
                    idle,
                    args.platform,
                )
            )


if __name__ == "__main__":
    main()
