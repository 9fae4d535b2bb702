"""The producer buffer is drained before a commit, even when one send is slow; a partition's
first commit never skips a record that was not processed."""

import asyncio
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import faust
from faust.transport.consumer import Consumer
from faust.transport.producer import ProducerBuffer
from faust.types import TP
from intervaltree import IntervalTree  # type: ignore[import-untyped]

from streams import faust_fixes


class SlowChannel:
    """Where a buffered message goes: each send takes longer than faust's 0.1 s patience."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def publish_message(self, fut: Any, wait: bool = False) -> None:
        await asyncio.sleep(0.15)
        self.sent.append(fut)


async def test_flush_waits_for_every_buffered_message() -> None:
    faust_fixes.apply()
    buffer = ProducerBuffer()
    buffer.app = faust.App("faust-fixes-test", broker="kafka://127.0.0.1:1")
    channel = SlowChannel()
    await buffer.start()
    try:
        for n in range(3):
            buffer.put(SimpleNamespace(message=SimpleNamespace(channel=channel), n=n))
        await buffer.flush()
        assert buffer.size == 0
        assert [fut.n for fut in channel.sent] == [0, 1, 2]
    finally:
        await buffer.stop()


class Bookkeeping(SimpleNamespace):
    """A faust consumer's record of processed offsets, and the seeks asked of it."""

    def __init__(self, tp: TP, first: int, acked: list[int], committed: int | None = None):
        super().__init__(
            _acked=defaultdict(list, {tp: acked}),
            _acked_index=defaultdict(set, {tp: set(acked)}),
            _committed_offset=defaultdict(lambda: None, {tp: committed}),
            _gap=defaultdict(IntervalTree),
            first_offsets={tp: first},
            seeks=[],
        )

    async def seek(self, tp: TP, offset: int) -> None:
        self.seeks.append((tp, offset))


async def test_a_first_commit_waits_for_a_record_never_processed() -> None:
    faust_fixes.apply(every_record=["call-events"])
    tp = TP("call-events", 3)
    consumer = Bookkeeping(tp, first=0, acked=[1, 2, 3])
    assert Consumer._new_offset(consumer, tp) is None
    await asyncio.sleep(0)
    assert consumer.seeks == [(tp, 0)]  # read again from where reading began
    assert Consumer._new_offset(consumer, tp) is None
    await asyncio.sleep(0)
    assert consumer.seeks == [(tp, 0)]  # once
    consumer._acked[tp].append(0)  # offset 0 read again and processed
    consumer._acked_index[tp].add(0)
    assert Consumer._new_offset(consumer, tp) == 4


async def test_offsets_holding_no_record_are_no_loss() -> None:
    faust_fixes.apply(every_record=["call-control", "call-events"])
    tp = TP("call-control", 0)
    consumer = Bookkeeping(tp, first=0, acked=[1, 2])
    consumer._gap[tp].addi(0, 1)  # a transaction marker
    assert Consumer._new_offset(consumer, tp) == 3
    committed = Bookkeeping(tp, first=0, acked=[5, 6], committed=5)
    assert Consumer._new_offset(committed, tp) == 7  # later commits are faust's own
    profiles = TP("profiles", 0)  # compacted: offsets 0-4 were removed
    compacted = Bookkeeping(profiles, first=0, acked=[5, 6])
    assert Consumer._new_offset(compacted, profiles) == 7
    await asyncio.sleep(0)
    assert consumer.seeks == committed.seeks == compacted.seeks == []
