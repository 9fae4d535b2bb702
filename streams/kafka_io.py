"""Plain aiokafka clients behind the produce, tail and profiles commands."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from rich.console import Console

from agent_assist.demo import TerminalView
from agent_assist.replay import event_order
from models import CallerHistory, InputEvent, output_event_adapter
from streams.settings import Settings
from streams.topics import create_topics


@asynccontextmanager
async def producer_for(settings: Settings) -> AsyncIterator[AIOKafkaProducer]:
    """A started producer, the topics created first; flushed and stopped on the way out."""
    await create_topics(settings)
    producer = AIOKafkaProducer(**settings.aiokafka_options(), linger_ms=5)
    await producer.start()
    try:
        yield producer
        await producer.flush()
    finally:
        await producer.stop()


async def produce_events(settings: Settings, events: Sequence[InputEvent], speed: float) -> int:
    """Send in event-time order, pausing (gap / speed) between events when speed > 0."""
    async with producer_for(settings) as producer:
        previous = None
        for event in sorted(events, key=event_order):
            if speed > 0 and previous is not None:
                await asyncio.sleep((event.ts - previous).total_seconds() / speed)
            previous = event.ts
            await producer.send(
                settings.call_events_topic,
                event.model_dump_json().encode(),
                key=event.call_id.encode(),
            )
    return len(events)


async def publish_profiles(settings: Settings, records: Sequence[CallerHistory]) -> None:
    async with producer_for(settings) as producer:
        for record in records:
            await producer.send(
                settings.profiles_topic,
                record.model_dump_json().encode(),
                key=record.customer_id.encode(),
            )


async def follow_guidance(
    settings: Settings, as_json: bool, from_beginning: bool, agent: str | None
) -> None:
    """Print prompts until interrupted; no consumer group, so it never moves anyone's offsets."""
    consumer = AIOKafkaConsumer(
        settings.guidance_topic,
        **settings.aiokafka_options(),
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await consumer.start()
    view = TerminalView(Console(highlight=False))
    try:
        async for message in consumer:
            output = output_event_adapter.validate_json(message.value or b"")
            if agent and getattr(output, "agent_id", agent) != agent:
                continue
            if as_json:
                print(json.dumps(json.loads(message.value or b"")), flush=True)
            else:
                view.show(output)
    finally:
        await consumer.stop()
