"""Escalation risk: cues in what the customer says, at most one prompt per cue class per call."""

from agent_assist.call_state import CallState
from agent_assist.detectors.base import Cue, EventOnly, Finding
from agent_assist.detectors.escalation_cues import find_cues
from models import InputEvent, Transcript

_EXCERPT_CHARS = 160


class EscalationDetector(EventOnly):
    """Reads final customer segments only: an agent saying "I can escalate" is no cue."""

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if not (isinstance(event, Transcript) and event.final and event.speaker == "customer"):
            return []
        new = [m for m in find_cues(event.text) if m.cue not in call.escalation_cues]
        if not new:
            return []
        call.escalation_cues.extend(m.cue for m in new)
        primary = new[0]
        evidence = {
            "cues": [m.cue.value for m in new],
            "phrases": [m.phrase for m in new],
            "excerpt": event.text[:_EXCERPT_CHARS],
            "at_s": event.start,
        }
        return [Cue("escalation_risk", primary.cue, event.ts, evidence, variant=primary.cue)]
