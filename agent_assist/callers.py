"""Who is calling: the key a caller's history is stored under, and their engagement stage."""

import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

from models import CallerHistory, CallStarted


class Stage(StrEnum):
    """Engagement stage of a caller, from their history."""

    FIRST_TIME = "first_time_caller"
    RETURNING = "returning_caller"
    REGULAR = "regular_caller"
    ADVOCATE = "advocate"


def caller_key(event: CallStarted, salt: str) -> str | None:
    """``customer_id`` when known, else a salted hash of the number, else None (unknown).

    The raw number never leaves this function.
    """
    if event.customer_id:
        return event.customer_id
    if event.caller_number:
        digest = hmac.new(salt.encode(), event.caller_number.encode(), hashlib.sha256)
        return "tel:" + digest.hexdigest()[:32]
    return None


def stage_of(history: CallerHistory) -> Stage:
    """Advocates first; otherwise by the number of completed earlier contacts."""
    if history.advocate:
        return Stage.ADVOCATE
    if history.contacts == 0:
        return Stage.FIRST_TIME
    if history.contacts <= 2:
        return Stage.RETURNING
    return Stage.REGULAR


def recent_contact(history: CallerHistory, now: datetime, within: timedelta) -> timedelta | None:
    """How long ago the previous contact was, if it was within ``within`` of ``now``."""
    if history.last_contact_ts is None:
        return None
    ago = now - history.last_contact_ts
    return ago if timedelta(0) <= ago <= within else None
