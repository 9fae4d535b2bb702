"""Output events: the guidance prompts an agent's desktop shows."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from models.timestamps import Timestamp

GuidanceKind = Literal[
    "first_time_caller",
    "returning_caller",
    "regular_caller",
    "advocate",
    "repeat_contact",
    "escalation_risk",
    "interruption",
    "long_hold",
    "empathy_gap",
    "agent_monologue",
    "dead_air",
]
Severity = Literal["info", "warning", "critical"]


class Guidance(BaseModel):
    """A prompt for the agent: what is going on and what to do now."""

    model_config = ConfigDict(frozen=True)

    type: Literal["guidance"] = "guidance"
    schema_version: Literal[1] = 1
    prompt_id: str = Field(
        description="Deterministic from call and trigger: the same trigger always gives the same "
        "id, so consumers de-duplicate on it."
    )
    call_id: str
    agent_id: str
    ts: Timestamp = Field(description="Event time of the trigger, RFC3339 UTC.")
    kind: GuidanceKind
    severity: Severity
    title: str = Field(description="A few words for the prompt's header.")
    message: str = Field(description="What the agent should do now, one or two sentences.")
    evidence: dict[str, Any] = Field(
        default_factory=dict, description="The words, numbers or timings behind the prompt."
    )


class GuidanceCleared(BaseModel):
    """An earlier prompt no longer applies (for example, the hold ended)."""

    model_config = ConfigDict(frozen=True)

    type: Literal["guidance_cleared"] = "guidance_cleared"
    schema_version: Literal[1] = 1
    prompt_id: str
    call_id: str
    ts: Timestamp


OutputEvent = Annotated[Guidance | GuidanceCleared, Field(discriminator="type")]
"""Any output event; ``type`` selects the model."""

output_event_adapter: TypeAdapter[OutputEvent] = TypeAdapter(OutputEvent)
