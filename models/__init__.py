"""The wire contract, version 1: events in, guidance out. Public API; no I/O."""

from models.audio import AudioChunk
from models.events import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    CallEnded,
    CallStarted,
    HoldEnded,
    HoldStarted,
    InputEvent,
    Transcript,
    input_event_adapter,
)
from models.feedback import FeedbackAction, GuidanceFeedback
from models.guidance import (
    Guidance,
    GuidanceCleared,
    GuidanceKind,
    OutputEvent,
    Severity,
    output_event_adapter,
)
from models.history import CallerHistory, caller_history_adapter
from models.timestamps import Timestamp, format_ts

__all__ = [
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "AudioChunk",
    "CallEnded",
    "CallStarted",
    "CallerHistory",
    "FeedbackAction",
    "Guidance",
    "GuidanceCleared",
    "GuidanceFeedback",
    "GuidanceKind",
    "HoldEnded",
    "HoldStarted",
    "InputEvent",
    "OutputEvent",
    "Severity",
    "Timestamp",
    "Transcript",
    "caller_history_adapter",
    "format_ts",
    "input_event_adapter",
    "output_event_adapter",
]
