"""Engagement stage and repeat contact, decided once when the call starts."""

from datetime import timedelta

from agent_assist.call_state import CallState
from agent_assist.callers import recent_contact, stage_of
from agent_assist.cues.classes import CueClass
from agent_assist.detectors.base import Cue
from models import CallerHistory, CallStarted, format_ts


class EngagementDetector:
    """Tells the agent who is calling: first-time, returning, regular or advocate."""

    def __init__(self, repeat_contact_days: float):
        self.repeat_window = timedelta(days=repeat_contact_days)

    def on_call_started(
        self, call: CallState, event: CallStarted, history: CallerHistory | None
    ) -> list[Cue]:
        """Unknown callers (no id, no number) get no stage: unknown is not first-time."""
        if history is None:
            return []
        stage = stage_of(history)
        call.stage = stage
        evidence: dict[str, object] = {
            "earlier_contacts": history.contacts,
            "contact_number": history.contacts + 1,
            "advocate": history.advocate,
        }
        cues = [Cue(stage.value, "stage", event.ts, evidence)]
        ago = recent_contact(history, event.ts, self.repeat_window)
        if ago is not None and history.last_contact_ts is not None:
            repeat = {
                "last_contact_ts": format_ts(history.last_contact_ts),
                "days_ago": round(ago / timedelta(days=1), 1),
                "window_days": self.repeat_window / timedelta(days=1),
            }
            cues.append(Cue("repeat_contact", "previous_contact", event.ts, repeat))
            # The agent already knows; "third time I'm calling" would only repeat it.
            call.escalation_cues.append(CueClass.REPEAT)
        return cues
