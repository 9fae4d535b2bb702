"""Builders for scripted calls, used by tests, the demo's data and the benchmarks.

>>> from datetime import UTC, datetime
>>> call = CallScript("c1", datetime(2026, 11, 23, 10, tzinfo=UTC), customer_id="cust-1")
>>> _ = call.say("customer", "I want to speak to a supervisor", 3.0, 5.5)
>>> [e.type for e in call.events]
['call_started', 'transcript']
"""

from datetime import datetime, timedelta
from typing import Literal, TypeVar

from models import CallEnded, CallStarted, HoldEnded, HoldStarted, InputEvent, Transcript

E = TypeVar("E", HoldStarted, HoldEnded, CallEnded)


class CallScript:
    """One call's events, written in seconds since the call started."""

    def __init__(
        self,
        call_id: str,
        start: datetime,
        agent_id: str = "agent-1",
        customer_id: str | None = None,
        caller_number: str | None = None,
        queue: str | None = "billing",
    ):
        self.call_id = call_id
        self.start = start
        self.events: list[InputEvent] = [
            CallStarted(
                call_id=call_id,
                ts=start,
                agent_id=agent_id,
                customer_id=customer_id,
                caller_number=caller_number,
                queue=queue,
            )
        ]

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def say(
        self,
        speaker: Literal["agent", "customer"],
        text: str,
        start: float,
        end: float,
        final: bool = True,
    ) -> Transcript:
        """A segment, stamped when it ends (when speech-to-text finalises it)."""
        event = Transcript(
            call_id=self.call_id,
            ts=self.at(end),
            speaker=speaker,
            text=text,
            start=start,
            end=end,
            final=final,
        )
        self.events.append(event)
        return event

    def hold(self, at: float) -> HoldStarted:
        return self._add(HoldStarted(call_id=self.call_id, ts=self.at(at)))

    def unhold(self, at: float) -> HoldEnded:
        return self._add(HoldEnded(call_id=self.call_id, ts=self.at(at)))

    def end(self, at: float) -> CallEnded:
        return self._add(CallEnded(call_id=self.call_id, ts=self.at(at)))

    def _add(self, event: E) -> E:
        self.events.append(event)
        return event


Segment = tuple[str, float, float, str]
"""(role, start s, end s, text): role ``agent``, ``customer`` (or ``caller``) or ``hold``."""


def spoken_call(call_id: str, start: datetime, segments: list[Segment]) -> CallScript:
    """A call from timed segments, as the speech worker would send it: a partial each second
    while someone speaks, then the final; a ``hold`` segment holds from its start to its end.
    Tags such as "[noise]" or "<unk>" are dropped, since a recogniser emits nothing for them."""
    call = CallScript(call_id, start, customer_id=call_id)
    for role, begin, end, text in segments:
        if role == "hold":
            call.hold(begin)
            call.unhold(end)
            continue
        words = [w for w in text.split() if w[0] not in "[<"]
        if not words:
            continue
        speaker: Literal["agent", "customer"] = "agent" if role == "agent" else "customer"
        at = begin + 1.0
        while at < end:
            shown = words[: max(1, round(len(words) * (at - begin) / (end - begin)))]
            call.say(speaker, " ".join(shown), begin, at, final=False)
            at += 1.0
        call.say(speaker, " ".join(words), begin, end)
    call.end(max(end for _, _, end, _ in segments) + 1.0)
    call.events.sort(key=lambda e: (e.ts, e.type != "call_started"))
    return call
