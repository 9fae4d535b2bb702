"""The ingest app in-process (no broker): the Twilio signature on the WebSocket handshake."""

import asyncio
import base64
import hashlib
import hmac
import json

import pytest
from prometheus_client import CollectorRegistry
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from models import InputEvent
from streams.call_audio import Chunk
from streams.ingest import create_ingest_app

TOKEN = "twilio-auth-token"
START = {"event": "start", "start": {"callSid": "CA1", "customParameters": {"token": "k"}}}


def client(
    public_url: str | None = None, registry: CollectorRegistry | None = None
) -> tuple[TestClient, list[InputEvent | Chunk]]:
    sent: list[InputEvent | Chunk] = []

    async def keep(item: InputEvent) -> None:
        sent.append(item)

    async def keep_chunk(chunk: Chunk) -> "asyncio.Future[None]":
        sent.append(chunk)
        on_topic = asyncio.get_running_loop().create_future()
        on_topic.set_result(None)
        return on_topic

    app = create_ingest_app(
        keep,
        keep_chunk,
        ["k"],
        registry or CollectorRegistry(),
        lambda: (True, {}),
        end_grace_s=0,
        twilio_auth_token=TOKEN,
        public_url=public_url,
    )
    return TestClient(app), sent


def signature(url: str, token: str = TOKEN) -> str:
    return base64.b64encode(hmac.new(token.encode(), url.encode(), hashlib.sha1).digest()).decode()


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": signature("wss://testserver/twilio", "another-token")}],
)
def test_a_handshake_without_a_valid_twilio_signature_is_refused(headers: dict) -> None:
    test, sent = client()
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        test.websocket_connect("/twilio", headers=headers),
    ):
        pass
    assert refused.value.code == 1008 and sent == []


@pytest.mark.parametrize(
    "public_url,signed_url",
    [
        (None, "wss://testserver/twilio"),
        ("wss://ingest.example.com/", "wss://ingest.example.com/twilio"),
    ],
)
def test_a_signed_stream_goes_through(public_url: str | None, signed_url: str) -> None:
    test, sent = client(public_url)
    headers = {"X-Twilio-Signature": signature(signed_url)}
    with test.websocket_connect("/twilio", headers=headers) as ws:
        ws.send_text(json.dumps(START))
        ws.send_text(json.dumps({"event": "stop"}))
    types = [getattr(item, "type", "chunk") for item in sent]
    assert types[0] == "call_started" and types[-1] == "call_ended"


def test_each_chunk_on_the_topic_is_timed_from_the_frame_that_completed_it() -> None:
    registry = CollectorRegistry()
    test, sent = client(registry=registry)
    headers = {"X-Twilio-Signature": signature("wss://testserver/twilio")}
    payload = base64.b64encode(bytes(160)).decode()
    with test.websocket_connect("/twilio", headers=headers) as ws:
        ws.send_text(json.dumps(START))
        for at in range(0, 300, 20):  # 300 ms per track: one whole 200 ms chunk and a part
            for track in ("inbound", "outbound"):
                media = {"track": track, "timestamp": str(at), "payload": payload}
                ws.send_text(json.dumps({"event": "media", "media": media}))
        ws.send_text(json.dumps({"event": "stop"}))
    chunks = sum(isinstance(item, Chunk) for item in sent)
    timed = registry.get_sample_value(
        "agent_assist_ingest_chunk_latency_seconds_count", {"platform": "twilio"}
    )
    within = registry.get_sample_value(
        "agent_assist_ingest_chunk_latency_seconds_bucket", {"platform": "twilio", "le": "0.5"}
    )
    assert chunks == 4 and timed == 4 and within == 4
