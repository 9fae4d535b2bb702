"""Empathy gap: the customer voices distress and the agent answers without acknowledging it."""

from datetime import datetime, timedelta

from agent_assist.call_state import CallState, Complaint
from agent_assist.callers import Stage
from agent_assist.cues.feelings import acknowledges, distress
from agent_assist.detectors.backchannels import Backchannels
from agent_assist.detectors.base import Cue, Finding
from models import InputEvent, Transcript, format_ts

_EXCERPT_CHARS = 160


class EmpathyGapDetector:
    """Watches the agent's final turns after a complaint, for a window of call time or a number
    of turns, whichever ends first; fires at the end of the window even if nothing follows.

    Only final turns count: a partial is still being said. A backchannel ("uh-huh") is neither
    an acknowledgement nor a turn, and an apology begun before the complaint does not count.
    """

    def __init__(
        self,
        window_s: float,
        first_time_window_s: float,
        turns: int,
        cooldown_s: float,
        backchannels: Backchannels,
    ):
        self.window_s = window_s
        self.first_time_window_s = first_time_window_s
        self.turns = turns
        self.cooldown = timedelta(seconds=cooldown_s)
        self.backchannels = backchannels

    def window(self, call: CallState) -> float:
        return self.first_time_window_s if call.stage == Stage.FIRST_TIME else self.window_s

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if not (isinstance(event, Transcript) and event.final):
            return []
        if event.speaker == "customer":
            last = call.last_empathy_prompt
            cooling = last is not None and event.ts - last < self.cooldown
            words = None if call.complaint or cooling else distress(event.text)
            if words:
                excerpt = event.text[:_EXCERPT_CHARS]
                call.complaint = Complaint(event.ts, event.start, words, excerpt)
            return []
        complaint = call.complaint
        if complaint is None or event.start <= complaint.start:
            return []
        if acknowledges(event.text):
            call.complaint = None
            return []
        if self.backchannels.only(event.text):
            return []
        complaint.agent_turns.append(event.text[:_EXCERPT_CHARS])
        if len(complaint.agent_turns) >= self.turns:
            return self._prompt(call, complaint, event.ts)
        return []

    def next_deadline(self, call: CallState) -> datetime | None:
        if call.complaint is None:
            return None
        return call.complaint.at + timedelta(seconds=self.window(call))

    def on_tick(self, call: CallState, now: datetime) -> list[Finding]:
        due = self.next_deadline(call)
        if due is None or now < due or call.complaint is None:
            return []
        return self._prompt(call, call.complaint, due)

    def _prompt(self, call: CallState, complaint: Complaint, ts: datetime) -> list[Finding]:
        call.complaint = None
        call.last_empathy_prompt = ts
        evidence = {
            "customer": complaint.excerpt,
            "words": complaint.words,
            "agent_turns": complaint.agent_turns,
            "window_s": self.window(call),
        }
        return [Cue("empathy_gap", format_ts(complaint.at), ts, evidence)]
