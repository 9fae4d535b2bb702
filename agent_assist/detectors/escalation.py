"""Escalation risk: cues in what the customer says, at most one prompt per cue class per call.

Two stages read each final customer segment: the cue grammar, which is precise and names the
words, and the learned classifier for what the grammar's wording misses. A class counts when
the grammar finds it or its probability reaches the class's threshold.
"""

from collections.abc import Mapping

from agent_assist.call_state import CallState
from agent_assist.cues.classes import CUE_CLASSES, CueClass
from agent_assist.cues.classifier import CueModel
from agent_assist.cues.grammar import find_cues
from agent_assist.detectors.base import Cue, EventOnly, Finding
from models import InputEvent, Transcript

_EXCERPT_CHARS = 160


class EscalationDetector(EventOnly):
    """Reads final customer segments only: an agent saying "I can escalate" is no cue."""

    def __init__(self, model: CueModel, thresholds: Mapping[CueClass, float] | None = None):
        self.model = model
        self.thresholds = model.thresholds | dict(thresholds or {})

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if not (isinstance(event, Transcript) and event.final and event.speaker == "customer"):
            return []
        if set(call.escalation_cues).issuperset(CUE_CLASSES):
            return []
        probabilities = self.model.probabilities(event.text)
        grammar = {m.cue: m.phrase for m in find_cues(event.text)}
        new = [
            cue
            for cue in CUE_CLASSES
            if cue not in call.escalation_cues
            and (cue in grammar or probabilities[cue] >= self.thresholds[cue])
        ]
        if not new:
            return []
        call.escalation_cues.extend(new)
        evidence = {
            "cues": [cue.value for cue in new],
            "stages": ["grammar" if cue in grammar else "classifier" for cue in new],
            "phrases": [grammar.get(cue) or self.model.strongest(event.text, cue) for cue in new],
            "scores": {
                cue.value: round(probabilities[cue], 3) for cue in new if cue not in grammar
            },
            "excerpt": event.text[:_EXCERPT_CHARS],
            "at_s": event.start,
        }
        return [Cue("escalation_risk", new[0], event.ts, evidence, variant=new[0])]
