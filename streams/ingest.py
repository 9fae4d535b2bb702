"""Telephony ingest: live calls from a telephony platform, written as our contract.

``WS /twilio`` takes a Twilio Media Streams fork (``streams.twilio_media``): ``start`` becomes
``call_started`` on ``call-events``, the two tracks become ``call-audio`` chunks for the speech
worker, ``stop`` (or the socket closing) becomes ``call_ended``. The stream authenticates with a
``token`` custom parameter (TwiML ``<Parameter>``), never in the URL, which proxies log.
With a Twilio auth token configured, the handshake must also carry ``X-Twilio-Signature``
(base64 HMAC-SHA1 of the URL Twilio called, keyed with the token), or it is refused with 403.
``POST /calls/{call_id}/events`` takes the events media streams do not carry (``hold_started``,
``hold_ended``, ``call_ended``) as contract JSON, with an ``X-API-Key`` header, so a platform's
webhooks can drive the long-hold detector.

A stream's ``call_ended`` waits ``end_grace_s`` after its last audio: the speech worker is still
turning that audio into the call's last transcripts, and a detection worker ignores what comes
after a call's end.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from agent_assist.clock import Clock, system_clock
from agent_assist.decoding import InvalidEvent, decode_event
from models import InputEvent
from streams.audiohook import AudioHookSession, Outcome
from streams.call_audio import Chunk
from streams.http_signature import signature_problem
from streams.metrics import IngestMetrics
from streams.probes import Readiness, probe_routes
from streams.twilio_media import TwilioCall, TwilioProtocolError, start_parameters

log = logging.getLogger(__name__)

EventSink = Callable[[InputEvent], Awaitable[None]]
ChunkSink = Callable[[Chunk], Awaitable["asyncio.Future[Any]"]]
"""Queues a chunk for the topic; the future it returns is done when the broker has it."""
POSTED_TYPES = ("hold_started", "hold_ended", "call_ended")
"""What the call-event endpoint takes: what media streams cannot say."""
UNAUTHORIZED = 1008  # WebSocket close code "policy violation"
PROTOCOL_ERROR = 1002
CLOSE_WAIT_S = 5.0
"""How long an AudioHook client has to close its socket after our closed or disconnect."""


def create_ingest_app(
    send_event: EventSink,
    send_chunk: ChunkSink,
    api_keys: Sequence[str],
    registry: CollectorRegistry,
    readiness: Readiness,
    chunk_ms: int = 200,
    end_grace_s: float = 3.0,
    twilio_auth_token: str | None = None,
    public_url: str | None = None,
    clock: Clock = system_clock,
    audiohook_secrets: Sequence[bytes] = (),
    audiohook_ping_timeout_s: float = 30.0,
) -> Starlette:
    """The ingest web app; ``api_keys``: any of them opens a stream or posts an event.
    ``public_url``: ingest's ``wss://host`` as Twilio sees it, when a proxy changes it.
    ``audiohook_secrets``: AudioHook client secrets; with any, handshakes must be signed."""
    metrics = IngestMetrics(registry)

    async def send_chunks(platform: str, chunks: list[Chunk], received: float) -> None:
        """``received``: the loop time the frame that completed these chunks arrived."""
        if not chunks:  # most frames only add to a chunk
            return
        loop = asyncio.get_running_loop()

        def on_topic(delivered: "asyncio.Future[Any]") -> None:
            if not delivered.cancelled() and delivered.exception() is None:
                metrics.chunk_latency.labels(platform).observe(loop.time() - received)

        for chunk in chunks:
            (await send_chunk(chunk)).add_done_callback(on_topic)
            metrics.chunks.labels(platform).inc()

    def signed_by_twilio(ws: WebSocket) -> bool:
        if twilio_auth_token is None:
            return True
        base = public_url or f"wss://{ws.headers.get('host', '')}"
        url = base.rstrip("/") + ws.url.path + (f"?{ws.url.query}" if ws.url.query else "")
        digest = hmac.new(twilio_auth_token.encode(), url.encode(), hashlib.sha1).digest()
        given = ws.headers.get("x-twilio-signature", "").encode()
        return hmac.compare_digest(given, base64.b64encode(digest))

    def authorised(key: str | None) -> bool:
        given = (key or "").encode()
        return any(hmac.compare_digest(given, k.encode()) for k in api_keys)

    async def twilio(ws: WebSocket) -> None:
        if not signed_by_twilio(ws):
            metrics.sessions.labels("twilio", "refused").inc()
            await ws.close(UNAUTHORIZED)  # before accepting: the handshake gets 403
            return
        await ws.accept()
        metrics.streams.labels("twilio").inc()
        call: TwilioCall | None = None
        outcome = "completed"
        loop = asyncio.get_running_loop()
        try:
            async for text in ws.iter_text():
                received = loop.time()
                frame = json.loads(text)
                event = frame.get("event") if isinstance(frame, dict) else None
                if event == "start" and call is None:
                    call_id, parameters = start_parameters(frame)
                    if not authorised(parameters.get("token")):
                        outcome = "refused"
                        await ws.close(UNAUTHORIZED, "unauthorized")
                        return
                    call = TwilioCall(call_id, clock(), chunk_ms)
                    await send_event(call.call_started(parameters))
                    log.info("twilio stream started for call %s", call_id)
                elif event == "media":
                    if call is None:
                        raise TwilioProtocolError("media before start")
                    await send_chunks("twilio", call.media(frame), received)
                elif event == "stop":
                    break
                elif event not in ("connected", "mark", "dtmf", "start"):
                    raise TwilioProtocolError(f"unknown event {event!r}")
        except ValueError as err:  # bad JSON, a frame off the protocol, an invalid event
            outcome = "protocol_error"
            log.warning("twilio stream closed: %s", err)
            reason = str(err).encode()[:120].decode(errors="ignore")  # a close reason: 123 bytes
            await ws.close(PROTOCOL_ERROR, reason)
        except WebSocketDisconnect:
            pass
        finally:
            metrics.streams.labels("twilio").dec()
            metrics.sessions.labels("twilio", outcome).inc()
            if call is not None:
                ended = clock()
                await send_chunks("twilio", call.stop(), loop.time())
                metrics.filled.labels("twilio").inc(call.filled_ms / 1000)
                await asyncio.sleep(end_grace_s)
                await send_event(call.call_ended(ended))
                log.info("twilio stream ended for call %s (%s)", call.call_id, outcome)

    def audiohook_refusal(ws: WebSocket) -> str | None:
        headers = {k.lower(): v for k, v in ws.headers.items()}
        if not authorised(headers.get("x-api-key")):
            return "missing or unknown X-API-Key"
        if not audiohook_secrets:
            return None
        target = ws.url.path + (f"?{ws.url.query}" if ws.url.query else "")
        return signature_problem(headers, target, audiohook_secrets, clock().timestamp())

    async def audiohook(ws: WebSocket) -> None:
        await ws.accept()  # a refusal is a protocol message, not a dropped socket
        metrics.streams.labels("audiohook").inc()
        session = AudioHookSession(
            ws.headers.get("audiohook-session-id", ""),
            ws.headers.get("audiohook-organization-id"),
            chunk_ms,
        )

        async def carry_out(outcome: Outcome, received: float | None = None) -> None:
            """``received``: when the message it answers arrived (none: now)."""
            for event in outcome.events:
                await send_event(event)
            await send_chunks("audiohook", outcome.chunks, received or loop.time())
            for reply in outcome.replies:
                await ws.send_text(json.dumps(reply))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + audiohook_ping_timeout_s
        try:
            if problem := audiohook_refusal(ws):
                log.warning("audiohook session %s refused: %s", session.id, problem)
                await carry_out(session.disconnect("unauthorized", problem, "refused"))
            while True:
                try:
                    message = await asyncio.wait_for(
                        ws.receive(), timeout=max(deadline - loop.time(), 0.01)
                    )
                except TimeoutError:
                    if session.state in ("closed", "disconnecting"):
                        break  # it did not close after our closed or disconnect
                    info = f"no ping for {audiohook_ping_timeout_s:g} s"
                    await carry_out(session.disconnect("error", info, "timeout"))
                    deadline = loop.time() + audiohook_ping_timeout_s
                    continue
                received = loop.time()
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(message.get("code", 1000))
                if message.get("bytes") is not None:
                    await carry_out(session.audio(message["bytes"]), received)
                    continue
                outcome = session.text(message.get("text") or "", clock())
                if any(reply["type"] in ("pong", "opened") for reply in outcome.replies):
                    deadline = loop.time() + audiohook_ping_timeout_s
                if outcome.events:
                    log.info("audiohook session %s opened call %s", session.id, session.call_id)
                await carry_out(outcome, received)
                if session.state == "closed":  # the client closes the socket next
                    deadline = loop.time() + CLOSE_WAIT_S
            await ws.close()
        except WebSocketDisconnect:
            pass
        finally:
            metrics.streams.labels("audiohook").dec()
            counted = "probe" if session.probe else session.outcome
            metrics.sessions.labels("audiohook", counted).inc()
            ended = clock()
            await send_chunks("audiohook", session.end(), loop.time())
            if (end := session.call_ended(ended)) is not None:
                await asyncio.sleep(end_grace_s)
                await send_event(end)
                log.info("audiohook session %s ended (%s)", session.id, counted)

    async def call_event(request: Request) -> Response:
        if not authorised(request.headers.get("x-api-key")):
            metrics.call_events.labels("refused").inc()
            return JSONResponse({"error": "missing or wrong X-API-Key"}, status_code=403)
        try:
            event = decode_event(await request.body())
        except InvalidEvent as err:
            metrics.call_events.labels("invalid").inc()
            return JSONResponse({"error": str(err)}, status_code=422)
        problem = None
        if event.type not in POSTED_TYPES:
            problem = f"type: only {', '.join(POSTED_TYPES)} are taken here"
        elif event.call_id != request.path_params["call_id"]:
            problem = "call_id: differs from the one in the path"
        if problem:
            metrics.call_events.labels("invalid").inc()
            return JSONResponse({"error": problem}, status_code=422)
        await send_event(event)
        metrics.call_events.labels("accepted").inc()
        return JSONResponse({"status": "accepted"}, status_code=202)

    routes: list[Any] = [
        WebSocketRoute("/twilio", twilio),
        WebSocketRoute("/audiohook", audiohook),
        Route("/calls/{call_id}/events", call_event, methods=["POST"]),
        *probe_routes(registry, readiness),
    ]
    return Starlette(routes=routes)
