"""The Kafka pipeline on the local broker: a raw aiokafka pass-through (the floor) vs the worker.

Run: make bench-pipeline   (starts the broker; or .venv/bin/python benchmarks/pipeline.py)
For each offered load (events/s over --calls concurrent calls) it prints end-to-end latency
p50/p99 (event produced -> output received), then the highest sustained throughput of one
pass-through process and of --workers detection workers in one group, from a pre-filled
backlog, and the workers' ratio to the floor.
AGENT_ASSIST_PROCESSING_GUARANTEE=exactly_once measures the worker with transactions.
"""

import argparse
import asyncio
import contextlib
import functools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from host import host_line
from lines import real_lines

from streams.settings import Settings
from streams.topics import calls_group, create_topics

CUSTOMER, AGENT = real_lines()


def events(calls: int, prefix: str = "c") -> Iterator[dict[str, object]]:
    """An endless realistic mix: every call starts, then turns rotate across calls."""
    clocks = [0.0] * calls
    for n in range(calls):
        yield {
            "type": "call_started",
            "call_id": f"{prefix}{n}",
            "agent_id": f"a{n % 200}",
            "customer_id": None,
            "queue": "billing",
        }
    turn = 0
    while True:
        for n in range(calls):
            speaker = "customer" if (turn + n) % 2 else "agent"
            pool = CUSTOMER if speaker == "customer" else AGENT
            text = pool[(turn * 7 + n) % len(pool)]
            overlap = 0.8 if speaker == "agent" and (turn + n) % 5 == 0 else 0.0
            begin = max(clocks[n] - overlap, 0.0)
            clocks[n] = begin + 2.0
            yield {
                "type": "transcript",
                "call_id": f"{prefix}{n}",
                "speaker": speaker,
                "text": text,
                "start": begin,
                "end": clocks[n],
            }
        turn += 1


def stamp(event: dict[str, object]) -> bytes:
    event["ts"] = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(event).encode()


async def offer(settings: Settings, topic: str, rate: float, seconds: float, calls: int) -> int:
    """Send events of new calls at ``rate`` per second for ``seconds``, in 10 ms slices."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=2)
    await producer.start()
    source = events(calls, prefix=f"r{rate:.0f}-")
    sent, begin = 0, time.monotonic()
    try:
        while (elapsed := time.monotonic() - begin) < seconds:
            due = int(rate * elapsed) - sent
            for _ in range(due):
                event = next(source)
                await producer.send(topic, stamp(event), key=str(event["call_id"]).encode())
            sent += max(due, 0)
            await asyncio.sleep(0.01)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


async def measure(settings: Settings, topic: str, stop: asyncio.Event) -> list[float]:
    """Latency (ms) of each output: receive time minus the event time it carries."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="latest",
        fetch_max_wait_ms=5,
    )
    await consumer.start()
    latencies = []
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            now = time.time()
            for messages in batch.values():
                for message in messages:
                    ts = json.loads(message.value)["ts"]
                    sent = datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
                    latencies.append((now - sent) * 1000)
    finally:
        await consumer.stop()
    return latencies


async def fill_backlog(settings: Settings, topic: str, count: int, calls: int) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, linger_ms=20, max_batch_size=262144
    )
    await producer.start()
    source = events(calls)
    try:
        for _ in range(count):
            event = next(source)
            await producer.send(topic, stamp(event), key=str(event["call_id"]).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def end_offset_total(settings: Settings, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        while not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
        offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(offsets.values())
    finally:
        await consumer.stop()


def input_group(kind: str, settings: Settings) -> str:
    """The group that reads call events: the worker's call consumer, or faust's own group
    under exactly-once (and the pass-through's)."""
    at_least_once = settings.processing_guarantee == "at_least_once"
    return calls_group(settings) if kind == "worker" and at_least_once else settings.app_id


async def committed_total(settings: Settings, group: str) -> int:
    """Input offsets ``group`` has committed, summed over partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return sum(
            meta.offset
            for tp, meta in offsets.items()
            if tp.topic == settings.call_events_topic and meta.offset > 0
        )
    finally:
        await admin.close()


async def group_settled(settings: Settings, group: str, members: int) -> None:
    """Until the consumer group is stable with ``members`` members: a worker that joins after
    another has started moves partitions, and a load measured meanwhile times the rebalance."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        for _ in range(120):
            [response] = await admin.describe_consumer_groups([group])
            _, _, state, _, _, joined, *_ = response.groups[0]
            if state == "Stable" and len(joined) == members:
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"group {group}: {state} with {len(joined)} members")
    finally:
        await admin.close()


async def drain_rate(
    settings: Settings, progress: Callable[[], Awaitable[int]], backlog: int
) -> float:
    """Events/s through a process working off the backlog, from its ``progress`` count."""
    start_total = await progress()
    samples: list[tuple[float, int]] = []
    idle_since = None
    while True:
        done = await progress() - start_total
        samples.append((time.monotonic(), done))
        if done >= backlog * 0.98:
            break
        if done > 0 and done == samples[-2][1]:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 10:
                break
        else:
            idle_since = None
        await asyncio.sleep(0.05)
    moving = [(t, d) for t, d in samples if 0 < d < samples[-1][1]]
    if len(moving) < 2:
        return 0.0
    (t0, d0), (t1, d1) = moving[0], moving[-1]
    return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0


def settings_for(name: str, partitions: int) -> Settings:
    tag = f"bench-{name}-{uuid.uuid4().hex[:6]}"
    return Settings(
        kafka_bootstrap=os.environ.get("AGENT_ASSIST_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        app_id=tag,
        call_events_topic=f"{tag}-in",
        guidance_topic=f"{tag}-out",
        dlq_topic=f"{tag}-dlq",
        profiles_topic=f"{tag}-profiles",
        audio_topic=f"{tag}-audio",
        audio_dlq_topic=f"{tag}-audio-dlq",
        feedback_topic=f"{tag}-feedback",
        partitions=partitions,
        data_dir=Path(tempfile.mkdtemp()),
        session_timeout_s=6,
    )


def process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment that makes an ``agent-assist`` process run on ``settings``."""
    env = os.environ | {
        f"AGENT_ASSIST_{k.upper()}": str(v)
        for k, v in settings.model_dump(exclude_none=True, exclude={"queues"}).items()
    }
    return env | {"AGENT_ASSIST_HTTP_HOST": "127.0.0.1", "AGENT_ASSIST_HTTP_PORT": "0"} | extra


def start(kind: str, settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = process_env(settings)
    if kind == "worker":
        command = [str(Path(sys.executable).with_name("agent-assist")), "worker"]
    else:
        command = [sys.executable, __file__, "passthrough"]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def rss_mib(pid: int) -> float:
    """A process's resident memory, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def web_process(command: str, settings: Settings, **env: str) -> Iterator[tuple[int, str]]:
    """``agent-assist <command>`` (a web app) on a free port, ready: its pid and base URL;
    stopped on the way out."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = process_env(
        settings, AGENT_ASSIST_HTTP_PORT=str(port), AGENT_ASSIST_LOG_LEVEL="warning", **env
    )
    log = Path(tempfile.mkdtemp()) / f"{command}.log"
    cli = [str(Path(sys.executable).with_name("agent-assist")), command]
    process = subprocess.Popen(cli, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _ready(url):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not ready after 30 s:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield process.pid, url
    finally:
        process.terminate()
        process.wait(20)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz").status_code == 200
    except httpx.HTTPError:
        return False


async def wait_ready(kind: str, log: Path) -> None:
    marker = b"[^Worker]: Ready" if kind == "worker" else b"passthrough ready"
    for _ in range(600):
        if marker in log.read_bytes():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(log.read_text()[-2000:])


async def passthrough() -> None:
    """The floor: consume call events, produce each one unchanged, commit in batches."""
    settings = Settings()
    consumer = AIOKafkaConsumer(
        settings.call_events_topic,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.app_id,
        auto_offset_reset="earliest",
        enable_auto_commit=True,
        fetch_max_wait_ms=5,
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=1)
    await consumer.start()
    await producer.start()
    print("passthrough ready", flush=True)
    while True:
        batch = await consumer.getmany(timeout_ms=100, max_records=2000)
        futures = [
            await producer.send(settings.guidance_topic, m.value, key=m.key)
            for messages in batch.values()
            for m in messages
        ]
        if futures:
            await asyncio.gather(*futures)


async def run(
    kind: str,
    loads: list[float],
    seconds: float,
    calls: int,
    backlog: int,
    partitions: int,
    processes: int = 1,
) -> dict[str, object]:
    """``processes`` of ``kind`` in one consumer group, sharing the partitions."""
    settings = settings_for(kind, partitions)
    await create_topics(settings)
    logs = [settings.data_dir / f"{kind}-{n}.log" for n in range(processes)]
    running = [start(kind, settings, log) for log in logs]
    results: dict[str, object] = {}
    try:
        for log in logs:
            await wait_ready(kind, log)
        await group_settled(settings, input_group(kind, settings), processes)
        await offer(settings, settings.call_events_topic, 200, 2, calls)  # warm up
        await asyncio.sleep(2)
        for rate in loads:
            stop = asyncio.Event()
            collector = asyncio.create_task(measure(settings, settings.guidance_topic, stop))
            await asyncio.sleep(0.5)
            sent = await offer(settings, settings.call_events_topic, rate, seconds, calls)
            await asyncio.sleep(2)
            stop.set()
            latencies = await collector
            q = statistics.quantiles(latencies, n=100) if len(latencies) > 10 else [0.0] * 99
            results[f"{rate:.0f}"] = (sent / seconds, len(latencies), q[49], q[98])
        for process in running:
            stop_process(process)
        await fill_backlog(settings, settings.call_events_topic, backlog, calls)
        running = [start(kind, settings, log) for log in logs]
        if kind == "raw":  # one output per input
            progress = functools.partial(end_offset_total, settings, settings.guidance_topic)
        else:  # state is checkpointed, not written per event: count committed input
            progress = functools.partial(committed_total, settings, input_group(kind, settings))
        results["throughput"] = await drain_rate(settings, progress, backlog)
    finally:
        for process in running:
            stop_process(process)
    return results


def stop_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "passthrough"])
    parser.add_argument("--loads", default="500,2000,5000")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--workers", type=int, default=1, help="Worker processes in the group.")
    args = parser.parse_args()
    if args.mode == "passthrough":
        asyncio.run(passthrough())
        return
    loads = [float(x) for x in args.loads.split(",")]
    guarantee = settings_for("check", args.partitions).processing_guarantee
    print(host_line())
    print(
        f"{args.calls} concurrent calls, {args.partitions} partitions, "
        f"{args.seconds:.0f} s per load, {args.workers} worker process(es), {guarantee}"
    )
    results = {}
    for kind in ("raw", "worker"):
        processes = args.workers if kind == "worker" else 1
        results[kind] = asyncio.run(
            run(kind, loads, args.seconds, args.calls, args.backlog, args.partitions, processes)
        )
    print(f"{'load ev/s':>10} {'path':>7} {'sent/s':>8} {'outputs':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for rate in loads:
        for kind in ("raw", "worker"):
            sent, n, p50, p99 = results[kind][f"{rate:.0f}"]  # type: ignore[misc]
            print(f"{rate:>10.0f} {kind:>7} {sent:>8.0f} {n:>8} {p50:>8.1f} {p99:>8.1f}")
    raw, worker = results["raw"]["throughput"], results["worker"]["throughput"]
    ratio = f"{worker / raw:.0%} of the floor" if raw else "no floor measured"
    print(
        f"max sustained throughput: raw pass-through {raw:,.0f} events/s, "
        f"{args.workers} worker process(es) {worker:,.0f} events/s ({ratio})"
    )


if __name__ == "__main__":
    main()
