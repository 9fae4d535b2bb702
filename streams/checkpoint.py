"""Call slots written to their table once per offset commit, not once per event.

faust sends every table assignment to the changelog at once: one message per event, which was
the worker's main cost. Here the agent keeps the slots it changed in memory, and each is
written once when faust starts a commit. faust calls ``on_commit_initiated`` before it picks
the offsets to commit, and flushes the producer before committing them, so every acknowledged
event's state is in the changelog before its offset is, as with a write per event. A crash
replays the events since the last commit onto the state as of that commit, and the slot's record
of seen offsets and sent outputs (``agent_assist.live``) makes the replay repeat what it sent.

faust picks a table write's partition (and its rocksdb file) from the task's current event, so a
pending slot is written with the event that last changed it set as current: faust's own
task-local variable, private but the one thing that works outside stream iteration (a
``use_partitioner`` table would follow the key's hash, not the partition the call is on).

Under ``exactly_once`` each slot is still written with its event: faust commits a transaction
without draining its producer buffer first, so a write queued at commit time would land in the
next transaction.
"""

import weakref
from collections.abc import Iterator
from typing import Any

import faust
from faust.streams import _current_event
from faust.types import EventT

from agent_assist.live import Slot, detached


class CheckpointedSlots(faust.Sensor):
    """The ``calls`` table as the agent sees it: written slots plus the ones not written yet."""

    def __init__(self, table: faust.Table[str, Slot], deferred: bool) -> None:
        super().__init__()
        self.table = table
        self.deferred = deferred
        self.pending: dict[str, tuple[Slot | None, EventT[bytes]]] = {}
        """call id -> (slot, None to delete it; the last event that changed it)."""
        self.written: dict[str, tuple[Slot, Slot]] = {}
        """call id -> (the copy written to the table, the live slot it was made from). While
        the table still holds that very copy, the call's next event works on the live slot:
        rebuilding a long call's state from JSON cost more than the engine's work on the event.
        A table that hands out new objects (rocksdb, or a copy recovered from the changelog)
        never matches, and the state is rebuilt from it as before."""

    def get(self, call_id: str) -> Slot | None:
        """The call's slot to work on (the table's own copy stays as it was written)."""
        if call_id in self.pending:
            return self.pending[call_id][0]
        stored = self.table.get(call_id)
        if stored is None:
            return None
        written = self.written.get(call_id)
        if written is not None and written[0] is stored:
            return written[1]
        return detached(stored)

    def put(self, call_id: str, slot: Slot | None, event: EventT[bytes]) -> None:
        """Store ``slot`` (None: delete it), changed by ``event``, the stream's current one."""
        if self.deferred:
            self.pending[call_id] = (slot, event)
        else:
            self._write(call_id, slot)

    def items(self) -> Iterator[tuple[str, Slot]]:
        for call_id, slot in list(self.table.items()):
            if call_id not in self.pending:
                yield call_id, slot
        for call_id, (pending, _) in list(self.pending.items()):
            if pending is not None:
                yield call_id, pending

    def on_commit_initiated(self, consumer: Any) -> None:
        self.write_pending()

    def on_rebalance_start(self, app: Any) -> dict[str, Any]:
        """Partitions may move: forget the live slots, so none outlives its call elsewhere."""
        self.written.clear()
        return super().on_rebalance_start(app)

    def write_pending(self) -> None:
        """Write every pending slot to its event's partition (faust takes it from the event)."""
        pending, self.pending = self.pending, {}
        for call_id, (slot, event) in pending.items():
            token = _current_event.set(weakref.ref(event))
            try:
                self._write(call_id, slot)
            finally:
                _current_event.reset(token)

    def _write(self, call_id: str, slot: Slot | None) -> None:
        if slot is not None:
            stored = self.table[call_id] = detached(slot)
            if self.deferred:
                self.written[call_id] = (stored, slot)
            return
        self.written.pop(call_id, None)
        if call_id in self.table:
            del self.table[call_id]
