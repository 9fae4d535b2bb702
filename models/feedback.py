"""Feedback events: what an agent did with a prompt, for supervisors to measure which help."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.guidance import GuidanceKind
from models.timestamps import Timestamp

FeedbackAction = Literal["helpful", "not_helpful", "dismissed"]


class GuidanceFeedback(BaseModel):
    """An agent marked a prompt helpful or not, or dismissed it (``guidance-feedback`` topic)."""

    model_config = ConfigDict(frozen=True)

    type: Literal["guidance_feedback"] = "guidance_feedback"
    schema_version: Literal[1] = 1
    prompt_id: str = Field(description="The prompt the agent acted on.")
    call_id: str
    agent_id: str
    kind: GuidanceKind = Field(description="The prompt's kind, so feedback adds up per kind.")
    action: FeedbackAction
    ts: Timestamp = Field(description="When the agent clicked (wall clock), RFC3339 UTC.")
