"""The desktop gateway on the local broker: prompts produced to `guidance` -> agents' SSE streams.

Run: make bench-desktop   (starts the broker; or .venv/bin/python benchmarks/desktop.py)
Starts a real `agent-assist desktop` process, opens one SSE stream per agent (--agents), then
produces prompts for random agents at each offered rate and prints the end-to-end latency
(produce -> the prompt read off its agent's stream) p50/p99, prompts lost, and the gateway's
resident memory. The broker, the load and the clients share the machine with the gateway.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime

import httpx
from aiokafka import AIOKafkaProducer
from pipeline import (  # benchmarks/, beside this script
    rss_mib,
    settings_for,
    web_process,
)

from streams.desk_links import LINK_TTL, DeskKeys
from streams.settings import Settings
from streams.topics import create_topics

SECRET = "bench"


def prompt(agent: str, n: int) -> bytes:
    return json.dumps(
        {
            "type": "guidance",
            "prompt_id": f"p-{n}",
            "call_id": f"call-{agent}",
            "agent_id": agent,
            "ts": datetime.now(UTC).isoformat(),
            "kind": "escalation_risk",
            "severity": "warning",
            "title": "Customer upset",
            "message": "Let them finish, acknowledge the feeling and say what you will do now.",
            "evidence": {"sent": time.time()},
        }
    ).encode()


async def listen(
    client: httpx.AsyncClient, url: str, agent: str, received: dict[str, float]
) -> None:
    token = DeskKeys.from_setting(SECRET).token(agent, datetime.now(UTC) + LINK_TTL)
    params = {"token": token}
    async with client.stream("GET", f"{url}/agents/{agent}/events", params=params) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: ") and '"prompt_id"' in line:
                data = json.loads(line[6:])
                if "evidence" in data:
                    received[data["prompt_id"]] = time.time() - data["evidence"]["sent"]


async def measure(
    settings: Settings, url: str, agents: int, rates: list[int], seconds: float
) -> None:
    names = [f"agent-{n}" for n in range(agents)]
    received: dict[str, float] = {}
    limits = httpx.Limits(max_connections=agents + 10)
    async with httpx.AsyncClient(timeout=None, limits=limits) as client:
        listeners = [asyncio.create_task(listen(client, url, a, received)) for a in names]
        await asyncio.sleep(2)  # every stream open
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=1)
        await producer.start()
        sent = 0
        print(f"{agents} agents connected")
        print(f"{'prompts/s':>10} {'sent':>7} {'lost':>5} {'p50 ms':>8} {'p99 ms':>8}")
        for rate in rates:
            first = sent
            start = time.monotonic()
            while time.monotonic() - start < seconds:
                agent = random.choice(names)
                await producer.send(
                    settings.guidance_topic, prompt(agent, sent), key=agent.encode()
                )
                sent += 1
                due = start + (sent - first) / rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
            await asyncio.sleep(2)  # let the last prompts arrive
            ids = [f"p-{n}" for n in range(first, sent)]
            lat = sorted(received[i] * 1000 for i in ids if i in received)
            lost = len(ids) - len(lat)
            p99 = lat[int(len(lat) * 0.99) - 1] if lat else float("nan")
            print(f"{rate:>10} {len(ids):>7} {lost:>5} {statistics.median(lat):>8.1f} {p99:>8.1f}")
        await producer.stop()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument(
        "--rates", default="50,200,500", help="Prompts per second, comma-separated."
    )
    parser.add_argument("--seconds", type=float, default=10, help="Per rate.")
    args = parser.parse_args()
    settings = settings_for("desk", partitions=6)
    asyncio.run(create_topics(settings))
    with web_process("desktop", settings, AGENT_ASSIST_DESKTOP_SECRET=SECRET) as (pid, url):
        rss_before = rss_mib(pid)
        rates = [int(r) for r in args.rates.split(",")]
        asyncio.run(measure(settings, url, args.agents, rates, args.seconds))
        print(f"gateway RSS {rss_before:.0f} MiB idle, {rss_mib(pid):.0f} MiB after")


if __name__ == "__main__":
    main()
