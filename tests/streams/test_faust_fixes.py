"""The producer buffer is drained before a commit, even when one send is slow."""

import asyncio
from types import SimpleNamespace
from typing import Any

import faust
from faust.transport.producer import ProducerBuffer

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
