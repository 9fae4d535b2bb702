"""Twilio Media Streams (a ``<Start><Stream>`` fork) turned into our call events and audio chunks.

Twilio sends JSON text frames: ``connected``, ``start`` (call SID, tracks, the TwiML
``<Parameter>`` values), ``media`` (20 ms of base64 G.711 mu-law at 8 kHz, ``track``
``inbound`` = the caller, ``outbound`` = the agent, ``timestamp`` = ms since the stream began,
as a string) and ``stop``. Each track becomes its own ``call-audio`` channel, cut into chunks
of ``chunk_ms`` placed by ``offset_ms``: a frame lost on the way (a ``timestamp`` jump) is filled
with silence inside a chunk, or starts a new chunk at its own offset, so call time stays true.
Pure: no I/O, no clock (the caller passes the time the stream started).
"""

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import AudioChunk, CallEnded, CallStarted

SAMPLES_PER_MS = 8
MULAW_SILENCE = b"\xff"
SPEAKERS = {"inbound": "customer", "outbound": "agent"}


class TwilioProtocolError(ValueError):
    """A frame that does not follow Media Streams; the session is closed with it."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """One ``call-audio`` message: key ``call_id``, value ``audio``, headers from ``meta``."""

    call_id: str
    audio: bytes
    meta: AudioChunk

    def headers(self) -> list[tuple[str, bytes]]:
        fields = self.meta.model_dump(mode="json", exclude_none=True)
        return [(k, str(int(v) if isinstance(v, bool) else v).encode()) for k, v in fields.items()]


@dataclass(slots=True)
class _Track:
    speaker: str
    seq: int = 0
    start_ms: int = 0
    next_ms: int | None = None
    audio: bytearray = field(default_factory=bytearray)


def start_parameters(frame: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The call SID and the custom parameters of a ``start`` frame."""
    try:
        start = frame["start"]
        return str(start["callSid"]), {str(k): str(v) for k, v in start["customParameters"].items()}
    except (KeyError, TypeError, AttributeError) as err:
        raise TwilioProtocolError(f"start frame without {err}") from None


class TwilioCall:
    """One stream: its ``media`` frames in, chunks out; the call's start and end events."""

    def __init__(self, call_id: str, started: datetime, chunk_ms: int = 200) -> None:
        self.call_id, self.started, self.chunk_ms = call_id, started, chunk_ms
        self.tracks: dict[str, _Track] = {}
        self.frames = 0
        self.filled_ms = 0
        """Lost audio replaced by silence, summed over the tracks."""

    def call_started(self, parameters: dict[str, str]) -> CallStarted:
        return CallStarted(
            call_id=self.call_id,
            ts=self.started,
            agent_id=parameters.get("agent_id") or "unknown",
            customer_id=parameters.get("customer_id") or None,
            caller_number=parameters.get("caller_number") or None,
            queue=parameters.get("queue") or None,
        )

    def call_ended(self, at: datetime) -> CallEnded:
        return CallEnded(call_id=self.call_id, ts=at)

    def media(self, frame: dict[str, Any]) -> list[Chunk]:
        """Take a ``media`` frame; return the chunks it completes."""
        try:
            media = frame["media"]
            speaker = SPEAKERS[media["track"]]
            at_ms = int(media["timestamp"])
            audio = base64.b64decode(media["payload"], validate=True)
        except (KeyError, TypeError, ValueError) as err:
            raise TwilioProtocolError(f"media frame: {err!r}") from None
        self.frames += 1
        track = self.tracks.setdefault(speaker, _Track(speaker))
        out: list[Chunk] = []
        if track.next_ms is None:
            track.start_ms = track.next_ms = at_ms
        elif at_ms < track.next_ms:  # a frame we already have the time of: drop it
            return out
        elif at_ms > track.next_ms:
            gap = at_ms - track.next_ms
            self.filled_ms += gap
            if gap >= self.chunk_ms:  # a long loss: the next chunk says where it starts
                out += self._flush(track)
                track.start_ms = at_ms
            else:
                track.audio += MULAW_SILENCE * (gap * SAMPLES_PER_MS)
        track.audio += audio
        track.next_ms = at_ms + len(audio) // SAMPLES_PER_MS
        if len(track.audio) >= self.chunk_ms * SAMPLES_PER_MS:
            out += self._flush(track)
        return out

    def stop(self) -> list[Chunk]:
        """The stream ended: what is left of each track, marked as its channel's end."""
        return [c for track in self.tracks.values() for c in self._flush(track, last=True)]

    def _flush(self, track: _Track, last: bool = False) -> list[Chunk]:
        if not track.audio and not last:
            return []
        meta = AudioChunk(
            speaker=track.speaker,  # type: ignore[arg-type]
            seq=track.seq,
            sample_rate=8000,
            encoding="mulaw",
            call_start=self.started,
            offset_ms=track.start_ms,
            end_of_stream=last,
        )
        chunk = Chunk(self.call_id, bytes(track.audio), meta)
        track.seq += 1
        track.start_ms += len(track.audio) // SAMPLES_PER_MS
        track.audio.clear()
        return [chunk]
