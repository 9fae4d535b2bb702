"""The detection path at-least-once: one aiokafka consumer, call state in memory, checkpoints.

faust's stream ran a task per message and its table sent a changelog message per write; with
the engine that capped one worker at a third of what the engine alone does
(docs/throughput.md). This reads batches and keeps each call's slot in memory, in the way
quix-streams checkpoints state:

- **Checkpoint** (every ``checkpoint_interval_s``): take the offsets processed so far, write each
  call changed before that point to the compacted changelog, wait until those writes and every
  send made before that point are acknowledged, then commit the offsets. The writes are spread
  over loop turns of a few milliseconds, so prompts never wait behind a long pass; a slot
  written after more of its events were processed is ahead of the committed offsets, which is
  safe: after a crash those events come again, and the slot's record of what it has seen and
  sent (``agent_assist.live``) gives back the same outputs.
- **Partitions**: the range assignor gives a worker the same partitions of ``call-events`` and
  the control topic. Before partitions are taken away, a full checkpoint runs; a partition this
  worker did not hold before is read back from the changelog before any of its input.
- **Timers**: a call whose deadline has passed gets a tick through its control partition, so the
  tick is an input like any other (ordered with the call's events, replayed after a crash).

The changelog has the key and value format of faust's ``calls`` table (JSON), which the
exactly-once path still uses, so a worker can move between the two.
"""

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import CommitFailedError, KafkaError

from agent_assist.live import LiveCalls, Slot, detached
from streams.detection import Detection, Input
from streams.faust_fixes import FETCH_MAX_WAIT_MS
from streams.metrics import DetectionMetrics
from streams.settings import Settings
from streams.topics import (
    DEAD_LETTER_MAX_BYTES,
    PRODUCER_BATCH_BYTES,
    calls_changelog,
    calls_group,
)

log = logging.getLogger(__name__)
POLL_MS = 50
MAX_RECORDS = 1_000
WRITE_SLICE_S = 0.003
"""Changelog writes per loop turn are cut off after this long, so prompts keep flowing."""


class CallStore:
    """The slots of the calls on this worker's partitions, and which changed since written."""

    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}
        self.dirty: dict[str, int] = {}
        """call id -> partition, of slots changed (or deleted) since they were last queued."""

    def get(self, call_id: str) -> Slot | None:
        return self.slots.get(call_id)

    def put(self, call_id: str, slot: Slot | None) -> None:
        if slot is None:
            old = self.slots.pop(call_id, None)
            if old is not None:
                self.dirty[call_id] = old["partition"]
            return
        self.slots[call_id] = slot
        self.dirty[call_id] = slot["partition"]

    def items(self) -> Iterator[tuple[str, Slot]]:
        return iter(list(self.slots.items()))

    def drop(self, partitions: set[int]) -> None:
        """Forget the calls of partitions this worker no longer holds (already written)."""
        for call_id in [c for c, s in self.slots.items() if s["partition"] in partitions]:
            del self.slots[call_id]


class Checkpoint:
    """One checkpoint under way: the offsets it covers, the slots still to write, the sends
    that must be acknowledged before those offsets are committed."""

    def __init__(
        self,
        began: float,
        offsets: dict[TopicPartition, int],
        queue: dict[str, int],
        sends: list[asyncio.Future[Any]],
    ):
        self.began = began
        self.offsets = offsets
        self.queue = list(queue.items())
        self.size = len(self.queue)
        self.sends = sends
        self.acked: asyncio.Future[Any] | None = None
        """All of ``sends`` acknowledged, once the queue is written."""


class CallConsumer(ConsumerRebalanceListener):
    """Reads the calls of this worker's partitions, runs them through ``Detection`` and
    checkpoints their state; also the group's rebalance listener."""

    def __init__(self, settings: Settings, live: LiveCalls, metrics: DetectionMetrics) -> None:
        self.settings = settings
        self.live = live
        self.metrics = metrics
        self.store = CallStore()
        self.detection = Detection(settings, live, metrics, self._send)
        self.changelog = calls_changelog(settings)
        self.options = settings.aiokafka_options()
        self.producer: AIOKafkaProducer
        self.consumer: AIOKafkaConsumer
        self.lock = asyncio.Lock()
        """Held while inputs are processed and while partitions change hands."""
        self.assigned: set[TopicPartition] = set()
        self.held: set[int] = set()
        """call-events partitions whose calls are in memory."""
        self.positions: dict[TopicPartition, int] = {}
        """Next offset to process, per input partition: what a checkpoint commits."""
        self.committed: dict[TopicPartition, int] = {}
        self.sends: list[asyncio.Future[Any]] = []
        """Sends since the checkpoint under way began."""
        self.checkpoint: Checkpoint | None = None
        self.next_checkpoint = 0.0
        self.next_tick = 0.0
        self.ticked: dict[str, float] = {}
        self.ready = False
        self.stopping = False
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> asyncio.Task[None]:
        """Join the group (the changelog exists: ``create_topics`` made it) and start
        processing."""
        await self._start_where_faust_left()
        settings = self.settings
        self.producer = AIOKafkaProducer(
            **self.options,
            acks="all",
            max_request_size=DEAD_LETTER_MAX_BYTES,
            max_batch_size=PRODUCER_BATCH_BYTES,
        )
        self.consumer = AIOKafkaConsumer(
            **self.options,
            group_id=calls_group(settings),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            partition_assignment_strategy=(RangePartitionAssignor,),
            session_timeout_ms=int(settings.session_timeout_s * 1000),
            heartbeat_interval_ms=int(settings.heartbeat_interval_s * 1000),
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        await self.producer.start()
        self.consumer.subscribe(
            [self.settings.call_events_topic, self.settings.control_topic], listener=self
        )
        await self.consumer.start()
        self.task = asyncio.create_task(self._run(), name="call-consumer")
        return self.task

    async def stop(self) -> None:
        """Finish the inputs in hand, checkpoint, leave the group."""
        self.stopping = True
        try:
            if self.task is not None and not self.task.done():
                await self.task
            if self.assigned:
                async with self.lock:
                    await self._checkpoint_all()
        finally:
            await self.consumer.stop()
            await self.producer.stop()

    def owned(self) -> set[int]:
        return {tp.partition for tp in self.assigned if tp.topic == self.settings.call_events_topic}

    def lags(self) -> dict[tuple[str, int], int]:
        """Records behind the end of each input partition, from the last fetch's high water."""
        lags = {}
        for tp in self.assigned:
            end = self.consumer.highwater(tp)
            done = self.committed.get(tp, self.positions.get(tp))
            if end is not None and done is not None:
                lags[(tp.topic, tp.partition)] = max(end - done, 0)
        return lags

    async def _run(self) -> None:
        while not self.stopping:
            batch = await self.consumer.getmany(timeout_ms=POLL_MS, max_records=MAX_RECORDS)
            async with self.lock:
                for tp, records in batch.items():
                    if tp in self.assigned:
                        await self._process(tp, records)
                now = time.monotonic()
                if now >= self.next_tick:
                    self.next_tick = now + self.settings.tick_interval_s
                    await self.detection.tick_due(self.store.items(), self.owned(), self.ticked)
                await self._checkpoint_step(now)
            # With records buffered, nothing above has to wait: let the producer's sender,
            # the fetcher and the heartbeat run (they starved for seconds draining a backlog).
            await asyncio.sleep(0)

    async def _process(self, tp: TopicPartition, records: list[ConsumerRecord]) -> None:
        for record in records:
            message = Input(
                record.topic,
                record.partition,
                record.offset,
                record.timestamp / 1000,
                record.key,
                record.value,
            )
            await self.detection.handle(message, self.store)
            self.positions[tp] = record.offset + 1

    async def _send(
        self,
        topic: str,
        key: bytes | None,
        value: bytes | None,
        partition: int | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        sent = await self.producer.send(topic, value, key=key, partition=partition, headers=headers)
        self.sends.append(sent)

    async def _checkpoint_step(self, now: float) -> None:
        """Begin a checkpoint when one is due, write a slice of it, commit it once written."""
        checkpoint = self.checkpoint
        if checkpoint is None:
            if now < self.next_checkpoint:
                return
            self.next_checkpoint = now + self.settings.checkpoint_interval_s
            if not self.store.dirty and self.positions == self.committed:
                return
            checkpoint = self._begin(now)
        # Written by half the interval whatever the turns take (a backlog makes them long), and
        # a few milliseconds' worth per turn besides.
        share = min(1.0, 2 * (now - checkpoint.began) / self.settings.checkpoint_interval_s)
        due = checkpoint.size * share
        deadline = time.perf_counter() + WRITE_SLICE_S
        while checkpoint.queue and (
            checkpoint.size - len(checkpoint.queue) < due or time.perf_counter() < deadline
        ):
            await self._write(checkpoint, *checkpoint.queue.pop())
        if checkpoint.queue:
            return
        if checkpoint.acked is None:
            checkpoint.acked = asyncio.gather(*checkpoint.sends)
        if checkpoint.acked.done():  # else look again next turn: inputs go on meanwhile
            await self._finish(checkpoint)

    def _begin(self, now: float) -> Checkpoint:
        self.checkpoint = Checkpoint(now, dict(self.positions), self.store.dirty, self.sends)
        self.store.dirty, self.sends = {}, []
        return self.checkpoint

    async def _write(self, checkpoint: Checkpoint, call_id: str, partition: int) -> None:
        slot = self.store.get(call_id)
        value = None if slot is None else json.dumps(detached(slot)).encode()
        sent = await self.producer.send(
            self.changelog, value, key=json.dumps(call_id).encode(), partition=partition
        )
        checkpoint.sends.append(sent)

    async def _finish(self, done: Checkpoint) -> None:
        """Wait for the checkpoint's writes and sends, then commit its offsets."""
        self.checkpoint = None
        await (done.acked or asyncio.gather(*done.sends))
        offsets = {tp: offset for tp, offset in done.offsets.items() if tp in self.assigned}
        if not offsets:
            return
        try:
            await self.consumer.commit(offsets)
        except CommitFailedError as err:  # the group moved on: the new owner repeats them
            log.warning("offsets not committed, partitions moved: %s", err)
            return
        self.committed.update(offsets)

    async def _checkpoint_all(self) -> None:
        """Finish the checkpoint under way, then write and commit everything since."""
        if self.checkpoint is not None:
            await self._complete(self.checkpoint)
        await self._complete(self._begin(time.monotonic()))

    async def _complete(self, checkpoint: Checkpoint) -> None:
        while checkpoint.queue:
            await self._write(checkpoint, *checkpoint.queue.pop())
        await self._finish(checkpoint)

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.ready = False
        async with self.lock:
            if self.assigned:
                await self._checkpoint_all()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        async with self.lock:
            self.assigned = set(assigned)
            owned = self.owned()
            self.store.drop(self.held - owned)
            await self._restore(owned - self.held)
            self.held = owned
            self.positions = {tp: p for tp, p in self.positions.items() if tp in self.assigned}
            self.committed = {tp: p for tp, p in self.committed.items() if tp in self.assigned}
            self.ready = True
        log.info("calls on partitions %s", sorted(owned))

    async def _start_where_faust_left(self) -> None:
        """A group that never committed starts where faust's group (the app id) left the
        inputs, if it did: a worker upgraded from a version whose faust agent read the calls
        goes on from there, with the state that version saved, instead of reading all of
        ``call-events`` again from the earliest offset. Done before joining, as a commit from
        outside the group is accepted only while the group is empty."""
        group = calls_group(self.settings)
        inputs = (self.settings.call_events_topic, self.settings.control_topic)
        admin = AIOKafkaAdminClient(**self.options)
        await admin.start()
        try:
            if await admin.list_consumer_group_offsets(group):
                return
            left = await admin.list_consumer_group_offsets(self.settings.app_id)
        finally:
            await admin.close()
        offsets = {tp: m.offset for tp, m in left.items() if tp.topic in inputs and m.offset >= 0}
        if not offsets:
            return
        outsider = AIOKafkaConsumer(**self.options, group_id=group, enable_auto_commit=False)
        await outsider.start()
        try:
            outsider.assign(list(offsets))
            await outsider.commit(offsets)
            log.info("starting where faust's group left the calls: %s", offsets)
        except KafkaError as err:  # another new worker has joined (and did this already)
            log.warning("faust's offsets not carried over: %s", err)
        finally:
            await outsider.stop()

    async def _restore(self, partitions: set[int]) -> None:
        """Read the latest slot of every call on ``partitions`` from the changelog."""
        if not partitions:
            return
        tps = [TopicPartition(self.changelog, p) for p in partitions]
        reader = AIOKafkaConsumer(**self.options, enable_auto_commit=False)
        await reader.start()
        latest: dict[bytes, bytes | None] = {}
        try:
            reader.assign(tps)
            await reader.seek_to_beginning(*tps)
            ends = await reader.end_offsets(tps)
            remaining = {tp for tp in tps if ends[tp] > 0}
            while remaining:
                batch = await reader.getmany(*remaining, timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        latest[record.key] = record.value
                for tp in list(remaining):
                    if await reader.position(tp) >= ends[tp]:
                        remaining.discard(tp)
        finally:
            await reader.stop()
        calls = {json.loads(key): json.loads(value) for key, value in latest.items() if value}
        self.store.slots.update(calls)
        log.info("restored %d calls of partitions %s", len(calls), sorted(partitions))
