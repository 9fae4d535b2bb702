"""The faust app, built by a factory so tests and workers each get their own.

Run a worker: ``agent-assist worker`` (or ``python -m streams worker``).
"""

import faust

from agent_assist.clock import Clock, system_clock
from agent_assist.engine import Engine
from agent_assist.live import LiveCalls
from streams import faust_fixes
from streams.agents import register_agents
from streams.settings import Settings
from streams.topics import make_topics

JSON = faust.Schema(key_serializer="json", value_serializer="json")


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
    faust_fixes.apply()
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
        web_enabled=False,
        autodiscover=False,
    )
    calls = app.Table("calls", partitions=settings.partitions, schema=JSON)
    callers = app.Table("callers", partitions=settings.partitions, schema=JSON)
    topics = make_topics(app, settings)
    register_agents(app, settings, topics, calls, callers, LiveCalls(engine, clock))
    return app
