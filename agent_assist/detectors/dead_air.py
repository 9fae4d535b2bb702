"""Dead air: nobody has spoken for a while and the customer is not on hold."""

from datetime import datetime, timedelta

from agent_assist.call_state import CallState
from agent_assist.detectors.base import Clear, Cue, Finding
from models import HoldEnded, HoldStarted, InputEvent, Transcript, format_ts


class DeadAirDetector:
    """Owns a deadline from the last speech heard, so the prompt comes on time in silence.

    Only for calls that send partials: with finals alone, a long utterance still running looks
    like silence until it ends. A hold is not dead air, and the end of a hold restarts the clock.
    """

    def __init__(self, threshold_s: float):
        self.threshold = timedelta(seconds=threshold_s)

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        if isinstance(event, HoldEnded):
            call.last_speech = _latest(call.last_speech, event.ts)
        if isinstance(event, HoldStarted) and call.dead_air_prompted:
            call.dead_air_prompted = False  # the customer now knows why it is quiet
            return [Clear("dead_air", format_ts(call.last_speech or event.ts), event.ts)]
        if not isinstance(event, Transcript):
            return []
        call.sends_partials = call.sends_partials or not event.final
        silence_began = call.last_speech
        call.last_speech = _latest(call.last_speech, event.ts)
        if call.dead_air_prompted and silence_began is not None:
            call.dead_air_prompted = False
            return [Clear("dead_air", format_ts(silence_began), event.ts)]
        return []

    def next_deadline(self, call: CallState) -> datetime | None:
        if (
            not call.sends_partials
            or call.last_speech is None
            or call.hold_started is not None
            or call.dead_air_prompted
        ):
            return None
        return call.last_speech + self.threshold

    def on_tick(self, call: CallState, now: datetime) -> list[Finding]:
        due = self.next_deadline(call)
        if due is None or now < due or call.last_speech is None:
            return []
        call.dead_air_prompted = True
        evidence = {
            "silent_since": format_ts(call.last_speech),
            "threshold_s": self.threshold.total_seconds(),
        }
        return [Cue("dead_air", format_ts(call.last_speech), due, evidence)]


def _latest(current: datetime | None, ts: datetime) -> datetime:
    return ts if current is None else max(current, ts)
