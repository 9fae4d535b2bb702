"""Turning raw bytes into events, with errors that name the field and say what is wrong."""

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from models import EVENT_TYPES, InputEvent, input_event_adapter


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an input was rejected: ``field`` is a dotted path, or ``(json)``."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidEvent(ValueError):
    """The input is not a valid event; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def decode_event(raw: str | bytes) -> InputEvent:
    """Parse and validate one JSON event (``type`` picks the model)."""
    try:
        return input_event_adapter.validate_json(raw)
    except ValidationError as err:
        raise InvalidEvent([_problem(e) for e in err.errors(include_url=False)]) from None


def _problem(err: ErrorDetails) -> Problem:
    loc = [str(p) for p in err["loc"]]
    ctx = err.get("ctx", {})
    if err["type"] == "json_invalid":
        return Problem("(json)", f"not valid JSON: {ctx.get('error')}")
    if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
        return Problem("type", f"must be one of {', '.join(EVENT_TYPES)}")
    if not loc:
        return Problem("(json)", "must be a JSON object")
    # The first location part of a tagged union is the tag itself ("transcript.speaker").
    return Problem(".".join(loc[1:]) or loc[0], err["msg"])
