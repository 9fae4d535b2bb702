"""The engine: one call's state plus one event in, the new state and guidance out.

It holds no state of its own, so replay, the demo and the Kafka workers can keep call state
wherever they like (a dict, a changelogged table) and get the same prompts from the same input.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent_assist.call_state import CallState
from agent_assist.callers import caller_key
from agent_assist.config import EngineConfig
from agent_assist.cues.classifier import bundled_model
from agent_assist.detectors.backchannels import Backchannels
from agent_assist.detectors.base import Clear, Cue, Detector, Finding, prompt_id
from agent_assist.detectors.dead_air import DeadAirDetector
from agent_assist.detectors.empathy import EmpathyGapDetector
from agent_assist.detectors.engagement import EngagementDetector
from agent_assist.detectors.escalation import EscalationDetector
from agent_assist.detectors.interruption import InterruptionDetector
from agent_assist.detectors.long_hold import LongHoldDetector
from agent_assist.detectors.monologue import MonologueDetector
from agent_assist.playbook import Playbook, load_playbook
from models import (
    CallEnded,
    CallerHistory,
    CallStarted,
    Guidance,
    GuidanceCleared,
    InputEvent,
    OutputEvent,
)


@dataclass(slots=True)
class Step:
    """What one event or tick did. ``state`` None means the call is over (or unknown)."""

    state: CallState | None
    outputs: list[OutputEvent] = field(default_factory=list)
    completed_contact: tuple[str, datetime] | None = None
    """(caller key, end time) when a call of a known caller ended: update their history."""
    ignored: str | None = None
    """Why the event was ignored, if it was."""


class Engine:
    """Runs every detector over a call's events and renders findings with the playbook."""

    def __init__(self, config: EngineConfig | None = None, playbook: Playbook | None = None):
        self.config = config or EngineConfig()
        self.playbook = playbook or load_playbook(self.config.playbook)
        self.engagement = EngagementDetector(self.config.repeat_contact_days)
        config = self.config
        backchannels = Backchannels(config.backchannels)
        self.detectors: list[Detector] = [
            EscalationDetector(bundled_model(), config.escalation_thresholds),
            InterruptionDetector(
                config.interruption_min_overlap_s, config.interruption_cooldown_s, backchannels
            ),
            LongHoldDetector(config.hold_threshold_s, config.first_time_hold_threshold_s),
            EmpathyGapDetector(
                config.empathy_window_s,
                config.first_time_empathy_window_s,
                config.empathy_turns,
                config.empathy_cooldown_s,
                backchannels,
            ),
            MonologueDetector(
                config.monologue_s,
                config.monologue_share,
                config.monologue_window_s,
                config.monologue_cooldown_s,
                backchannels,
            ),
            DeadAirDetector(config.dead_air_s),
        ]
        self._idle = timedelta(seconds=self.config.call_idle_timeout_s)

    def caller_key(self, event: CallStarted) -> str | None:
        """Where the caller's history lives; look it up before passing ``call_started``."""
        return caller_key(event, self.config.caller_salt.get_secret_value())

    def on_event(
        self, state: CallState | None, event: InputEvent, history: CallerHistory | None = None
    ) -> Step:
        """Apply one event. For ``call_started``, pass the caller's history (None = unknown)."""
        if isinstance(event, CallStarted):
            if state is not None:
                return Step(state, ignored="duplicate call_started")
            return self._start(event, history)
        if state is None:
            return Step(None, ignored="no call_started seen for this call")
        state.last_event = max(state.last_event, event.ts)
        findings = [f for d in self.detectors for f in d.on_event(state, event)]
        outputs = self._render(state, findings)
        if isinstance(event, CallEnded):
            contact = (state.caller_key, event.ts) if state.caller_key else None
            return Step(None, outputs, completed_contact=contact)
        return Step(state, outputs)

    def on_tick(self, state: CallState, now: datetime) -> Step:
        """Fire what is due at ``now``; a call idle past its timeout is dropped."""
        findings = [f for d in self.detectors for f in d.on_tick(state, now)]
        outputs = self._render(state, findings)
        if now >= state.last_event + self._idle:
            return Step(None, outputs, ignored="call idle past call_idle_timeout_s")
        return Step(state, outputs)

    def advance(self, state: CallState, until: datetime, inclusive: bool = False) -> Step:
        """Fire, in order, every deadline before ``until`` (or at it, if ``inclusive``)."""
        outputs: list[OutputEvent] = []
        current: CallState | None = state
        while current is not None:
            due = self.next_deadline(current)
            if due > until or (due == until and not inclusive):
                break
            step = self.on_tick(current, due)
            outputs += step.outputs
            current = step.state
        return Step(current, outputs)

    def next_deadline(self, state: CallState) -> datetime:
        """When ``on_tick`` must next run for this call."""
        deadlines = [d.next_deadline(state) for d in self.detectors]
        return min([d for d in deadlines if d is not None] + [state.last_event + self._idle])

    def _start(self, event: CallStarted, history: CallerHistory | None) -> Step:
        key = self.caller_key(event)
        state = CallState(
            call_id=event.call_id,
            agent_id=event.agent_id,
            started=event.ts,
            last_event=event.ts,
            caller_key=key,
            queue=event.queue,
        )
        if key is not None and history is None:
            history = CallerHistory(customer_id=key)
        cues = self.engagement.on_call_started(state, event, history)
        return Step(state, self._render(state, list(cues)))

    def _render(self, state: CallState, findings: list[Finding]) -> list[OutputEvent]:
        outputs: list[OutputEvent] = []
        for found in findings:
            pid = prompt_id(state.call_id, found.kind, found.trigger)
            if isinstance(found, Clear):
                outputs.append(GuidanceCleared(prompt_id=pid, call_id=state.call_id, ts=found.ts))
                continue
            outputs.append(self._guidance(state, found, pid))
        return outputs

    def _guidance(self, state: CallState, cue: Cue, pid: str) -> Guidance:
        entry = self.playbook.entry_for(cue)
        return Guidance(
            prompt_id=pid,
            call_id=state.call_id,
            agent_id=state.agent_id,
            ts=cue.ts,
            kind=cue.kind,
            severity=entry.severity,
            title=entry.title.format_map(cue.evidence),
            message=entry.message.format_map(cue.evidence),
            evidence=cue.evidence,
        )
