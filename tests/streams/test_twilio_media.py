"""Twilio Media Streams frames to call-audio chunks: tracks, chunking, lost frames, bad frames."""

import base64
from datetime import UTC, datetime

import pytest

from models import AudioChunk
from streams.twilio_media import TwilioCall, TwilioProtocolError, start_parameters

T0 = datetime(2026, 11, 30, 9, tzinfo=UTC)
FRAME = 160  # 20 ms of 8 kHz mu-law


def media(track: str, at_ms: int, byte: int = 0x55) -> dict:
    payload = base64.b64encode(bytes([byte]) * FRAME).decode()
    return {
        "event": "media",
        "media": {"track": track, "timestamp": str(at_ms), "payload": payload},
    }


def test_each_track_becomes_its_channel_in_chunks_placed_in_call_time() -> None:
    call = TwilioCall("CA1", T0, chunk_ms=100)
    chunks = []
    for at in range(0, 200, 20):
        chunks += call.media(media("inbound", at)) + call.media(media("outbound", at, 0x66))
    assert [(c.meta.speaker, c.meta.seq, c.meta.offset_ms) for c in chunks] == [
        ("customer", 0, 0),
        ("agent", 0, 0),
        ("customer", 1, 100),
        ("agent", 1, 100),
    ]
    assert all(len(c.audio) == 800 and c.meta.encoding == "mulaw" for c in chunks)
    assert set(chunks[1].audio) == {0x66}
    [last_customer, last_agent] = call.stop()
    assert last_customer.meta.end_of_stream and last_customer.audio == b""
    assert (last_agent.meta.seq, last_agent.meta.offset_ms) == (2, 200)


def test_a_short_loss_is_silence_a_long_one_starts_a_chunk_at_its_own_time() -> None:
    call = TwilioCall("CA2", T0, chunk_ms=200)
    call.media(media("inbound", 0))
    call.media(media("inbound", 60))  # 40 ms lost
    [chunk] = call.media(media("inbound", 1000))  # 900 ms lost: flush, restart at 1000
    assert chunk.meta.offset_ms == 0
    assert chunk.audio == b"\x55" * FRAME + b"\xff" * 320 + b"\x55" * FRAME
    [rest] = call.stop()
    assert (rest.meta.offset_ms, len(rest.audio), rest.meta.end_of_stream) == (1000, FRAME, True)
    assert call.filled_ms == 960  # 40 ms, then 920 ms


def test_a_repeated_frame_is_dropped() -> None:
    call = TwilioCall("CA3", T0, chunk_ms=200)
    call.media(media("outbound", 0))
    call.media(media("outbound", 0, 0x11))
    [chunk] = call.stop()
    assert chunk.audio == b"\x55" * FRAME


def test_headers_read_back_as_the_audio_contract() -> None:
    call = TwilioCall("CA4", T0, chunk_ms=20)
    [chunk] = call.media(media("inbound", 0))
    headers = {k: v.decode() for k, v in chunk.headers()}
    assert AudioChunk.model_validate(headers) == chunk.meta
    assert headers["end_of_stream"] == "0"


def test_the_start_frame_gives_the_call_and_its_parameters() -> None:
    frame = {
        "event": "start",
        "start": {"callSid": "CA5", "customParameters": {"agent_id": "ann", "queue": "billing"}},
    }
    call_id, parameters = start_parameters(frame)
    started = TwilioCall(call_id, T0).call_started(parameters)
    assert (started.call_id, started.agent_id, started.queue, started.ts) == (
        "CA5",
        "ann",
        "billing",
        T0,
    )


@pytest.mark.parametrize(
    "frame",
    [
        {"event": "media"},
        {"event": "media", "media": {"track": "both", "timestamp": "0", "payload": ""}},
        {"event": "media", "media": {"track": "inbound", "timestamp": "x", "payload": ""}},
        {"event": "media", "media": {"track": "inbound", "timestamp": "0", "payload": "!!"}},
    ],
)
def test_bad_media_frames_are_protocol_errors(frame: dict) -> None:
    with pytest.raises(TwilioProtocolError):
        TwilioCall("CA6", T0).media(frame)
    with pytest.raises(TwilioProtocolError):
        start_parameters({"event": "start", "start": {}})
