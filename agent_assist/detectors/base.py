"""The detector interface: small pure classes the engine calls with a call's state."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agent_assist.call_state import CallState
from models import GuidanceKind, InputEvent

_PROMPT_NAMESPACE = uuid.UUID("8d3c6f0e-5b0e-4f53-9a55-3f1d1f7b2a10")


@dataclass(frozen=True, slots=True)
class Cue:
    """Something the agent should be told. ``trigger`` makes it unique within the call."""

    kind: GuidanceKind
    trigger: str
    ts: datetime
    evidence: dict[str, Any] = field(default_factory=dict)
    variant: str | None = None
    """Which playbook entry of the kind to use (the escalation cue class)."""


@dataclass(frozen=True, slots=True)
class Clear:
    """An earlier cue, named by kind and trigger, no longer applies."""

    kind: GuidanceKind
    trigger: str
    ts: datetime


Finding = Cue | Clear


def prompt_id(call_id: str, kind: str, trigger: str) -> str:
    """Deterministic id: replays and redeliveries of the same trigger give the same id."""
    return str(uuid.uuid5(_PROMPT_NAMESPACE, f"{call_id}\x1f{kind}\x1f{trigger}"))


class Detector(Protocol):
    """What every in-call detector answers."""

    def on_event(self, call: CallState, event: InputEvent) -> list[Finding]:
        """Findings caused by one input event; may update ``call``."""
        ...

    def on_tick(self, call: CallState, now: datetime) -> list[Finding]:
        """Findings due at ``now`` (called at or after ``next_deadline``)."""
        ...

    def next_deadline(self, call: CallState) -> datetime | None:
        """When ``on_tick`` must next be called, or None if never."""
        ...


class EventOnly:
    """Base for detectors with no timers."""

    def on_tick(self, call: CallState, now: datetime) -> list[Finding]:
        return []

    def next_deadline(self, call: CallState) -> datetime | None:
        return None
