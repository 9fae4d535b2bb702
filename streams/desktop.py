"""The agent desktop gateway: each agent's live prompts in the browser, over Server-Sent Events.

``GET /agents/{agent_id}?token=...`` is the page; it follows ``/agents/{agent_id}/events``.
Each SSE event carries an id (``<gateway epoch>:<sequence>``): a browser that reconnects sends
the last one back (``Last-Event-ID``) and gets exactly what it missed; after a gateway restart
(another epoch) it gets the agent's kept events again and the page skips prompts it already
shows. The token (``streams.desk_links``) opens one agent's desk, never another's, for one shift;
a page's stream ends when its token expires. The integrator's desktop, which knows who is logged
in, builds the link (``agent-assist desktop-link``). Feedback clicks become ``guidance_feedback``
events.
"""

import asyncio
import html
import json
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote

from prometheus_client import CollectorRegistry
from pydantic import BaseModel, ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from agent_assist.clock import Clock, system_clock
from agent_assist.desk import DeskEvent, DeskFeed
from agent_assist.replay import Ignored
from models import (
    FeedbackAction,
    Guidance,
    GuidanceCleared,
    GuidanceFeedback,
    InputEvent,
    OutputEvent,
)
from streams.desk_links import LINK_TTL, DeskKeys, LinkProblem, expires_at
from streams.metrics import DesktopMetrics
from streams.probes import Readiness, probe_routes

FeedbackSink = Callable[[GuidanceFeedback], Awaitable[None]]
RECONNECT_MS = 1000
"""How soon a browser reconnects after losing the stream."""
PING_S = 15
"""Keep-alive comments, so proxies do not close an idle stream."""
PAGE_BACKLOG = 1000
"""Events waiting for a slow page; beyond that its stream is closed and it resumes by id."""
STATIC = resources.files("streams").joinpath("static")


class DeskHub:
    """The desk feed plus the open pages, one queue per page."""

    def __init__(self, feed: DeskFeed, metrics: DesktopMetrics):
        self.feed, self.metrics = feed, metrics
        self.epoch = secrets.token_hex(4)
        self.pages: dict[str, set[asyncio.Queue[DeskEvent]]] = {}
        self.overflowed: set[asyncio.Queue[DeskEvent]] = set()
        self.first_page = asyncio.Event()

    def publish(self, item: InputEvent | OutputEvent | Ignored) -> None:
        """Take a call event or an output event and push what it means to the open pages."""
        if isinstance(item, Ignored):
            return
        if isinstance(item, Guidance | GuidanceCleared):
            events = self.feed.on_output(item)
        else:
            events = self.feed.on_input(item)
        for event in events:
            for queue in self.pages.get(event.agent_id, ()):
                try:
                    queue.put_nowait(event)
                except asyncio.QueueFull:
                    self.overflowed.add(queue)

    @contextmanager
    def page(self, agent_id: str) -> Iterator[asyncio.Queue[DeskEvent]]:
        queue: asyncio.Queue[DeskEvent] = asyncio.Queue(PAGE_BACKLOG)
        self.pages.setdefault(agent_id, set()).add(queue)
        self.metrics.pages.inc()
        self.first_page.set()
        try:
            yield queue
        finally:
            self.pages[agent_id].discard(queue)
            self.overflowed.discard(queue)
            self.metrics.pages.dec()

    def event_id(self, event: DeskEvent) -> str:
        return f"{self.epoch}:{event.id}"

    def resume_after(self, last_event_id: str | None) -> int:
        """The sequence number to resume after; 0 (everything) for another gateway's id."""
        epoch, _, seq = (last_event_id or "").partition(":")
        valid = epoch == self.epoch and seq.isascii() and seq.isdecimal()
        return int(seq) if valid else 0


class FeedbackRequest(BaseModel):
    prompt_id: str
    action: FeedbackAction


def create_desktop_app(
    hub: DeskHub,
    sink: FeedbackSink,
    keys: DeskKeys,
    registry: CollectorRegistry,
    readiness: Readiness,
    index_agents: list[str] | None = None,
    clock: Clock = system_clock,
    link_ttl: timedelta = LINK_TTL,
) -> Starlette:
    """The gateway's web app. ``index_agents``: list links to these agents on ``/`` (demo),
    valid for ``link_ttl``."""

    desk_page = STATIC.joinpath("desk.html").read_text()
    index_page = STATIC.joinpath("index.html").read_text()

    def refusal(request: Request) -> LinkProblem | None:
        token = request.query_params.get("token", "")
        return keys.problem(token, request.path_params["agent_id"], clock())

    def forbidden(problem: LinkProblem) -> JSONResponse:
        return JSONResponse({"error": problem.value}, status_code=403)

    async def page(request: Request) -> Response:
        if refused := refusal(request):
            notice = f'<p id="link-problem">{html.escape(refused.value)}</p>'
            return HTMLResponse(notice, status_code=403)
        return HTMLResponse(desk_page)

    async def events(request: Request) -> Response:
        if refused := refusal(request):
            return forbidden(refused)
        agent_id: str = request.path_params["agent_id"]
        expiry = expires_at(request.query_params["token"]) or 0
        last_id = request.headers.get("last-event-id") or request.query_params.get("last_id")
        after = hub.resume_after(last_id)

        async def stream() -> Any:
            with hub.page(agent_id) as queue:
                sent = after
                for event in hub.feed.since(agent_id, after):
                    sent = event.id
                    yield sse(event)
                while True:
                    try:  # at the link's expiry the page reconnects and is refused
                        left = expiry - clock().timestamp()
                        event = await asyncio.wait_for(queue.get(), max(left, 0))
                    except TimeoutError:
                        return
                    if queue in hub.overflowed:
                        return  # the page reconnects and resumes after ``sent``
                    if event.id > sent:
                        sent = event.id
                        yield sse(event)

        def sse(event: DeskEvent) -> ServerSentEvent:
            return ServerSentEvent(
                data=json.dumps(event.data),
                event=event.kind,
                id=hub.event_id(event),
                retry=RECONNECT_MS,
            )

        return EventSourceResponse(stream(), ping=PING_S)

    async def feedback(request: Request) -> Response:
        if refused := refusal(request):
            return forbidden(refused)
        agent_id: str = request.path_params["agent_id"]
        try:
            asked = FeedbackRequest.model_validate_json(await request.body())
        except ValidationError as err:
            problem = err.errors()[0]
            field = ".".join(map(str, problem["loc"])) or "body"
            return JSONResponse({"error": f"{field}: {problem['msg']}"}, status_code=422)
        prompt = hub.feed.prompt(asked.prompt_id)
        if prompt is None or prompt.agent_id != agent_id:
            return JSONResponse({"error": "no such prompt for this agent"}, status_code=404)
        if not hub.feed.note_feedback(asked.prompt_id, asked.action):
            return JSONResponse({"status": "already recorded"}, status_code=200)
        event = GuidanceFeedback.model_validate(
            {
                "prompt_id": asked.prompt_id,
                "call_id": prompt.call_id,
                "agent_id": agent_id,
                "kind": prompt.kind,
                "action": asked.action,
                "ts": clock(),
            }
        )
        await sink(event)
        hub.metrics.feedback.labels(prompt.kind, asked.action).inc()
        return JSONResponse(event.model_dump(mode="json"), status_code=201)

    async def index(_: Request) -> Response:
        if index_agents is None:
            return HTMLResponse("<p>Open your desk through the link your desktop gives you.</p>")
        expires = clock() + link_ttl
        links = "".join(
            f'<li><a href="/agents/{quote(a, safe="")}?token={keys.token(a, expires)}">'
            f"{html.escape(a)}</a></li>"
            for a in index_agents
        )
        return HTMLResponse(index_page.replace("{links}", links))

    return Starlette(
        routes=[
            Route("/", index),
            Route("/agents/{agent_id}", page),
            Route("/agents/{agent_id}/events", events),
            Route("/agents/{agent_id}/feedback", feedback, methods=["POST"]),
            *probe_routes(registry, readiness),
            Mount("/static", StaticFiles(packages=[("streams", "static")]), name="static"),
        ]
    )
