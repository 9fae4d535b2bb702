"""Speech to text with Vosk: one recognizer per call and speaker, word timings in call time."""

import json
from array import array
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from models import Transcript

Speaker = Literal["agent", "customer"]
Encoding = Literal["pcm_s16le", "mulaw"]


def _mulaw_table() -> "array[int]":
    table = array("h")
    for byte in range(256):
        value = ~byte & 0xFF
        magnitude = ((value & 0x0F) << 3) + 0x84 << ((value & 0x70) >> 4)
        table.append((0x84 - magnitude) if value & 0x80 else (magnitude - 0x84))
    return table


_MULAW = _mulaw_table()


def to_pcm16(payload: bytes, encoding: Encoding) -> bytes:
    """16-bit little-endian PCM, which is what Vosk takes."""
    if encoding == "pcm_s16le":
        if len(payload) % 2:
            raise ValueError("16-bit PCM payload has an odd number of bytes")
        return payload
    return array("h", (_MULAW[b] for b in payload)).tobytes()


def load_model(path: Path | None) -> Any:
    """The Vosk model at ``path``; a clear error if it is missing."""
    import vosk

    if path is None or (not (path / "am").is_dir() and not (path / "conf").is_dir()):
        raise FileNotFoundError(
            f"no Vosk model at {path}: set AGENT_ASSIST_VOSK_MODEL to an unpacked model folder"
        )
    vosk.SetLogLevel(-1)
    return vosk.Model(str(path))


class SpeechStream:
    """One channel of one call: audio in, ``transcript`` events out."""

    def __init__(
        self,
        model: Any,
        call_id: str,
        speaker: Speaker,
        sample_rate: int,
        call_start: datetime,
        partial_every_s: float = 1.0,
        recognizer: Callable[..., Any] | None = None,
        origin_s: float = 0.0,
    ):
        """``origin_s``: the call time of the first sample, past 0 when a stream starts mid-call."""
        import vosk

        self.call_id, self.speaker, self.sample_rate = call_id, speaker, sample_rate
        self.call_start = call_start
        self.partial_every_s = partial_every_s
        self._recognizer = (recognizer or vosk.KaldiRecognizer)(model, sample_rate)
        self._recognizer.SetWords(True)
        self.origin_s = origin_s
        self.samples = 0
        self._last_partial = origin_s
        self._last_end = origin_s

    @property
    def position_s(self) -> float:
        """The call time of the latest sample received."""
        return self.origin_s + self.samples / self.sample_rate

    def accept(self, pcm: bytes) -> list[Transcript]:
        """Feed audio; returns final segments, and a throttled partial while speech goes on."""
        self.samples += len(pcm) // 2
        if self._recognizer.AcceptWaveform(pcm):
            return self._final(self._recognizer.Result())
        if self.position_s - self._last_partial < self.partial_every_s:
            return []
        self._last_partial = self.position_s
        text = json.loads(self._recognizer.PartialResult()).get("partial", "")
        if not text:
            return []
        return [self._event(text, self._last_end, self.position_s, final=False)]

    def finish(self) -> list[Transcript]:
        """Flush what is left (end of stream, or idle)."""
        return self._final(self._recognizer.FinalResult())

    def _final(self, raw: str) -> list[Transcript]:
        result = json.loads(raw)
        words = result.get("result") or []
        text = result.get("text", "").strip()
        if not text or not words:
            return []
        start = self.origin_s + float(words[0]["start"])
        end = self.origin_s + float(words[-1]["end"])
        self._last_end = end
        return [self._event(text, start, end, final=True)]

    def _event(self, text: str, start: float, end: float, final: bool) -> Transcript:
        return Transcript(
            call_id=self.call_id,
            ts=self.call_start + timedelta(seconds=end),
            speaker=self.speaker,
            text=text,
            start=round(start, 3),
            end=round(end, 3),
            final=final,
        )


def transcribe_wav(
    path: Path,
    model: Any,
    call_id: str,
    call_start: datetime,
    mono_speaker: Speaker = "customer",
    chunk_s: float = 0.25,
) -> list[Transcript]:
    """A recording to final transcript events: stereo is agent left, customer right."""
    import wave

    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() not in (1, 2):
            raise ValueError(f"{path}: need 16-bit PCM, mono or stereo")
        rate, channels = wav.getframerate(), wav.getnchannels()
        speakers: list[Speaker] = ["agent", "customer"] if channels == 2 else [mono_speaker]
        streams = [
            SpeechStream(model, call_id, s, rate, call_start, partial_every_s=float("inf"))
            for s in speakers
        ]
        events: list[Transcript] = []
        while frames := wav.readframes(int(rate * chunk_s)):
            samples = array("h", frames)
            for n, stream in enumerate(streams):
                events += stream.accept(samples[n::channels].tobytes())
        for stream in streams:
            events += stream.finish()
    return sorted(events, key=lambda e: (e.ts, e.speaker))
