"""Work around four faust-streaming 0.15 record- and state-loss holes and a latency trap; remove
once fixed upstream.

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
4. A record can still be lost after that rewind, because faust does not check a partition's
   first commit for a gap at its head: seen as a call whose first event, at offset 0 of a
   partition the surviving worker had held all along, never reached the engine while the
   partition was committed past it (tests/streams/test_worker_crash.py, under CPU load, without
   standby tables; how the record was dropped is not pinned down). A partition's first commit
   now waits until every record from where reading began was processed, and the partition is
   read again from there (the engine skips what it had seen). Only on the topics ``apply``
   names: offsets that compaction or an aborted transaction emptied hold no record either.
5. faust builds its consumer with ``fetch_max_wait_ms=1500``. aiokafka keeps one fetch in
   flight per broker and leaves out of it the partitions whose fetched records the worker has
   not taken yet, so a fetch sent at such a moment asks only for quiet partitions (control,
   callers, changelogs) and the broker holds it 1.5 s while new events wait. Each late batch
   arrives large and makes the next fetch leave out the busy partitions again: at 2,000
   events/s a worker that used a third of a core went on delivering every prompt 0.6-1.7 s
   late. Fetches now wait at most ``FETCH_MAX_WAIT_MS``; a partition with data still answers
   at once.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any, cast

from aiokafka import TopicPartition
from faust.transport.consumer import Consumer, RecordMap, ThreadDelegateConsumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
from faust.transport.producer import ProducerBuffer
from faust.types import TP
from faust.types.tuples import FutureMessage

_original_getmany = ThreadDelegateConsumer._getmany
_original_seek_to_committed = AIOKafkaConsumerThread.seek_to_committed
_original_send_pending = ProducerBuffer._send_pending
_original_new_offset = Consumer._new_offset
_original_create_worker_consumer = AIOKafkaConsumerThread._create_worker_consumer
_EVERY_RECORD: set[str] = set()
"""Topics whose partitions' first commits are checked for records never processed."""
REREAD_GIVE_UP_S = 60.0
"""How long a partition's first commit waits for records read again before it goes ahead."""
FETCH_MAX_WAIT_MS = 50
"""How long the broker may hold a fetch of partitions with no new records (see 5.)."""
log = logging.getLogger(__name__)


async def _getmany_snapshot(
    self: ThreadDelegateConsumer, active_partitions: set[TP] | None, timeout: float
) -> RecordMap:
    if active_partitions is None:  # a client-only app reads every partition
        return await _original_getmany(self, None, timeout)
    snapshot = frozenset(active_partitions)
    if not snapshot:
        return {}
    return await _original_getmany(self, snapshot, timeout)


def _worker_consumer_fetching_promptly(self: AIOKafkaConsumerThread, transport: Any) -> Any:
    consumer = _original_create_worker_consumer(self, transport)
    consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts its fetcher
    return consumer


async def _seek_to_committed_or_beginning(
    self: AIOKafkaConsumerThread,
) -> Mapping[TopicPartition, int | None]:
    committed: Mapping[TopicPartition, int | None] = await _original_seek_to_committed(self)
    changelogs = self.app.tables.changelog_topics
    never = [tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs]
    if never:
        await self.seek_to_beginning(*never)
    checked = [tp for tp in never if tp.topic in _EVERY_RECORD]
    if checked:
        _per_consumer(self.consumer, "first_offsets").update(await self.earliest_offsets(*checked))
        rereads = _per_consumer(self.consumer, "rereads")
        for tp in checked:  # read from the first offset again already
            rereads.pop(tp, None)
    return committed


def _per_consumer(consumer: Consumer, name: str) -> dict[TP, Any]:
    """Item 4's bookkeeping, kept on the consumer: ``first_offsets`` (where reading began on
    each partition never committed) and ``rereads`` (partitions being read again from there:
    since when, monotonic, and the seek)."""
    if not hasattr(consumer, name):
        setattr(consumer, name, {})
    return cast(dict[TP, Any], getattr(consumer, name))


def _new_offset_without_lost_head(self: Consumer, tp: TP) -> int | None:
    """faust's offset to commit for ``tp``, unless the partition was never committed and a
    record between where reading began and the first one processed is missing: then nothing
    is committed for it, and it is read again from there."""
    acked = self._acked[tp]
    if tp.topic not in _EVERY_RECORD or self._committed_offset[tp] is not None or not acked:
        return _original_new_offset(self, tp)
    first = _per_consumer(self, "first_offsets").get(tp)
    if first is None:
        return _original_new_offset(self, tp)
    head = min(acked)
    gaps = self._gap[tp]  # offsets faust knows hold no record (transaction markers)
    lost = next((offset for offset in range(first, head) if not gaps.overlaps(offset)), None)
    rereads = _per_consumer(self, "rereads")
    if lost is None:
        rereads.pop(tp, None)
        return _original_new_offset(self, tp)
    if tp not in rereads:
        log.warning("%s: offsets %s-%s were never processed; reading again", tp, lost, head - 1)
        rereads[tp] = (time.monotonic(), asyncio.ensure_future(self.seek(tp, first)))
        return None
    if time.monotonic() - rereads[tp][0] < REREAD_GIVE_UP_S:
        return None
    log.error("%s: offsets %s-%s still missing after reading again; committing", tp, lost, head - 1)
    del rereads[tp]
    return _original_new_offset(self, tp)


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


def apply(every_record: Iterable[str] = ()) -> None:
    """Patch faust; ``every_record``: topics (not compacted) to check as in 4. above."""
    _EVERY_RECORD.update(every_record)
    ThreadDelegateConsumer._getmany = _getmany_snapshot  # type: ignore[method-assign]
    AIOKafkaConsumerThread.seek_to_committed = (  # type: ignore[method-assign]
        _seek_to_committed_or_beginning
    )
    ProducerBuffer._send_pending = _send_counted  # type: ignore[method-assign]
    ProducerBuffer.flush = _drain  # type: ignore[method-assign]
    Consumer._new_offset = _new_offset_without_lost_head  # type: ignore[method-assign]
    AIOKafkaConsumerThread._create_worker_consumer = (  # type: ignore[method-assign]
        _worker_consumer_fetching_promptly
    )
