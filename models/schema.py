"""The contract as JSON Schema, for integrators and for docs/schema.json."""

from typing import Any

from models.audio import AudioChunk
from models.events import SCHEMA_VERSION, input_event_adapter
from models.feedback import GuidanceFeedback
from models.guidance import output_event_adapter
from models.history import caller_history_adapter


def contract_schema() -> dict[str, Any]:
    """One document: events in, guidance out, feedback, caller history, call-audio headers."""
    return {
        "title": "agent-assist wire contract",
        "version": SCHEMA_VERSION,
        "inputs": input_event_adapter.json_schema(),
        "outputs": output_event_adapter.json_schema(mode="serialization"),
        "feedback": GuidanceFeedback.model_json_schema(mode="serialization"),
        "caller_history": caller_history_adapter.json_schema(),
        "audio_chunk_headers": AudioChunk.model_json_schema(),
    }
