"""What the engine remembers about one live call, between events."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter


@dataclass(slots=True)
class Segment:
    """A final piece of speech, in seconds since call start."""

    start: float
    end: float


@dataclass(slots=True)
class Complaint:
    """Distress the customer voiced, waiting for the agent to acknowledge it."""

    at: datetime
    start: float
    """When the customer began saying it (call seconds): the agent's answer starts after."""
    words: str
    excerpt: str
    agent_turns: list[str] = field(default_factory=list)
    """What the agent said since, none of it an acknowledgement."""


@dataclass(slots=True)
class CallState:
    """One call's state: small, so that millions fit and a table snapshot is cheap."""

    call_id: str
    agent_id: str
    started: datetime
    last_event: datetime
    caller_key: str | None = None
    stage: str | None = None
    queue: str | None = None
    hold_started: datetime | None = None
    hold_prompted: bool = False
    escalation_cues: list[str] = field(default_factory=list)
    customer_segments: list[Segment] = field(default_factory=list)
    agent_segments: list[Segment] = field(default_factory=list)
    last_interruption: float | None = None
    sends_partials: bool = False
    """The call's transcripts include partials, so silence can be told from a long utterance."""
    last_speech: datetime | None = None
    dead_air_prompted: bool = False
    agent_talk: list[Segment] = field(default_factory=list)
    """The agent's speech over the last few minutes, merged, in call seconds."""
    customer_talk: list[Segment] = field(default_factory=list)
    agent_run_start: float | None = None
    """When the agent began talking after the customer last spoke (call seconds)."""
    monologue_prompt: str | None = None
    """The trigger of the monologue prompt on screen, until the customer speaks."""
    last_monologue: float | None = None
    complaint: Complaint | None = None
    last_empathy_prompt: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot, for a changelogged table."""
        return _adapter.dump_python(self, mode="json")  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CallState":
        return _adapter.validate_python(data)


_adapter: TypeAdapter[CallState] = TypeAdapter(CallState)
