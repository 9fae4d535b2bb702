"""The faust app, built by a factory so tests and workers each get their own.

Run a worker: ``agent-assist worker`` (or ``python -m streams worker``).
"""

from typing import Any

import faust
import mode
from aiohttp import web
from prometheus_client import CollectorRegistry

from agent_assist.clock import Clock, system_clock
from agent_assist.engine import Engine
from agent_assist.live import LiveCalls
from streams import faust_fixes
from streams.agents import register_agents
from streams.call_consumer import CallConsumer
from streams.metrics import DetectionMetrics
from streams.probes import start_probes
from streams.settings import Settings
from streams.shutdown import exit_after
from streams.topics import DEAD_LETTER_MAX_BYTES, make_topics

JSON = faust.Schema(key_serializer="json", value_serializer="json")
COMMIT_EVERY_OFF = 2**62
"""A message count never reached: offsets are committed every ``broker_commit_interval``."""


def broker_credentials(settings: Settings) -> faust.SASLCredentials | faust.SSLCredentials | None:
    if settings.security_protocol.startswith("SASL"):
        password = settings.sasl_password.get_secret_value() if settings.sasl_password else None
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=password,
            mechanism=settings.sasl_mechanism,
            ssl_context=settings.ssl_context(),
        )
    context = settings.ssl_context()
    return faust.SSLCredentials(context) if context else None


def create_app(settings: Settings, engine: Engine, clock: Clock = system_clock) -> faust.App:
    at_least_once = settings.processing_guarantee == "at_least_once"
    # Under exactly_once an aborted transaction's records and markers also leave offsets empty.
    faust_fixes.apply(every_record=(settings.caller_topic,) if at_least_once else ())
    datadir = settings.data_dir / settings.app_id
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")],
        broker_credentials=broker_credentials(settings),
        store=settings.store,
        datadir=str(datadir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        processing_guarantee=settings.processing_guarantee,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        consumer_auto_offset_reset="earliest",
        producer_max_request_size=DEAD_LETTER_MAX_BYTES,
        table_standby_replicas=settings.table_standby_replicas,
        web_enabled=False,
        autodiscover=False,
        # Commit on the interval only: faust's commit every N messages (10,000 by default) runs
        # inside its fetch loop, and stalled every partition's stream for 1-1.6 s each time.
        broker_commit_every=COMMIT_EVERY_OFF,
    )
    registry = CollectorRegistry()  # per app, so several apps in one process never clash
    metrics = DetectionMetrics(registry, settings.queues)
    live = LiveCalls(engine, clock)
    calls: CallConsumer | faust.Table
    if at_least_once:
        calls = CallConsumer(settings, live, metrics)
        serve_calls(app, calls)
    else:
        calls = app.Table("calls", partitions=settings.partitions, schema=JSON)
    callers = app.Table("callers", partitions=settings.partitions, schema=JSON)
    topics = make_topics(app, settings)
    register_agents(app, settings, topics, calls, callers, live, metrics)
    serve_probes(app, settings, registry, calls)
    return app


def serve_calls(app: faust.App, calls: CallConsumer) -> None:
    """Run the checkpointed consumer with the app; if it fails, the worker stops."""

    @app.service
    class CheckpointedCalls(mode.Service):
        async def on_start(self) -> None:
            self.add_future(await calls.start())

        async def on_stop(self) -> None:
            await calls.stop()


def serve_probes(
    app: faust.App,
    settings: Settings,
    registry: CollectorRegistry,
    calls: CallConsumer | faust.Table,
) -> None:
    """/metrics, /healthz and /readyz, up from start-up until the worker has stopped."""

    def readiness() -> tuple[bool, dict[str, Any]]:
        recovered = app.tables.recovery.completed.is_set()
        ready = recovered and not app.rebalancing and not app.in_recovery
        if isinstance(calls, CallConsumer):
            ready = ready and calls.ready
            partitions = sorted(calls.owned())
        else:
            actives = app.assignor.assigned_actives()
            partitions = sorted(
                tp.partition for tp in actives if tp.topic == settings.call_events_topic
            )
        return ready, {"partitions": partitions, "recovered": recovered}

    @app.service
    class Probes(mode.Service):
        runner: web.AppRunner | None = None

        async def on_start(self) -> None:
            self.runner = await start_probes(
                registry, readiness, settings.http_host, settings.http_port
            )

        async def on_stop(self) -> None:
            if self.runner:
                await self.runner.cleanup()


class Worker(faust.Worker):
    """faust's worker with a deadline on shutdown.

    On SIGTERM faust stops the agents (finishing the event in hand), commits offsets, leaves
    the group and flushes the producer; past ``shutdown_timeout_s`` the process exits with
    status 1 instead.
    """

    def __init__(self, app: faust.App, shutdown_timeout_s: float, **kwargs: Any):
        super().__init__(app, **kwargs)
        self.shutdown_timeout_s = shutdown_timeout_s

    def _on_sigterm(self) -> None:
        exit_after(self.shutdown_timeout_s)
        super()._on_sigterm()
