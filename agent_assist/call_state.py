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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot, for a changelogged table."""
        return _adapter.dump_python(self, mode="json")  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CallState":
        return _adapter.validate_python(data)


_adapter: TypeAdapter[CallState] = TypeAdapter(CallState)
