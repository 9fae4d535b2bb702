"""Interruptions: the agent starting to talk while the customer is still talking."""

from agent_assist.call_state import CallState, Segment
from agent_assist.detectors.backchannels import Backchannels
from agent_assist.detectors.base import Cue, EventOnly, Finding
from models import InputEvent, Transcript

_KEEP_SEGMENTS = 4


class InterruptionDetector(EventOnly):
    """Compares final segments of both sides, whichever arrives first.

    The agent interrupts when an agent segment starts inside a customer segment and the two
    overlap for at least ``min_overlap_s``. Backchannels ("uh-huh", "right") are listening,
    not interrupting; the customer talking over the agent is not the agent's interruption.
    """

    def __init__(self, min_overlap_s: float, cooldown_s: float, backchannels: Backchannels):
        self.min_overlap_s = min_overlap_s
        self.cooldown_s = cooldown_s
        self.backchannels = backchannels

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if not (isinstance(event, Transcript) and event.final):
            return []
        segment = Segment(event.start, event.end)
        if event.speaker == "agent":
            if self.backchannels.only(event.text):
                return []
            _remember(call.agent_segments, segment)
            pairs = [(c, segment) for c in call.customer_segments]
        else:
            _remember(call.customer_segments, segment)
            pairs = [(segment, a) for a in call.agent_segments]
        for customer, agent in pairs:
            overlap = min(customer.end, agent.end) - agent.start
            if customer.start < agent.start < customer.end and overlap >= self.min_overlap_s:
                return self._prompt(call, event, customer, agent, overlap)
        return []

    def _prompt(
        self, call: CallState, event: Transcript, customer: Segment, agent: Segment, overlap: float
    ) -> list[Finding]:
        last = call.last_interruption
        if last is not None and (agent.start == last or agent.start - last < self.cooldown_s):
            return []
        call.last_interruption = agent.start
        evidence = {
            "agent_start_s": agent.start,
            "customer_start_s": customer.start,
            "customer_end_s": customer.end,
            "overlap_s": round(overlap, 2),
        }
        return [Cue("interruption", f"{agent.start:.3f}", event.ts, evidence)]


def _remember(segments: list[Segment], segment: Segment) -> None:
    segments.append(segment)
    if len(segments) > _KEEP_SEGMENTS:
        del segments[0]
