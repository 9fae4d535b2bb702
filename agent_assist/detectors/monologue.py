"""Agent monologue: the agent talks on and on, or takes nearly all the talk time."""

from typing import Any

from agent_assist.call_state import CallState, Segment
from agent_assist.detectors.backchannels import Backchannels
from agent_assist.detectors.base import Clear, Cue, EventOnly, Finding
from models import InputEvent, Transcript

_MIN_TALK_S = 30.0
"""Below this much speech in the window, a share says little."""


class MonologueDetector(EventOnly):
    """Reads speech as it comes (partials too, which arrive while someone talks), so a prompt
    comes within a partial's interval of the limit. A customer backchannel ("uh-huh") does not
    end the agent's run; anything else the customer says does, and clears the prompt."""

    def __init__(
        self,
        run_s: float,
        share: float,
        window_s: float,
        cooldown_s: float,
        backchannels: Backchannels,
    ):
        self.run_s = run_s
        self.share = share
        self.window_s = window_s
        self.cooldown_s = cooldown_s
        self.backchannels = backchannels

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if not isinstance(event, Transcript):
            return []
        segment = Segment(event.start, event.end)
        if event.speaker == "customer":
            _add(call.customer_talk, segment, event.end - self.window_s)
            if self.backchannels.only(event.text):
                return []
            call.agent_run_start = None
            if call.monologue_prompt is None:
                return []
            trigger, call.monologue_prompt = call.monologue_prompt, None
            return [Clear("agent_monologue", trigger, event.ts)]
        _add(call.agent_talk, segment, event.end - self.window_s)
        if call.agent_run_start is None:
            call.agent_run_start = event.start
        last = call.last_monologue
        if call.monologue_prompt is not None or (
            last is not None and event.end - last < self.cooldown_s
        ):
            return []
        run = _talk(call.agent_talk, call.agent_run_start, event.end)
        if run > self.run_s:
            trigger = f"run-{call.agent_run_start:.3f}"
            return self._prompt(call, event, trigger, "run", self._evidence(call, event, run))
        if event.end < self.window_s:  # a greeting alone is all agent: wait for a full window
            return []
        agent, total = self._window(call, event.end)
        if total >= _MIN_TALK_S and agent / total > self.share:
            trigger = f"share-{event.end:.3f}"
            return self._prompt(call, event, trigger, "share", self._evidence(call, event, run))
        return []

    def _window(self, call: CallState, end: float) -> tuple[float, float]:
        """Agent talk and all talk over the window that ends at ``end``."""
        since = max(end - self.window_s, 0.0)
        agent = _talk(call.agent_talk, since, end)
        return agent, agent + _talk(call.customer_talk, since, end)

    def _evidence(self, call: CallState, event: Transcript, run: float) -> dict[str, Any]:
        agent, total = self._window(call, event.end)
        return {
            "talk_s": round(run, 1),
            "limit_s": self.run_s,
            "share_pct": round(100 * agent / total) if total else 100,
            "window_s": self.window_s,
        }

    def _prompt(
        self,
        call: CallState,
        event: Transcript,
        trigger: str,
        reason: str,
        evidence: dict[str, Any],
    ) -> list[Finding]:
        call.monologue_prompt = trigger
        call.last_monologue = event.end
        cue = Cue("agent_monologue", trigger, event.ts, {"reason": reason} | evidence, reason)
        return [cue]


def _add(talk: list[Segment], segment: Segment, keep_after: float) -> None:
    """Merge ``segment`` into ``talk`` (sorted, disjoint); forget speech before ``keep_after``.
    A partial and the final of one utterance overlap, so they merge into one."""
    last = talk[-1] if talk else None
    if last is None or segment.start > last.end:  # the usual case: new speech, in order
        talk.append(Segment(segment.start, segment.end))
    elif segment.start >= last.start:  # the usual case: a partial or final of the last speech
        last.end = max(last.end, segment.end)
    else:
        merged = Segment(segment.start, segment.end)
        kept: list[Segment] = []
        for old in talk:
            if old.end < merged.start or old.start > merged.end:
                kept.append(old)
            else:
                merged = Segment(min(old.start, merged.start), max(old.end, merged.end))
        kept.append(merged)
        kept.sort(key=lambda s: s.start)
        talk[:] = kept
    while talk and talk[0].end < keep_after:
        del talk[0]


def _talk(talk: list[Segment], start: float, end: float) -> float:
    """Seconds of speech in ``talk`` (sorted, disjoint) between ``start`` and ``end``: from the
    latest speech back, as the window or the run asked about is mostly the recent part."""
    total = 0.0
    for s in reversed(talk):
        if s.end <= start:
            break
        total += max(0.0, min(s.end, end) - max(s.start, start))
    return total
