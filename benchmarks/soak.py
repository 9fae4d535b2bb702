"""Soak: detection workers under steady load for half an hour, sampled every minute.

Run: make soak   (starts the broker; or .venv/bin/python benchmarks/soak.py --minutes 30)
Calls start and end all the time (about --calls live at once, callers drawn from a pool of
--customers, one call in ten put on hold past the long-hold threshold). Each minute it prints
what would show a leak or a worker falling behind: resident memory and open file descriptors of
the workers, the entries of the calls and callers tables (read from their changelogs, so from
outside the workers), the group's consumer lag on call-events, and prompt latency (receive time
minus the prompt's `ts`; a long-hold prompt's `ts` is when it was due). The summary compares the
last minute with the first minute after --warmup.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pipeline import (  # benchmarks/, beside this script
    AGENT,
    CUSTOMER,
    end_offset_total,
    input_group,
    rss_mib,
    settings_for,
    start,
    stop_process,
    wait_ready,
)

from streams.settings import Settings
from streams.topics import create_topics

HOLD_S = 100.0
"""Longer than both long-hold thresholds (60 s first-time, 90 s others), so each hold prompts."""


@dataclass
class Call:
    call_id: str
    customer: str
    turns: int
    hold_at: int | None
    clock: float = 0.0
    hold_until: float | None = None
    started: bool = False


@dataclass
class Traffic:
    """Live calls taking turns; an ended call is replaced by a new one."""

    calls: int
    customers: int
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    live: deque[Call] = field(default_factory=deque)
    made: int = 0

    def __post_init__(self) -> None:
        for _ in range(self.calls):
            self.live.append(self.new_call())

    def new_call(self) -> Call:
        self.made += 1
        turns = self.rng.randrange(20, 60)
        hold_at = self.rng.randrange(5, turns - 5) if self.rng.random() < 0.1 else None
        customer = f"cust-{self.rng.randrange(self.customers)}"
        return Call(f"soak-{self.made}", customer, turns, hold_at)

    def next(self, now: float) -> dict[str, object]:
        """The next event of the next call whose turn it is (calls on hold are skipped)."""
        for _ in range(len(self.live)):
            call = self.live[0]
            self.live.rotate(-1)
            if call.hold_until is None or now >= call.hold_until:
                return self.step(call, now)
        call = self.new_call()  # every call is on hold: one more call joins
        self.live.append(call)
        return self.step(call, now)

    def step(self, call: Call, now: float) -> dict[str, object]:
        base: dict[str, object] = {"call_id": call.call_id}
        if not call.started:
            call.started = True
            return base | {
                "type": "call_started",
                "agent_id": f"agent-{self.rng.randrange(500)}",
                "customer_id": call.customer,
                "queue": "billing",
            }
        if call.hold_until is not None:
            call.hold_until = None
            return base | {"type": "hold_ended"}
        if call.turns == 0:
            self.live.remove(call)
            self.live.append(self.new_call())
            return base | {"type": "call_ended"}
        if call.turns == call.hold_at:
            call.hold_at, call.hold_until = None, now + HOLD_S
            return base | {"type": "hold_started"}
        call.turns -= 1
        speaker = "customer" if call.turns % 2 else "agent"
        pool = CUSTOMER if speaker == "customer" else AGENT
        base |= {"start": call.clock, "end": call.clock + 2.0}
        call.clock += 2.0
        text = self.rng.choice(pool)
        return base | {"type": "transcript", "speaker": speaker, "text": text}


def stamp(event: dict[str, object]) -> bytes:
    event["ts"] = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(event).encode()


@dataclass
class Window:
    """What happened in the current minute, and the state seen so far."""

    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    tables: dict[str, set[bytes]] = field(default_factory=dict)


async def offer(
    settings: Settings, rate: float, until: float, window: Window, calls: int, customers: int
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=5)
    await producer.start()
    traffic = Traffic(calls, customers)
    sent, begin = 0, time.monotonic()
    try:
        while (now := time.monotonic()) < until:
            due = int(rate * (now - begin)) - sent
            for _ in range(max(due, 0)):
                event = traffic.next(now)
                key = str(event["call_id"]).encode()
                await producer.send(settings.call_events_topic, stamp(event), key=key)
            sent += max(due, 0)
            window.sent += max(due, 0)
            await asyncio.sleep(0.01)
        await producer.flush()
    finally:
        await producer.stop()


async def read_until(settings: Settings, topic: str, until: float) -> AsyncIterator[Any]:
    """Every record of ``topic`` from the start, as it arrives, until ``until`` (monotonic)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    try:
        while time.monotonic() < until:
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            for messages in batch.values():
                for message in messages:
                    yield message
    finally:
        await consumer.stop()


async def watch_prompts(settings: Settings, window: Window, until: float) -> None:
    async for message in read_until(settings, settings.guidance_topic, until):
        sent = datetime.fromisoformat(json.loads(message.value)["ts"]).timestamp()
        window.latencies.append((time.time() - sent) * 1000)


async def watch_table(settings: Settings, table: str, window: Window, until: float) -> None:
    """Keys whose latest changelog record is not a tombstone: the table's entries."""
    entries = window.tables.setdefault(table, set())
    async for message in read_until(settings, f"{settings.app_id}-{table}-changelog", until):
        if message.value is None:
            entries.discard(message.key)
        else:
            entries.add(message.key)


async def group_lag(settings: Settings) -> int:
    """call-events records not yet committed by the workers' group that reads them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(input_group("worker", settings))
    finally:
        await admin.close()
    done = sum(
        meta.offset
        for tp, meta in committed.items()
        if tp.topic == settings.call_events_topic and meta.offset > 0
    )
    return await end_offset_total(settings, settings.call_events_topic) - done


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def soak(args: argparse.Namespace) -> list[dict[str, float]]:
    settings = settings_for("soak", args.partitions)
    await create_topics(settings)
    logs = [settings.data_dir / f"worker-{n}.log" for n in range(args.workers)]
    workers: list[subprocess.Popen[bytes]] = []
    rows: list[dict[str, float]] = []
    try:
        for log in logs:
            workers.append(start("worker", settings, log))
        for log in logs:
            await wait_ready("worker", log)
        began = time.monotonic()
        until = began + args.minutes * 60
        window = Window()
        tasks = [
            asyncio.create_task(
                offer(settings, args.rate, until, window, args.calls, args.customers)
            ),
            asyncio.create_task(watch_prompts(settings, window, until + 5)),
            asyncio.create_task(watch_table(settings, "calls", window, until + 5)),
            asyncio.create_task(watch_table(settings, "callers", window, until + 5)),
        ]
        print(
            f"{'min':>4} {'sent/s':>7} {'prompts':>8} {'p50 ms':>7} {'p99 ms':>8} {'lag':>7} "
            f"{'calls':>6} {'callers':>8} {'RSS MiB':>16} {'fds':>9}",
            flush=True,
        )
        for minute in range(1, int(args.minutes) + 1):
            await asyncio.sleep(began + minute * 60 - time.monotonic())
            for task in tasks:
                if task.done():
                    task.result()  # a watcher that failed fails the soak
            latencies, window.latencies = window.latencies, []
            sent, window.sent = window.sent, 0
            q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
            rss_each = [rss_mib(w.pid) for w in workers]
            fds_each = [open_fds(w.pid) for w in workers]
            row = {
                "minute": minute,
                "rate": sent / 60,
                "prompts": len(latencies),
                "p50": q[49],
                "p99": q[98],
                "lag": await group_lag(settings),
                "calls": len(window.tables.get("calls", ())),
                "callers": len(window.tables.get("callers", ())),
                "rss": sum(rss_each),
                "fds": sum(fds_each),
            }
            rss = "+".join(f"{value:.0f}" for value in rss_each)
            fds = "+".join(str(value) for value in fds_each)
            rows.append(row)
            print(
                f"{minute:>4} {row['rate']:>7.0f} {row['prompts']:>8} {row['p50']:>7.1f} "
                f"{row['p99']:>8.1f} {row['lag']:>7} {row['calls']:>6} {row['callers']:>8} "
                f"{rss:>16} {fds:>9}",
                flush=True,
            )
        await asyncio.gather(*tasks)
    finally:
        for worker in workers:
            stop_process(worker)
    return rows


def summary(rows: list[dict[str, float]], warmup: int) -> None:
    """Growth from the first minute after warm-up to the last; latency and lag over all of them."""
    after = [r for r in rows if r["minute"] > warmup]
    if len(after) < 2:
        print("too short for a summary: run longer than --warmup")
        return
    first, last = after[0], after[-1]
    growth = (
        ("rss", "RSS MiB"),
        ("fds", "open fds"),
        ("calls", "calls table"),
        ("callers", "callers table"),
    )
    for key, name in growth:
        change = (last[key] - first[key]) / first[key] if first[key] else 0.0
        print(
            f"{name}: {first[key]:,.0f} at minute {first['minute']:.0f}, "
            f"{last[key]:,.0f} at minute {last['minute']:.0f} ({change:+.0%})"
        )
    for key, name in (("p99", "prompt p99 ms per minute"), ("lag", "consumer lag, records")):
        values = [r[key] for r in after]
        print(
            f"{name}: median {statistics.median(values):,.0f}, max {max(values):,.0f}, "
            f"last {values[-1]:,.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=1000, help="events/s offered")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--calls", type=int, default=1000, help="live calls at once")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=5, help="minutes left out of the summary")
    args = parser.parse_args()
    print(
        f"soak: {args.workers} workers, {args.rate:.0f} events/s, about {args.calls} live calls, "
        f"{args.customers} customers, {args.partitions} partitions, {args.minutes:.0f} min"
    )
    rows = asyncio.run(soak(args))
    summary(rows, args.warmup)


if __name__ == "__main__":
    main()
