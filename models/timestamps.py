"""RFC3339 UTC timestamps as the wire carries them."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, PlainSerializer

_RFC3339_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _require_text(value: Any) -> Any:
    # pydantic would also take numbers, and digits in a string, as Unix times; the contract
    # says RFC3339 text.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339_START.match(value):
        raise ValueError("must be an RFC3339 timestamp string, e.g. 2026-11-23T10:00:00.000Z")
    return value


def format_ts(value: datetime) -> str:
    """Render as RFC3339 UTC with milliseconds, e.g. ``2026-11-23T10:00:00.000Z``."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_require_text),
    AfterValidator(lambda value: value.astimezone(UTC)),
    PlainSerializer(format_ts, return_type=str),
]
"""An RFC3339 timestamp with a UTC offset, normalised to UTC."""
