"""A live call's audio, per side, cut into ``call-audio`` chunks placed by call time.

Telephony platforms send each side of a call as small frames (Twilio: 20 ms per track;
Genesys AudioHook: both sides interleaved, 100-200 ms). ``CallAudio`` gathers each side into
chunks of ``chunk_ms``, each placed by ``offset_ms``: audio lost on the way (a jump in call
time) is filled with silence inside a chunk, or starts a new chunk at its own offset, so call
time stays true. Pure: no I/O, no clock (the caller passes the time the call started).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from models import AudioChunk, CallEnded, CallStarted

Encoding = Literal["mulaw", "pcm_s16le"]
SAMPLES_PER_MS = 8
SILENCE: dict[Encoding, bytes] = {"mulaw": b"\xff", "pcm_s16le": b"\x00\x00"}


VARYING = ("seq", "offset_ms", "end_of_stream")
"""The headers that change from chunk to chunk; the rest are the track's, worked out once."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """One ``call-audio`` message: key ``call_id``, value ``audio``, headers from ``meta``
    (``fixed``: its track's headers that do not change, rendered once per track)."""

    call_id: str
    audio: bytes
    meta: AudioChunk
    fixed: tuple[tuple[str, bytes], ...]

    def headers(self) -> list[tuple[str, bytes]]:
        seq, offset = b"%d" % self.meta.seq, b"%d" % (self.meta.offset_ms or 0)
        end = b"1" if self.meta.end_of_stream else b"0"
        return [*self.fixed, ("seq", seq), ("offset_ms", offset), ("end_of_stream", end)]


@dataclass(slots=True)
class _Track:
    template: AudioChunk
    """Validated once per track; each chunk's ``meta`` is a copy with its seq and offset."""
    fixed: tuple[tuple[str, bytes], ...]
    seq: int = 0
    start_ms: int = 0
    next_ms: int | None = None
    audio: bytearray = field(default_factory=bytearray)


class CallAudio:
    """One call's audio frames in, chunks out; the call's start and end events."""

    def __init__(
        self,
        call_id: str,
        started: datetime,
        chunk_ms: int = 200,
        encoding: Encoding = "mulaw",
    ) -> None:
        self.call_id, self.started, self.chunk_ms = call_id, started, chunk_ms
        self.encoding = encoding
        self.bytes_per_ms = SAMPLES_PER_MS * len(SILENCE[encoding])
        self.tracks: dict[str, _Track] = {}
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

    def add(self, speaker: str, at_ms: int, audio: bytes) -> list[Chunk]:
        """Take one side's frame that starts ``at_ms`` into the call; return the chunks it
        completes."""
        track = self.tracks.get(speaker) or self._track(speaker)
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
                track.audio += SILENCE[self.encoding] * (gap * SAMPLES_PER_MS)
        track.audio += audio
        track.next_ms = at_ms + len(audio) // self.bytes_per_ms
        if len(track.audio) >= self.chunk_ms * self.bytes_per_ms:
            out += self._flush(track)
        return out

    def stop(self) -> list[Chunk]:
        """The stream ended: what is left of each track, marked as its channel's end."""
        return [c for track in self.tracks.values() for c in self._flush(track, last=True)]

    def _track(self, speaker: str) -> _Track:
        template = AudioChunk(
            speaker=speaker,
            seq=0,
            sample_rate=8000,
            encoding=self.encoding,
            call_start=self.started,
            offset_ms=0,
            end_of_stream=False,
        )
        fields = template.model_dump(mode="json", exclude_none=True)
        fixed = tuple((k, str(v).encode()) for k, v in fields.items() if k not in VARYING)
        self.tracks[speaker] = _Track(template, fixed)
        return self.tracks[speaker]

    def _flush(self, track: _Track, last: bool = False) -> list[Chunk]:
        if not track.audio and not last:
            return []
        update = {"seq": track.seq, "offset_ms": track.start_ms, "end_of_stream": last}
        meta = track.template.model_copy(update=update)
        chunk = Chunk(self.call_id, bytes(track.audio), meta, track.fixed)
        track.seq += 1
        track.start_ms += len(track.audio) // self.bytes_per_ms
        track.audio.clear()
        return [chunk]
