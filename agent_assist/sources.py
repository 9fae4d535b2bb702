"""Reading JSON Lines files (or stdin) of events and caller history, line by line."""

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import ValidationError

from agent_assist.decoding import InvalidEvent, Problem, decode_event
from models import CallerHistory, InputEvent, caller_history_adapter

STDIN = "-"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LineError:
    """A rejected line: prints as ``FILE:LINE: field: reason``."""

    source: str
    line: int
    problem: Problem

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value and the file and line it came from."""

    source: str
    line: int
    value: T


def _lines(path: str) -> Iterator[tuple[int, str | LineError]]:
    """Each line decoded as UTF-8 on its own, so a bad byte costs that line and no other."""
    if path == STDIN:
        yield from _decoded(path, sys.stdin.buffer)
        return
    with Path(path).open("rb") as handle:
        yield from _decoded(path, handle)


def _decoded(path: str, lines: Iterable[bytes]) -> Iterator[tuple[int, str | LineError]]:
    for number, raw in enumerate(lines, start=1):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as err:
            problem = Problem("(encoding)", f"not valid UTF-8 at byte {err.start + 1} of the line")
            yield number, LineError(path, number, problem)


def read_events(path: str) -> Iterator[Located[InputEvent] | LineError]:
    """Every non-blank line as an event, or as the errors that reject it."""
    for number, text in _lines(path):
        if isinstance(text, LineError):
            yield text
            continue
        if not text.strip():
            continue
        try:
            yield Located(path, number, decode_event(text))
        except InvalidEvent as err:
            for problem in err.problems:
                yield LineError(path, number, problem)


def read_history(path: str) -> Iterator[Located[CallerHistory] | LineError]:
    """Caller history records, one JSON object per line."""
    for number, text in _lines(path):
        if isinstance(text, LineError):
            yield text
            continue
        if not text.strip():
            continue
        try:
            yield Located(path, number, caller_history_adapter.validate_json(text))
        except ValidationError as err:
            for e in err.errors(include_url=False):
                field = ".".join(str(p) for p in e["loc"]) or "(json)"
                yield LineError(path, number, Problem(field, e["msg"]))
