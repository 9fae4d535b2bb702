"""Work around three faust-streaming 0.15 record- and state-loss holes; remove once fixed upstream.

1. ``Consumer._wait_next_records`` hands the consumer's *live* ``_active_partitions`` set to
   aiokafka's ``Fetcher.fetched_records``, which waits up to a second. Recovery pauses
   partitions on that same set meanwhile; when it becomes empty (after "Done reading from
   changelog topics", with the stream partitions still paused), aiokafka treats the empty set as
   "every partition" and drains the records it prefetched for the paused stream partitions.
   A snapshot keeps each fetch to the partitions that were active when it started.
2. faust drops fetched records in other places too (a batch cut short by a rebalance, a
   partition paused while its records are handed out) and relies on the next seek to committed
   offsets to read them again. aiokafka's ``seek_to_committed`` does not move a partition the
   group never committed, so there the dropped records were gone: seen as a restarted worker
   that never saw the first call on a partition its killed predecessor held
   (tests/streams/test_worker_crash.py). Such partitions of input topics now go back to their
   beginning, as ``auto_offset_reset="earliest"`` means; changelogs are left to recovery.
3. ``ProducerBuffer.flush`` (table writes wait there) gives up when one send takes over 0.1 s,
   and returns while the last message is still being handed to aiokafka. faust flushes it just
   before committing offsets, so a commit could acknowledge events whose table writes had not
   reached the producer yet, lost if the worker died next. Now it returns once every message has.
"""

import asyncio
import contextlib
from collections.abc import Mapping

from aiokafka import TopicPartition
from faust.transport.consumer import RecordMap, ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.producer import ProducerBuffer
from faust.types import TP
from faust.types.tuples import FutureMessage

_original_getmany = ThreadDelegateConsumer._getmany
_original_seek_to_committed = AIOKafkaConsumerThread.seek_to_committed
_original_send_pending = ProducerBuffer._send_pending


async def _getmany_snapshot(
    self: ThreadDelegateConsumer, active_partitions: set[TP] | None, timeout: float
) -> RecordMap:
    if active_partitions is None:  # a client-only app reads every partition
        return await _original_getmany(self, None, timeout)
    snapshot = frozenset(active_partitions)
    if not snapshot:
        return {}
    return await _original_getmany(self, snapshot, timeout)


async def _seek_to_committed_or_beginning(
    self: AIOKafkaConsumerThread,
) -> Mapping[TopicPartition, int | None]:
    committed: Mapping[TopicPartition, int | None] = await _original_seek_to_committed(self)
    changelogs = self.app.tables.changelog_topics
    never = [tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs]
    if never:
        await self.seek_to_beginning(*never)
    return committed


async def _send_counted(self: ProducerBuffer, fut: FutureMessage) -> None:
    self.in_flight = getattr(self, "in_flight", 0) + 1
    try:
        await _original_send_pending(self, fut)
    finally:
        self.in_flight -= 1


async def _drain(self: ProducerBuffer) -> None:
    while self.size or getattr(self, "in_flight", 0):
        if self.size and self.state != "running":
            raise RuntimeError("Cannot flush: Producer not Running")  # as faust's own flush
        self.message_sent.clear()  # set by faust after each send
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.message_sent.wait(), timeout=0.1)


def apply() -> None:
    ThreadDelegateConsumer._getmany = _getmany_snapshot  # type: ignore[method-assign]
    AIOKafkaConsumerThread.seek_to_committed = (  # type: ignore[method-assign]
        _seek_to_committed_or_beginning
    )
    ProducerBuffer._send_pending = _send_counted  # type: ignore[method-assign]
    ProducerBuffer.flush = _drain  # type: ignore[method-assign]
