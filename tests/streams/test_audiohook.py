"""Genesys AudioHook sessions and handshake signatures, in-process (no broker, no socket)."""

import base64
import hashlib
import hmac
import json
from array import array
from datetime import UTC, datetime
from typing import Any

import pytest

from streams.audiohook import PROBE_CONVERSATION, AudioHookSession, e164
from streams.http_signature import signature_problem

SESSION = "6c4d1e8a-3f4b-4a7e-9c1d-2b3a4c5d6e7f"
ORG = "d7934305-0972-4844-938e-9060eef73d05"
CALL = "90e4ad34-4a1f-4d68-8a1c-1b7e3b4f0c11"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STEREO = {"type": "audio", "format": "PCMU", "channels": ["external", "internal"], "rate": 8000}


class Client:
    """Builds client messages with the sequence numbers a well-behaved client would use."""

    def __init__(self, session: AudioHookSession) -> None:
        self.session, self.seq = session, 0

    def send(self, kind: str, **parameters: Any) -> list[dict[str, Any]]:
        self.seq += 1
        message = {
            "version": "2",
            "type": kind,
            "id": SESSION,
            "seq": self.seq,
            "serverseq": self.session.seq,
            "position": "PT0S",
            "parameters": parameters,
        }
        return self.session.text(json.dumps(message), NOW).replies

    def open(self, conversation: str = CALL, media: list[Any] | None = None) -> dict[str, Any]:
        self.seq += 1
        parameters = {
            "organizationId": ORG,
            "conversationId": conversation,
            "participant": {"id": "p", "ani": "tel:+15555551234", "aniName": "", "dnis": ""},
            "media": [STEREO] if media is None else media,
            "customConfig": {"agent_id": "agent-ann", "queue": "billing"},
        }
        message = {
            "version": "2",
            "type": "open",
            "id": SESSION,
            "seq": self.seq,
            "serverseq": 0,
            "position": "PT0S",
            "parameters": parameters,
        }
        outcome = self.session.text(json.dumps(message), NOW)
        return {"replies": outcome.replies, "events": outcome.events}


@pytest.fixture
def client() -> Client:
    return Client(AudioHookSession(SESSION, ORG, chunk_ms=200))


def test_open_picks_a_stereo_offer_and_starts_the_call(client: Client) -> None:
    mono = STEREO | {"channels": ["external"]}
    opus = STEREO | {"format": "opus"}
    opened = client.open(media=[opus, mono, STEREO])
    [reply] = opened["replies"]
    assert reply["type"] == "opened" and reply["seq"] == 1 and reply["clientseq"] == 1
    assert reply["parameters"]["media"] == [STEREO] and reply["id"] == SESSION
    [started] = opened["events"]
    assert started.call_id == CALL and started.ts == NOW
    assert (started.agent_id, started.queue) == ("agent-ann", "billing")
    assert started.caller_number == "+15555551234"


def test_ping_gets_pong_and_close_gets_closed_with_sequence_numbers(client: Client) -> None:
    client.open()
    [pong] = client.send("ping")
    assert (pong["type"], pong["seq"], pong["clientseq"]) == ("pong", 2, 2)
    [updated] = client.send("update", language="en-US")
    assert updated["type"] == "updated"
    [closed] = client.send("close", reason="end")
    assert (closed["type"], closed["seq"], closed["clientseq"]) == ("closed", 4, 4)
    assert client.session.state == "closed" and client.session.outcome == "completed"


def test_stereo_frames_become_each_sides_chunks_in_call_time(client: Client) -> None:
    client.open()
    customer, agent = bytes(range(0, 200, 2)) * 8, bytes(range(1, 200, 2)) * 8  # 100 ms each
    frame = bytes(b for pair in zip(customer, agent, strict=True) for b in pair)
    assert client.session.audio(frame).chunks == []
    chunks = client.session.audio(frame).chunks  # 200 ms: a chunk per side
    by_side = {c.meta.speaker: c for c in chunks}
    assert by_side["customer"].audio == customer * 2 and by_side["agent"].audio == agent * 2
    assert {c.meta.offset_ms for c in chunks} == {0} and {c.meta.encoding for c in chunks} == {
        "mulaw"
    }
    ends = client.session.end()
    assert {c.meta.speaker for c in ends} == {"customer", "agent"}
    assert all(c.meta.end_of_stream and c.meta.offset_ms == 200 for c in ends)


def test_l16_mono_is_taken_as_little_endian_samples(client: Client) -> None:
    client.open(media=[STEREO | {"format": "L16", "channels": ["internal"]}])
    samples = array("h", range(-800, 800))  # 200 ms
    [chunk] = client.session.audio(samples.tobytes()).chunks
    assert chunk.meta.speaker == "agent" and chunk.meta.encoding == "pcm_s16le"
    assert array("h", chunk.audio) == samples


def test_audio_discarded_in_a_pause_moves_later_words_to_their_call_time(client: Client) -> None:
    client.open(media=[STEREO | {"channels": ["external"]}])
    client.session.audio(b"\x7f" * 1600)  # 200 ms
    client.send("paused")
    client.send("resumed", start="PT0.2S", discarded="PT3.0S")
    [chunk] = client.session.audio(b"\x7f" * 1600).chunks
    assert chunk.meta.offset_ms == 3200


def test_a_connection_probe_is_answered_and_writes_nothing(client: Client) -> None:
    opened = client.open(conversation=PROBE_CONVERSATION)
    assert [r["type"] for r in opened["replies"]] == ["opened"] and opened["events"] == []
    assert client.session.audio(b"\xff" * 3200).chunks == []
    assert client.session.end() == [] and client.session.call_ended(NOW) is None


@pytest.mark.parametrize(
    ("mangle", "info"),
    [
        (lambda m: m | {"seq": 5}, "seq 5 after 1"),
        (lambda m: m | {"serverseq": 9}, "serverseq 9"),
        (lambda m: m | {"id": "another"}, "session id"),
        (lambda m: m | {"version": "1"}, "version"),
        (lambda m: m | {"type": "opened"}, "not a client message"),
        (lambda m: m | {"position": "7 s"}, "not a duration"),
    ],
)
def test_a_message_off_the_protocol_gets_disconnect_error(
    client: Client, mangle: Any, info: str
) -> None:
    client.open()
    message = {
        "version": "2",
        "type": "ping",
        "id": SESSION,
        "seq": 2,
        "serverseq": 1,
        "position": "PT0S",
        "parameters": {},
    }
    [reply] = client.session.text(json.dumps(mangle(message)), NOW).replies
    assert reply["type"] == "disconnect" and reply["parameters"]["reason"] == "error"
    assert info in reply["parameters"]["info"]
    assert client.session.outcome == "protocol_error"
    # The client answers with close, and is told closed.
    client.seq = 2
    assert [r["type"] for r in client.send("close", reason="disconnect")] == ["closed"]


def test_malformed_json_unknown_media_and_audio_before_open_disconnect(client: Client) -> None:
    [reply] = client.session.text("{not json", NOW).replies
    assert reply["parameters"] == {
        "reason": "error",
        "info": "Client Error: message not valid JSON",
    }
    other = Client(AudioHookSession(SESSION, ORG))
    [reply] = other.open(media=[STEREO | {"format": "opus"}])["replies"]
    assert reply["type"] == "disconnect" and "no offered media" in reply["parameters"]["info"]
    early = AudioHookSession(SESSION, ORG)
    [reply] = early.audio(b"\xff" * 160).replies
    assert "audio in state preparing" in reply["parameters"]["info"]


def test_caller_numbers_are_read_as_e164_or_left_out() -> None:
    assert e164("tel:+44 20 7946 0958") == "+442079460958"
    assert e164("+1-555-555-1234") == "+15555551234"
    assert e164("") is None and e164("anonymous") is None and e164(None) is None


# --- the handshake signature -----------------------------------------------------------------

SECRET = b"0123456789abcdef0123456789abcdef"
CREATED = 1_764_579_600


def handshake(
    secret: bytes,
    created: int,
    key: str = "key-1",
    session: str = SESSION,
    host: str = "ingest.example.com",
    target: str = "/audiohook",
    nonce: str = "bm9uY2Utbm9uY2Utbm9uY2Ut",
) -> dict[str, str]:
    """Handshake headers signed the way the reference client's SignatureBuilder signs them."""
    headers = {
        "audiohook-organization-id": ORG,
        "audiohook-session-id": session,
        "audiohook-correlation-id": "c0rr",
        "x-api-key": key,
    }
    covered = {"@request-target": target, "@authority": host, **headers}
    params = (
        "(" + " ".join(f'"{name}"' for name in covered) + ")"
        f';keyid="{key}";nonce="{nonce}";alg="hmac-sha256";created={created}'
        f";expires={created + 30}"
    )
    lines = [f'"{name}": {value}' for name, value in covered.items()]
    base = "\n".join([*lines, f'"@signature-params": {params}'])
    mac = base64.b64encode(hmac.new(secret, base.encode(), hashlib.sha256).digest()).decode()
    return headers | {"signature-input": f"sig1={params}", "signature": f"sig1=:{mac}:"}


def signed(secret: bytes = SECRET, created: int = CREATED, **change: str) -> dict[str, str]:
    nonce = change.pop("nonce", "bm9uY2Utbm9uY2Utbm9uY2Ut")
    headers = handshake(secret, created, nonce=nonce) | {"host": "ingest.example.com"}
    return headers | change


def test_a_signature_by_a_known_secret_holds_through_a_rotation() -> None:
    assert signature_problem(signed(), "/audiohook", [SECRET], CREATED + 1) is None
    assert signature_problem(signed(), "/audiohook", [b"new", SECRET], CREATED + 1) is None


@pytest.mark.parametrize(
    ("headers", "target", "now", "problem"),
    [
        (signed(secret=b"other"), "/audiohook", CREATED, "signature does not match"),
        (signed(), "/elsewhere", CREATED, "signature does not match"),
        (signed(**{"audiohook-session-id": "x"}), "/audiohook", CREATED, "does not match"),
        (signed(), "/audiohook", CREATED + 60, "expired"),
        (signed(created=CREATED + 60), "/audiohook", CREATED, "in the future"),
        (signed(nonce="short"), "/audiohook", CREATED, "nonce"),
        (signed(**{"x-api-key": "key-2"}), "/audiohook", CREATED, "keyid differs"),
        ({"x-api-key": "key-1"}, "/audiohook", CREATED, "unsigned"),
        (signed(signature="sig1=AAA"), "/audiohook", CREATED, "byte sequence"),
        (signed(signature="sig1=:AA"), "/audiohook", CREATED, "malformed"),
    ],
)
def test_a_signature_that_does_not_hold_says_why(
    headers: dict[str, str], target: str, now: int, problem: str
) -> None:
    assert problem in (signature_problem(headers, target, [SECRET], now) or "")


def test_a_discarded_report_in_a_pause_keeps_the_pause(client: Client) -> None:
    client.open()
    client.send("paused")
    client.send("discarded", start="PT0S", discarded="PT1.0S")
    assert client.session.state == "paused"
    [reply] = client.session.audio(b"\xff" * 320).replies  # audio while paused
    assert "audio in state paused" in reply["parameters"]["info"]


def test_a_custom_config_the_contract_refuses_disconnects_naming_the_field() -> None:
    client = Client(AudioHookSession(SESSION, ORG))
    client.seq = 1
    message = {
        "version": "2",
        "type": "open",
        "id": SESSION,
        "seq": 1,
        "serverseq": 0,
        "position": "PT0S",
        "parameters": {
            "organizationId": ORG,
            "conversationId": CALL,
            "participant": {"id": "p", "ani": "", "aniName": "", "dnis": ""},
            "media": [STEREO],
            "customConfig": {"agent_id": "a" * 1000},
        },
    }
    [reply] = client.session.text(json.dumps(message), NOW).replies
    assert reply["type"] == "disconnect" and reply["seq"] == 1
    assert "agent_id" in reply["parameters"]["info"]
