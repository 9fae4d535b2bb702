"""Caller history: what the engine knows of a caller's earlier contacts."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from models.events import MAX_ID
from models.timestamps import Timestamp


class CallerHistory(BaseModel):
    """One caller's record. Keyed by ``customer_id`` (or a salted hash of the number)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    customer_id: str = Field(min_length=1, max_length=MAX_ID)
    contacts: int = Field(default=0, ge=0, description="Completed earlier contacts.")
    last_contact_ts: Timestamp | None = Field(
        default=None, description="When the latest earlier contact ended, RFC3339 UTC."
    )
    advocate: bool = Field(default=False, description="Flagged by the brand as an advocate.")

    def after_contact(self, ended: datetime) -> "CallerHistory":
        """The record once a further contact, ended at ``ended``, is complete."""
        return self.model_copy(update={"contacts": self.contacts + 1, "last_contact_ts": ended})


caller_history_adapter: TypeAdapter[CallerHistory] = TypeAdapter(CallerHistory)
