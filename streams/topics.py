"""Topic names, their creation, and the faust topic objects the agents read and write."""

from dataclasses import dataclass
from typing import Any

import faust
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams.preflight import check_broker
from streams.settings import Settings

RAW = {"key_serializer": "raw", "value_serializer": "raw"}
DEAD_LETTER_MAX_BYTES = 2 * 1024 * 1024
"""Dead-letter topics take messages twice Kafka's default limit (1 MiB), so a copy of anything
the broker accepted fits with its headers; the workers' producers may send that much."""
PRODUCER_BATCH_BYTES = 512 * 1024
"""aiokafka sends one request at a time and holds one batch per partition meanwhile, making a
send wait while it is full: at its default 16 KiB, five audio chunks or two long calls' state
filled it (ingest's sessions waited up to 270 ms; a checkpoint waited every other write)."""
TOPIC_ALREADY_EXISTS = 36
"""Kafka's error code when another worker created the topic a moment earlier."""


def calls_changelog(settings: Settings) -> str:
    """Call state, per call id: faust's ``calls`` table changelog, in its format (JSON)."""
    return f"{settings.app_id}-calls-changelog"


def calls_group(settings: Settings) -> str:
    """The consumer group of the checkpointed call consumer (faust's own group is the app id)."""
    return f"{settings.app_id}-calls"


@dataclass(frozen=True)
class Topics:
    """Every topic a worker uses; the ``*_in`` ones are the agents' sources."""

    calls_in: faust.TopicT
    callers_in: faust.TopicT
    profiles_in: faust.TopicT
    control: faust.TopicT
    callers: faust.TopicT
    guidance: faust.TopicT
    dlq: faust.TopicT


def make_topics(app: faust.App, settings: Settings) -> Topics:
    return Topics(
        calls_in=app.topic(settings.call_events_topic, settings.control_topic, **RAW),
        callers_in=app.topic(settings.caller_topic, **RAW),
        profiles_in=app.topic(settings.profiles_topic, **RAW),
        control=app.topic(settings.control_topic, **RAW),
        callers=app.topic(settings.caller_topic, **RAW),
        guidance=app.topic(settings.guidance_topic, **RAW),
        dlq=app.topic(settings.dlq_topic, **RAW),
    )


def topic_specs(settings: Settings) -> list[NewTopic]:
    """All topics with the same partition count, so faust co-partitions them."""
    names = [
        settings.call_events_topic,
        settings.control_topic,
        settings.caller_topic,
        settings.guidance_topic,
        settings.dlq_topic,
        settings.audio_topic,
        settings.audio_dlq_topic,
        settings.feedback_topic,
    ]
    dead_letters = {settings.dlq_topic, settings.audio_dlq_topic}
    larger = {"max.message.bytes": str(DEAD_LETTER_MAX_BYTES)}
    specs = [
        NewTopic(
            n,
            settings.partitions,
            settings.replication_factor,
            topic_configs=larger if n in dead_letters else {},
        )
        for n in names
    ]
    compacted = {"cleanup.policy": "compact"}
    specs += [
        NewTopic(n, settings.partitions, settings.replication_factor, topic_configs=compacted)
        for n in (settings.profiles_topic, calls_changelog(settings))
    ]
    return specs


async def create_topics(settings: Settings) -> list[str]:
    """Create missing topics and return the names this call created; refuse to run on topics
    with another partition count. Every process calls this first, so a broker that refuses it
    stops it here, saying why."""
    await check_broker(settings)
    admin = AIOKafkaAdminClient(**settings.aiokafka_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        specs = topic_specs(settings)
        missing = [spec for spec in specs if spec.name not in existing]
        created: list[str] = []
        if missing:
            # The list can be older than the broker (another process just created a topic):
            # "already exists" then means it exists, not that this call created it.
            response = await admin.create_topics(missing)
            failed = []
            for topic, code, *rest in response.topic_errors:
                if code == 0:
                    created.append(topic)
                elif code != TOPIC_ALREADY_EXISTS:
                    failed.append(f"{topic}: {rest[0] if rest and rest[0] else code}")
            if failed:
                raise SystemExit("could not create topics: " + "; ".join(failed))
        present = [spec.name for spec in specs if spec.name not in created]
        for described in await admin.describe_topics(present) if present else []:
            if described.get("error_code", 0):  # created a moment ago; not in metadata yet
                continue
            count = len(described["partitions"])
            if count != settings.partitions:
                raise SystemExit(
                    f"topic {described['topic']} has {count} partitions, settings say "
                    f"{settings.partitions}: set AGENT_ASSIST_PARTITIONS={count} or see "
                    "docs/operations.md on adding partitions"
                )
        return created
    finally:
        await admin.close()


def dead_letter_headers(message: Any, reason: str) -> list[tuple[str, bytes]]:
    """What a dead-letter copy adds to a message: why, and where it came from."""
    fields = [
        ("error", reason),
        ("source_topic", message.topic),
        ("source_partition", str(message.partition)),
        ("source_offset", str(message.offset)),
    ]
    return [(name, value.encode()) for name, value in fields]
