"""Internal messages between the workers' own agents (not part of the public contract)."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from models import CallerHistory, Timestamp

Since = Annotated[
    float | None,
    Field(description="Epoch seconds of what triggered this: for the prompt latency metric."),
]


class HistoryReply(BaseModel):
    """To a call's partition: the caller's history its lookup asked for."""

    kind: Literal["history"] = "history"
    call_id: str
    history: CallerHistory
    since: Since = None


class Tick(BaseModel):
    """To a call's partition: the call has a deadline due."""

    kind: Literal["tick"] = "tick"
    call_id: str
    since: Since = None


class Lookup(BaseModel):
    """To a caller's partition: send this call its caller's history."""

    kind: Literal["lookup"] = "lookup"
    caller_key: str
    call_id: str
    partition: int
    since: Since = None


class Contact(BaseModel):
    """To a caller's partition: one of their calls ended."""

    kind: Literal["contact"] = "contact"
    caller_key: str
    call_id: str
    ended: Timestamp


class Profile(BaseModel):
    """To a caller's partition: their history from ``customer-profiles``, re-keyed by the worker
    so that it lands where lookups for them go, whatever partitioner its producer used."""

    kind: Literal["profile"] = "profile"
    history: CallerHistory


control_adapter: TypeAdapter[HistoryReply | Tick] = TypeAdapter(
    Annotated[HistoryReply | Tick, Field(discriminator="kind")]
)
caller_adapter: TypeAdapter[Lookup | Contact | Profile] = TypeAdapter(
    Annotated[Lookup | Contact | Profile, Field(discriminator="kind")]
)
