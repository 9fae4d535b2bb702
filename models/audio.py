"""Call audio on Kafka: one message per chunk of one channel; metadata in the headers."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from models.timestamps import Timestamp


def _int_text(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


class AudioChunk(BaseModel):
    """The headers of a ``call-audio`` message (the key is the ``call_id``, the value the audio).

    Header values are UTF-8 text. The value is raw audio, not base64: 16-bit little-endian PCM
    or G.711 mu-law, mono, at ``sample_rate``. The first chunk of a channel starts at the call's
    start; each next chunk follows the previous one. ``offset_ms`` places a chunk in the call, so
    a speech worker that takes over a channel mid-call, or sees a chunk missing, keeps the
    timings right.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    speaker: Literal["agent", "customer"] = Field(description="Which channel this is.")
    seq: int = Field(ge=0, description="0, 1, 2, ... per call and speaker.")
    sample_rate: Annotated[Literal[8000, 16000], BeforeValidator(_int_text)] = Field(
        description="Hz: 8 kHz telephony or 16 kHz."
    )
    encoding: Literal["pcm_s16le", "mulaw"] = Field(description="Sample format of the value.")
    call_start: Timestamp = Field(description="When the call started, RFC3339 UTC.")
    offset_ms: int | None = Field(
        default=None,
        ge=0,
        description="Call time of the chunk's first sample, in ms after call_start. Optional: "
        "without it, seq times this chunk's duration, right when a channel's chunks are equal.",
    )
    end_of_stream: bool = Field(default=False, description="Last chunk of this channel.")
    schema_version: Annotated[Literal[1], BeforeValidator(_int_text)] = 1
