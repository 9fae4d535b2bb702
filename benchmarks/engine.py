"""Engine throughput and memory: decode + validate + engine over 10,000 concurrent calls,
speaking real customer and agent lines.

Run: make bench   (or .venv/bin/python benchmarks/engine.py --calls 10000)
Prints events/s on one core, p50/p99 per-event time, peak RSS and bytes per live call.
"""

import argparse
import gc
import random
import resource
import statistics
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from host import host_line
from lines import real_lines

from agent_assist.decoding import decode_event
from agent_assist.engine import Engine
from agent_assist.replay import Simulator
from agent_assist.testing import CallScript
from models import CallerHistory


def build(calls: int, turns: int, seed: int = 7) -> tuple[list[bytes], list[CallerHistory]]:
    """Raw JSON events: every call starts, then the turns interleave across calls, then all end."""
    rng = random.Random(seed)
    customer, agent = real_lines()
    t0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
    scripts = []
    for n in range(calls):
        script = CallScript(
            f"call-{n}",
            t0 + timedelta(milliseconds=n),
            agent_id=f"agent-{n % 500}",
            customer_id=f"cust-{n}" if n % 10 else None,
            caller_number=f"+1555{n:07d}",
        )
        clock = 1.0
        for turn in range(turns):
            if turn == turns // 2 and n % 3 == 0:
                script.hold(clock)
                clock += rng.choice([30, 75, 120])
                script.unhold(clock)
            speaker = "customer" if turn % 2 else "agent"
            length = rng.uniform(1.0, 6.0)
            start = clock - (0.8 if rng.random() < 0.1 else 0.0)
            text = rng.choice(customer if speaker == "customer" else agent)
            script.say(speaker, text, start, start + length)
            clock = start + length + rng.uniform(0.2, 1.5)
        script.end(clock + 1)
        scripts.append(script)
    history = [CallerHistory(customer_id=f"cust-{n}", contacts=n % 6) for n in range(0, calls, 2)]
    events = [e for s in scripts for e in s.events]
    events.sort(key=lambda e: e.ts)
    return [e.model_dump_json().encode() for e in events], history


def run(raw: list[bytes], history: list[CallerHistory]) -> tuple[list[int], int, float]:
    simulator = Simulator(Engine(), history)
    per_event = []
    outputs = 0
    gc.collect()
    started = time.perf_counter()
    for data in raw:
        t = time.perf_counter_ns()
        event = decode_event(data)
        outputs += sum(1 for _ in simulator.advance_to(event.ts))
        outputs += len(simulator.feed(event).outputs)
        per_event.append(time.perf_counter_ns() - t)
    outputs += sum(1 for _ in simulator.finish())
    return per_event, outputs, time.perf_counter() - started


def live_call_bytes(calls: int) -> float:
    """Heap bytes per live call: calls started, spoken in, on hold, not ended."""
    raw, history = build(calls, turns=6)
    simulator = Simulator(Engine(), history)
    events = [decode_event(r) for r in raw if b'"call_ended"' not in r]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for event in events:
        simulator.feed(event)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(simulator.calls) == calls
    return (after - before) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    print(host_line())
    raw, history = build(args.calls, args.turns)
    print(f"{len(raw):,} events over {args.calls:,} concurrent calls ({args.turns} turns each)")
    run(raw[:20_000], history)  # warm-up
    per_event, outputs, elapsed = run(raw, history)
    q = statistics.quantiles(per_event, n=100)
    rate = len(raw) / elapsed
    print(f"throughput      {rate:>10,.0f} events/s on one core ({outputs:,} outputs)")
    print(f"per event       p50 {q[49] / 1000:.1f} us   p99 {q[98] / 1000:.1f} us")
    print(f"live call state {live_call_bytes(args.calls):>10,.0f} bytes per call (tracemalloc)")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS        {peak_kib / 1024:>10,.1f} MiB")


if __name__ == "__main__":
    main()
