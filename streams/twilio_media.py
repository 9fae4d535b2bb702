"""Twilio Media Streams (a ``<Start><Stream>`` fork) turned into our call events and audio chunks.

Twilio sends JSON text frames: ``connected``, ``start`` (call SID, tracks, the TwiML
``<Parameter>`` values), ``media`` (20 ms of base64 G.711 mu-law at 8 kHz, ``track``
``inbound`` = the caller, ``outbound`` = the agent, ``timestamp`` = ms since the stream began,
as a string) and ``stop``. Each track becomes its own ``call-audio`` channel
(``streams.call_audio``), placed by the frames' timestamps. Pure: no I/O, no clock.
"""

import base64
from typing import Any

from streams.call_audio import CallAudio, Chunk

SPEAKERS = {"inbound": "customer", "outbound": "agent"}


class TwilioProtocolError(ValueError):
    """A frame that does not follow Media Streams; the session is closed with it."""


def start_parameters(frame: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The call SID and the custom parameters of a ``start`` frame."""
    try:
        start = frame["start"]
        return str(start["callSid"]), {str(k): str(v) for k, v in start["customParameters"].items()}
    except (KeyError, TypeError, AttributeError) as err:
        raise TwilioProtocolError(f"start frame without {err}") from None


class TwilioCall(CallAudio):
    """One stream: its ``media`` frames in, chunks out."""

    def media(self, frame: dict[str, Any]) -> list[Chunk]:
        """Take a ``media`` frame; return the chunks it completes."""
        try:
            media = frame["media"]
            speaker = SPEAKERS[media["track"]]
            at_ms = int(media["timestamp"])
            audio = base64.b64decode(media["payload"], validate=True)
        except (KeyError, TypeError, ValueError) as err:
            raise TwilioProtocolError(f"media frame: {err!r}") from None
        return self.add(speaker, at_ms, audio)
