"""Input events: what telephony and speech-to-text send about a live call."""

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationInfo, field_validator

from models.timestamps import Timestamp

SCHEMA_VERSION = 1
"""Version of the wire contract these models describe."""

E164 = r"^\+[1-9][0-9]{1,14}$"


MAX_ID = 256
"""Characters in an identifier at most: a call's state carries its ids, and a state has to fit
in one Kafka message."""
MAX_TEXT = 20_000
"""Characters in one transcript segment at most (about 20 minutes of speech)."""


class _Event(BaseModel):
    """Fields every event carries. Unknown extra fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    call_id: str = Field(
        min_length=1, max_length=MAX_ID, description="Telephony's identifier of the call."
    )
    ts: Timestamp = Field(description="When it happened, RFC3339 UTC.")
    schema_version: Literal[1] = Field(
        default=1, description="Contract version; optional, 1 if absent."
    )


class CallStarted(_Event):
    """A call was connected to an agent."""

    type: Literal["call_started"] = "call_started"
    agent_id: str = Field(
        min_length=1, max_length=MAX_ID, description="The agent who took the call."
    )
    customer_id: str | None = Field(
        default=None,
        max_length=MAX_ID,
        description="CRM customer id; null when the caller is not identified.",
    )
    caller_number: str | None = Field(
        default=None,
        pattern=E164,
        description="Caller's number in E.164; hashed with a salt before use, never stored raw.",
    )
    queue: str | None = Field(
        default=None, max_length=MAX_ID, description="The queue or skill the call came from."
    )


class Transcript(_Event):
    """A piece of speech from one side of the call."""

    type: Literal["transcript"] = "transcript"
    speaker: Literal["agent", "customer"] = Field(description="Who spoke.")
    text: str = Field(max_length=MAX_TEXT, description="What was said.")
    start: float = Field(ge=0, description="Seconds since call start when the speech began.")
    end: float = Field(ge=0, description="Seconds since call start when the speech ended.")
    final: bool = Field(default=True, description="False for an interim (partial) result.")

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: float, info: ValidationInfo) -> float:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"must not be before start ({start})")
        return end


class HoldStarted(_Event):
    """The agent put the customer on hold."""

    type: Literal["hold_started"] = "hold_started"


class HoldEnded(_Event):
    """The customer was taken off hold."""

    type: Literal["hold_ended"] = "hold_ended"


class CallEnded(_Event):
    """The call was disconnected."""

    type: Literal["call_ended"] = "call_ended"


InputEvent = Annotated[
    CallStarted | Transcript | HoldStarted | HoldEnded | CallEnded,
    Field(discriminator="type"),
]
"""Any input event; ``type`` selects the model."""

EVENT_TYPES: tuple[str, ...] = tuple(
    model.model_fields["type"].default for model in get_args(get_args(InputEvent)[0])
)

input_event_adapter: TypeAdapter[InputEvent] = TypeAdapter(InputEvent)
"""Decodes and validates one JSON event: ``input_event_adapter.validate_json(raw)``."""
