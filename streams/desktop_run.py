"""Running the desktop gateway: following Kafka, or playing the embedded demo without a broker."""

import asyncio
import logging
import secrets
import signal
import threading
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry
from pydantic import ValidationError
from rich.console import Console

from agent_assist.decoding import InvalidEvent, decode_event
from agent_assist.demo import TerminalView, load_demo, run_demo
from agent_assist.desk import DeskFeed
from agent_assist.engine import Engine
from models import GuidanceFeedback, output_event_adapter
from streams.desk_links import DeskKeys
from streams.desktop import DeskHub, create_desktop_app
from streams.metrics import DesktopMetrics
from streams.settings import Settings
from streams.shutdown import exit_after
from streams.topics import create_topics

log = logging.getLogger(__name__)
FIRST_PAGE_WAIT_S = 60
"""The demo starts its calls when a page opens, or after this long."""


class KafkaFollower:
    """Reads call events and guidance from every partition (no consumer group) into the hub.

    On start it goes back ``desktop_lookback_s``, so a restarted gateway shows live calls'
    prompts again; it is ready once it has caught up with what was there at start.
    """

    def __init__(self, settings: Settings, hub: DeskHub):
        self.settings, self.hub = settings, hub
        self.caught_up = False
        self.consumer = AIOKafkaConsumer(
            **settings.aiokafka_options(), enable_auto_commit=False, fetch_max_wait_ms=100
        )

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        return self.caught_up, {"caught_up": self.caught_up}

    async def run(self) -> None:
        await self.consumer.start()
        try:
            ends = await self._assign()
            while True:
                batch = await self.consumer.getmany(timeout_ms=200)
                for messages in batch.values():
                    for message in messages:
                        self._take(message)
                if not self.caught_up:
                    positions = {tp: await self.consumer.position(tp) for tp in ends}
                    self.caught_up = all(positions[tp] >= end for tp, end in ends.items())
        finally:
            await self.consumer.stop()

    async def _assign(self) -> dict[TopicPartition, int]:
        topics = (self.settings.call_events_topic, self.settings.guidance_topic)
        # create_topics has made sure every topic has this many partitions.
        partitions = range(self.settings.partitions)
        tps = [TopicPartition(topic, partition) for topic in topics for partition in partitions]
        self.consumer.assign(tps)
        since = int((time.time() - self.settings.desktop_lookback_s) * 1000)
        offsets = await self.consumer.offsets_for_times({tp: since for tp in tps})
        for tp, found in offsets.items():
            if found is None:
                await self.consumer.seek_to_end(tp)
            else:
                self.consumer.seek(tp, found.offset)
        return dict(await self.consumer.end_offsets(tps))

    def _take(self, message: Any) -> None:
        value = message.value or b""
        try:
            if message.topic == self.settings.guidance_topic:
                self.hub.publish(output_event_adapter.validate_json(value))
            elif b"call_started" in value or b"call_ended" in value:
                # The desk only needs calls starting and ending; most of call-events is
                # transcripts, which are not decoded at all.
                self.hub.publish(decode_event(value))
        except (InvalidEvent, ValidationError):
            # The workers dead-letter invalid input; the desktop just shows nothing for it.
            log.debug("skipped an invalid message at %s@%s", message.topic, message.offset)


class Server(uvicorn.Server):
    """uvicorn's server with a deadline on stopping, and a clean exit status after it."""

    def __init__(self, config: uvicorn.Config, shutdown_timeout_s: float):
        super().__init__(config)
        self.shutdown_timeout_s = shutdown_timeout_s

    def handle_exit(self, sig: int, frame: Any) -> None:
        if not self.should_exit:
            exit_after(self.shutdown_timeout_s)
        super().handle_exit(sig, frame)


async def serve(
    app: Any, host: str, port: int, shutdown_timeout_s: float, *others: Coroutine[Any, Any, None]
) -> None:
    """Serve ``app`` until SIGTERM or Ctrl-C, with ``others`` running beside it."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=max(shutdown_timeout_s - 5, 1),
        ws_per_message_deflate=False,  # telephony audio does not compress; it only costs CPU
    )
    server = Server(config, shutdown_timeout_s)
    # uvicorn stops gracefully on SIGTERM, then raises it again for the previous handler: make
    # that a no-op, so a clean stop exits with status 0.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    tasks = [asyncio.create_task(server.serve()), *map(asyncio.create_task, others)]
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.result()
    finally:
        signal.signal(signal.SIGTERM, previous)


async def run_kafka_desktop(settings: Settings) -> None:
    if settings.desktop_secret is None:
        raise SystemExit("set AGENT_ASSIST_DESKTOP_SECRET: it signs the agents' desktop links")
    try:
        keys = DeskKeys.from_setting(settings.desktop_secret.get_secret_value())
    except ValueError as err:
        raise SystemExit(f"AGENT_ASSIST_DESKTOP_SECRET: {err}") from None
    await create_topics(settings)
    registry = CollectorRegistry()
    hub = DeskHub(DeskFeed(), DesktopMetrics(registry))
    follower = KafkaFollower(settings, hub)
    producer = AIOKafkaProducer(**settings.aiokafka_options(), acks="all")
    await producer.start()

    async def record(feedback: GuidanceFeedback) -> None:
        value = feedback.model_dump_json().encode()
        key = feedback.call_id.encode()
        await producer.send_and_wait(settings.feedback_topic, value, key=key)

    ttl = timedelta(seconds=settings.desktop_link_ttl_s)
    app = create_desktop_app(hub, record, keys, registry, follower.readiness, link_ttl=ttl)
    log.info("desktop gateway on %s:%s", settings.http_host, settings.http_port)
    try:
        await serve(
            app, settings.http_host, settings.http_port, settings.shutdown_timeout_s, follower.run()
        )
    finally:
        await producer.stop()


async def run_demo_desktop(
    engine: Engine, speed: float, host: str, port: int, shutdown_timeout_s: float
) -> None:
    """The embedded demo with the agents' pages: no broker, feedback printed here."""
    console = Console()
    registry = CollectorRegistry()
    hub = DeskHub(DeskFeed(), DesktopMetrics(registry))
    view = TerminalView(console)

    async def record(feedback: GuidanceFeedback) -> None:
        console.print(
            f"[bold magenta]feedback[/] {feedback.agent_id} marked {feedback.kind} "
            f"({feedback.call_id}) as [bold]{feedback.action}[/]"
        )

    keys = DeskKeys((secrets.token_hex(16),))
    events, _ = load_demo()
    agents = sorted({e.agent_id for e in events if e.type == "call_started"})  # type: ignore[union-attr]
    app = create_desktop_app(hub, record, keys, registry, lambda: (True, {}), agents)
    loop = asyncio.get_running_loop()
    stopping = threading.Event()

    def show(item: Any) -> None:
        if stopping.is_set():
            raise DemoStopped
        view.show(item)
        loop.call_soon_threadsafe(hub.publish, item)

    async def play() -> None:
        console.print(f"Agent pages: [bold]http://{host}:{port}/[/] (Ctrl-C to stop)")
        try:
            await asyncio.wait_for(hub.first_page.wait(), FIRST_PAGE_WAIT_S)
        except TimeoutError:
            console.print("no page opened yet: starting the calls anyway")
        try:
            await asyncio.to_thread(run_demo, engine, speed, show)
        finally:
            stopping.set()  # a stopped gateway stops the playing thread at its next item
        view.summary()
        console.print("The calls are over; the pages stay up until Ctrl-C.")
        await asyncio.Event().wait()

    await serve(app, host, port, shutdown_timeout_s, play())


class DemoStopped(Exception):
    """Raised in the demo's playing thread once the gateway has stopped."""
