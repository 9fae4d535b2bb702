"""Real-broker helpers: unique topics per test, worker processes, produce and collect."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import murmur2

from agent_assist.demo import load_demo
from agent_assist.replay import event_order
from agent_assist.testing import CallScript
from models import CallerHistory, InputEvent
from streams.kafka_io import publish_profiles
from streams.settings import Settings
from streams.topics import topic_specs

BOOTSTRAP = os.environ.get("AGENT_ASSIST_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


LONG_EMPATHY = {"empathy_window_s": 3600.0, "first_time_empathy_window_s": 3600.0}
"""Engine settings for tests whose events may wait behind an outage, a restart or a backlog: an
empathy window ends on the worker's wall clock, so an acknowledgement stuck behind them would
prompt live but not in replay."""


def engine_env(**config: float) -> dict[str, str]:
    """Engine settings as a worker's environment."""
    return {f"AGENT_ASSIST_{name.upper()}": str(value) for name, value in config.items()}


def broker_answers() -> bool:
    host, port = BOOTSTRAP.split(",")[0].rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


def unique_settings(name: str, tmp: Path, **overrides: Any) -> Settings:
    tag = f"t-{''.join(c if c.isalnum() else '-' for c in name)[:40]}-{uuid.uuid4().hex[:8]}"
    return Settings(
        kafka_bootstrap=BOOTSTRAP,
        app_id=tag,
        call_events_topic=f"{tag}-call-events",
        guidance_topic=f"{tag}-guidance",
        dlq_topic=f"{tag}-dlq",
        profiles_topic=f"{tag}-profiles",
        audio_topic=f"{tag}-audio",
        audio_dlq_topic=f"{tag}-audio-dlq",
        feedback_topic=f"{tag}-feedback",
        data_dir=tmp,
        session_timeout_s=6,
        **overrides,
    )


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_ASSIST_")}
    for name, value in settings.model_dump(exclude_none=True).items():
        text = ",".join(value) if isinstance(value, list) else str(value)
        env[f"AGENT_ASSIST_{name.upper()}"] = text
    return env | extra


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default (murmur2) partitioner picks for a key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


class WorkerProcess:
    """``agent-assist worker`` as a real OS process, its log in a file, probes on ``port``."""

    def __init__(
        self,
        settings: Settings,
        log: Path,
        command: str = "worker",
        ready: bytes = b"[^Worker]: Ready",
        port: int | None = None,
        **env: str,
    ):
        self.settings, self.log_path, self.ready = settings, log, ready
        self.port = port or free_port()
        cli = Path(sys.executable).with_name("agent-assist")
        self.log = log.open("ab")
        probes = {"AGENT_ASSIST_HTTP_HOST": "127.0.0.1", "AGENT_ASSIST_HTTP_PORT": str(self.port)}
        self.proc = subprocess.Popen(
            [str(cli), *command.split()],
            env=env_for(settings, **probes, **env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @classmethod
    def speech(cls, settings: Settings, log: Path, **env: str) -> "WorkerProcess":
        """``agent-assist asr-worker``, ready once it says so."""
        return cls(settings, log, command="asr-worker", ready=b"asr worker ready", **env)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready in self.log_path.read_bytes():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready:\n{self.log_path.read_text()[-3000:]}")

    def get(self, path: str) -> tuple[int, str]:
        """GET a path of the worker's probe server: (status, body); status 0: no answer."""
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except urllib.error.URLError:  # not listening (yet, or any more)
            return 0, ""

    def timer_failures(self) -> list[str]:
        """Log lines of timers that raised (the worker logs them and carries on)."""
        log = self.log_path.read_text(errors="replace")
        return [line for line in log.splitlines() if "runs again at its next interval" in line]

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        return self.proc.returncode


async def delete_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        ours = [t for t in existing if t.startswith(settings.app_id)]
        ours += [s.name for s in topic_specs(settings) if s.name in existing]
        if ours:
            await admin.delete_topics(sorted(set(ours)))
    finally:
        await admin.close()


async def send_raw(topic: str, messages: Iterable[tuple[bytes | None, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def send_events(settings: Settings, events: Iterable[InputEvent]) -> None:
    await send_raw(
        settings.call_events_topic,
        ((e.call_id.encode(), e.model_dump_json().encode()) for e in events),
    )


async def collect(
    topic: str,
    done: Callable[[list[Any]], bool],
    timeout: float = 60,
    decode: Callable[[Any], Any] = lambda m: json.loads(m.value),
) -> list[Any]:
    """Read a topic from the start until ``done(items)`` or the timeout."""
    # A short metadata age: a topic created a moment ago is picked up within a second.
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=BOOTSTRAP, auto_offset_reset="earliest", metadata_max_age_ms=1000
    )
    await consumer.start()
    items: list[Any] = []
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        while not done(items):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            batch = await consumer.getmany(timeout_ms=int(min(left, 0.5) * 1000))
            for messages in batch.values():
                items += [decode(m) for m in messages]
    finally:
        await consumer.stop()
    return items


def escalating_calls(prefix: str, count: int, start: datetime, customers: int) -> list[InputEvent]:
    """``count`` short calls in time order, each with one escalation line from the customer;
    ``customers`` distinct callers share them."""
    events: list[InputEvent] = []
    for n in range(count):
        call = CallScript(f"{prefix}-{n}", start, customer_id=f"{prefix}-cust-{n % customers}")
        call.say("customer", "This is ridiculous, get me a supervisor.", 1, 4)
        call.say("agent", "I understand, one moment.", 4, 6)
        call.end(8)
        events += call.events
    return sorted(events, key=event_order)


async def publish_demo(settings: Settings) -> tuple[list[InputEvent], list[CallerHistory]]:
    """The demo's caller history (once the workers hold it), then its calls, in time order."""
    events, history = load_demo()
    await publish_profiles(settings, history)
    changelog = f"{settings.app_id}-callers-changelog"
    await collect(changelog, lambda items: len(items) >= len(history), decode=lambda m: m.key)
    await send_events(settings, sorted(events, key=event_order))
    return events, history
