"""Long holds: flagged the moment a hold passes its threshold, cleared when it ends."""

from datetime import datetime, timedelta

from agent_assist.call_state import CallState
from agent_assist.callers import Stage
from agent_assist.detectors.base import Clear, Cue, Finding
from models import CallEnded, HoldEnded, HoldStarted, InputEvent, format_ts


class LongHoldDetector:
    """Owns a deadline, so the prompt comes on time even if no further event arrives."""

    def __init__(self, threshold_s: float, first_time_threshold_s: float):
        self.threshold_s = threshold_s
        self.first_time_threshold_s = first_time_threshold_s

    def threshold(self, call: CallState) -> float:
        if call.stage == Stage.FIRST_TIME:
            return self.first_time_threshold_s
        return self.threshold_s

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if isinstance(event, HoldStarted) and call.hold_started is None:
            call.hold_started = event.ts
            call.hold_prompted = False
        elif isinstance(event, HoldEnded | CallEnded) and call.hold_started is not None:
            trigger = format_ts(call.hold_started)
            prompted = call.hold_prompted
            call.hold_started = None
            call.hold_prompted = False
            if prompted:
                return [Clear("long_hold", trigger, event.ts)]
        return []

    def next_deadline(self, call: CallState) -> datetime | None:
        if call.hold_started is None or call.hold_prompted:
            return None
        return call.hold_started + timedelta(seconds=self.threshold(call))

    def on_tick(self, call: CallState, now: datetime) -> list[Finding]:
        due = self.next_deadline(call)
        if due is None or now < due or call.hold_started is None:
            return []
        call.hold_prompted = True
        evidence = {
            "hold_started": format_ts(call.hold_started),
            "threshold_s": self.threshold(call),
            "stage": call.stage,
        }
        return [Cue("long_hold", format_ts(call.hold_started), due, evidence)]
