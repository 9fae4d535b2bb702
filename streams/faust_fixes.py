"""Work around a faust-streaming 0.15 record-loss race; remove once fixed upstream.

``Consumer._wait_next_records`` hands the consumer's *live* ``_active_partitions`` set to
aiokafka's ``Fetcher.fetched_records``, which waits up to a second. Recovery pauses partitions
on that same set meanwhile; when it becomes empty (after "Done reading from changelog topics",
with the stream partitions still paused), aiokafka treats the empty set as "every partition"
and drains the records it prefetched for the paused stream partitions. faust then drops them
(their partition is not active) while aiokafka's position has moved past them, and the later
seek to committed offsets does nothing on a partition the group never committed. Seen here
as a restarted worker that never processes the partitions its killed predecessor held
(tests/streams/test_worker_crash.py). A snapshot keeps each fetch to the partitions that were
active when it started.
"""

from faust.transport.consumer import RecordMap, ThreadDelegateConsumer
from faust.types import TP

_original_getmany = ThreadDelegateConsumer._getmany


async def _getmany_snapshot(
    self: ThreadDelegateConsumer, active_partitions: set[TP] | None, timeout: float
) -> RecordMap:
    if active_partitions is None:  # a client-only app reads every partition
        return await _original_getmany(self, None, timeout)
    snapshot = frozenset(active_partitions)
    if not snapshot:
        return {}
    return await _original_getmany(self, snapshot, timeout)


def apply() -> None:
    ThreadDelegateConsumer._getmany = _getmany_snapshot  # type: ignore[method-assign]
