"""Genesys Cloud AudioHook (protocol version 2), server side, as pure state: messages in,
replies, call events and audio chunks out.

Genesys opens a WebSocket per call and sends JSON text messages (``open``, ``ping``,
``update``, ``paused``, ``resumed``, ``discarded``, ``error``, ``close``) and binary audio
frames. Each message carries ``seq`` (one more than the client's last), ``serverseq`` (the
last server message it has seen) and ``position`` (an ISO 8601 duration of audio sent so
far); server messages carry ``seq`` and ``clientseq`` the same way. ``open`` offers media
formats; we pick one (G.711 mu-law ``PCMU`` or 16-bit ``L16``, 8 kHz, stereo or one
channel) and answer ``opened``. Stereo frames interleave ``external`` (the customer) and
``internal`` (the agent) samples. ``ping`` gets ``pong``; ``close`` gets ``closed``. A
message off the protocol gets ``disconnect`` with reason ``error`` and the session ends
when the client closes; a refused session gets ``disconnect`` with ``unauthorized``.

A connection probe (``open`` for the all-zero conversation id) is answered like a call but
writes nothing. Call time is the audio position plus what the client reports discarded
(``discarded``, ``resumed``), so a pause keeps later words at their real time.
"""

import json
import re
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from models import InputEvent
from models.events import E164
from streams.call_audio import CallAudio, Chunk, Encoding

VERSION = "2"
PROBE_CONVERSATION = "00000000-0000-0000-0000-000000000000"
SPEAKERS = {"external": "customer", "internal": "agent"}
FORMATS: dict[str, Encoding] = {"PCMU": "mulaw", "L16": "pcm_s16le"}
RATE = 8000
_DURATION = re.compile(r"PT(\d+(?:\.\d+)?)S")
_CONFIG_FIELDS = ("agent_id", "queue", "customer_id")
"""What an integration's ``customConfig`` may set on the call (AudioHook carries no agent)."""


class AudioHookError(ValueError):
    """A client message or frame off the protocol; the session is disconnected with it."""


def seconds(duration: Any) -> float:
    """An AudioHook duration (``PT1.25S``) in seconds."""
    match = _DURATION.fullmatch(duration) if isinstance(duration, str) else None
    if match is None:
        raise AudioHookError(f"not a duration: {duration!r}")
    return float(match.group(1))


def e164(ani: Any) -> str | None:
    """The caller's number as E.164 (Genesys sends ``tel:+1...`` or ``+1-555-...``), or None
    when it is withheld or not a phone number."""
    if not isinstance(ani, str):
        return None
    digits = re.sub(r"[\s().-]", "", ani.removeprefix("tel:"))
    return digits if re.match(E164, digits) else None


@dataclass(slots=True)
class Outcome:
    """What one client message or frame leads to."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    events: list[InputEvent] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)


class AudioHookSession:
    """One AudioHook session: its sequence numbers, state, selected media and call audio."""

    def __init__(self, session_id: str, organization_id: str | None, chunk_ms: int = 200):
        self.id, self.organization_id, self.chunk_ms = session_id, organization_id, chunk_ms
        self.seq = 0
        self.clientseq = 0
        self.state = "preparing"  # -> active <-> paused -> closed; or disconnecting
        self.channels: list[str] = []
        self.bytes_per_sample = 1
        self.samples = 0
        self.discarded_ms = 0
        self.call: CallAudio | None = None
        self.probe = False
        self.outcome = "completed"

    @property
    def call_id(self) -> str | None:
        return self.call.call_id if self.call is not None else None

    def _reply(self, out: Outcome, kind: str, parameters: dict[str, Any]) -> None:
        self.seq += 1
        out.replies.append(
            {
                "version": VERSION,
                "type": kind,
                "seq": self.seq,
                "clientseq": self.clientseq,
                "id": self.id,
                "parameters": parameters,
            }
        )

    def disconnect(self, reason: str, info: str, outcome: str) -> Outcome:
        """``disconnect`` the client (``reason``: ``unauthorized`` or ``error``): it answers
        with ``close``, then we send ``closed``. ``outcome``: how the session is counted."""
        out = Outcome()
        if self.state not in ("closed", "disconnecting"):
            self.state, self.outcome = "disconnecting", outcome
            self._reply(out, "disconnect", {"reason": reason, "info": info})
        return out

    def text(self, data: str, now: datetime) -> Outcome:
        """Take a text message; a message off the protocol disconnects the session."""
        try:
            return self._message(data, now)
        except AudioHookError as err:
            return self.protocol_error(str(err))

    def protocol_error(self, problem: str) -> Outcome:
        return self.disconnect("error", f"Client Error: {problem}", "protocol_error")

    def audio(self, data: bytes) -> Outcome:
        """Take a binary frame: each channel's samples, placed at their call time."""
        out = Outcome()
        if self.state == "disconnecting":
            return out
        frame = len(self.channels) * self.bytes_per_sample
        if self.state != "active" or self.call is None:
            return self.protocol_error(f"audio in state {self.state}")
        if len(data) % frame:
            return self.protocol_error(f"audio frame of {len(data)} bytes")
        at_ms = self.samples // (RATE // 1000) + self.discarded_ms
        count = len(self.channels)
        for i, channel in enumerate(self.channels):
            if count == 1:
                samples = data
            elif self.bytes_per_sample == 1:
                samples = data[i::count]
            else:  # L16 is little-endian, as this machine's int16
                samples = array("h", data)[i::count].tobytes()
            if not self.probe:
                out.chunks += self.call.add(SPEAKERS[channel], at_ms, samples)
        self.samples += len(data) // frame
        return out

    def end(self) -> list[Chunk]:
        """The socket closed: what is left of each channel."""
        return self.call.stop() if self.call is not None and not self.probe else []

    def _message(self, data: str, now: datetime) -> Outcome:
        out = Outcome()
        try:
            message = json.loads(data)
        except ValueError:
            raise AudioHookError("message not valid JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("parameters"), dict):
            raise AudioHookError("not an AudioHook client message")
        if self.state == "disconnecting":  # only its close matters now, whatever its seq
            if message.get("type") == "close" and isinstance(message.get("seq"), int):
                self.clientseq = message["seq"]
                self._close(out)
            return out
        if message.get("version") != VERSION:
            raise AudioHookError(f"version {message.get('version')!r}, expected '2'")
        if message.get("id") != self.id:
            raise AudioHookError("session id differs from Audiohook-Session-Id")
        if message.get("seq") != self.clientseq + 1:
            raise AudioHookError(f"seq {message.get('seq')!r} after {self.clientseq}")
        serverseq = message.get("serverseq")
        if not isinstance(serverseq, int) or not 0 <= serverseq <= self.seq:
            raise AudioHookError(f"serverseq {serverseq!r} (sent {self.seq})")
        seconds(message.get("position"))
        self.clientseq += 1
        kind, parameters = message.get("type"), message["parameters"]
        if kind == "open":
            self._open(out, parameters, now)
        elif kind == "ping":
            self._reply(out, "pong", {})
        elif kind == "close":
            self._close(out)
        elif kind == "update":
            self._reply(out, "updated", {})
        elif kind in ("paused", "resumed", "discarded"):
            if self.state not in ("active", "paused"):
                raise AudioHookError(f"{kind} in state {self.state}")
            if kind == "paused":
                self.state = "paused"
            else:
                self.state = "active" if kind == "resumed" else self.state
                self.discarded_ms += round(seconds(parameters.get("discarded")) * 1000)
        elif kind != "error":  # an error the client reports is logged; its close follows
            raise AudioHookError(f"{kind!r} is not a client message")
        return out

    def _open(self, out: Outcome, parameters: dict[str, Any], now: datetime) -> None:
        if self.state != "preparing":
            raise AudioHookError(f"open in state {self.state}")
        conversation = parameters.get("conversationId")
        participant = parameters.get("participant")
        if not isinstance(conversation, str) or not isinstance(participant, dict):
            raise AudioHookError("open without conversationId or participant")
        if self.organization_id and parameters.get("organizationId") != self.organization_id:
            raise AudioHookError("organizationId differs from Audiohook-Organization-Id")
        media = self._select(parameters.get("media"))
        call = CallAudio(conversation, now, self.chunk_ms, FORMATS[media["format"]])
        self.probe = conversation == PROBE_CONVERSATION
        if not self.probe:
            config = parameters.get("customConfig")
            config = config if isinstance(config, dict) else {}
            fields = {k: str(config[k]) for k in _CONFIG_FIELDS if k in config}
            if caller := e164(participant.get("ani")):
                fields["caller_number"] = caller
            try:
                out.events.append(call.call_started(fields))
            except ValidationError as err:  # the integration's customConfig, or the id
                problem = err.errors()[0]
                where = ".".join(map(str, problem["loc"]))
                raise AudioHookError(f"open: {where}: {problem['msg']}") from None
        self.call, self.state = call, "active"
        self.channels = list(media["channels"])
        self.bytes_per_sample = 1 if media["format"] == "PCMU" else 2
        self._reply(out, "opened", {"media": [media], "startPaused": False})

    @staticmethod
    def _select(offers: Any) -> dict[str, Any]:
        """The first offered stereo format we take, else the first single channel one."""
        usable = [
            m
            for m in (offers if isinstance(offers, list) else [])
            if isinstance(m, dict)
            and m.get("type") == "audio"
            and m.get("format") in FORMATS
            and m.get("rate") == RATE
            and isinstance(m.get("channels"), list)
            and 1 <= len(m["channels"]) == len(set(m["channels"])) <= 2
            and set(m["channels"]) <= SPEAKERS.keys()
        ]
        if not usable:
            raise AudioHookError("no offered media is PCMU or L16 at 8000 Hz")
        return max(usable, key=lambda m: len(m["channels"]))

    def _close(self, out: Outcome) -> None:
        self._reply(out, "closed", {})
        self.state = "closed"

    def call_ended(self, at: datetime) -> InputEvent | None:
        """The call's end, once the session is over (none for a probe or a refused session)."""
        return self.call.call_ended(at) if self.call is not None and not self.probe else None
