"""The HTTP side of every worker: ``/metrics``, ``/healthz`` and ``/readyz``.

``/healthz`` answers while the process's event loop runs (a liveness probe: restart me if not).
``/readyz`` answers 200 only once the worker holds its partitions and has recovered its tables
(a readiness probe, and what a rolling upgrade waits for before stopping the next worker).
"""

from collections.abc import Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Readiness = Callable[[], tuple[bool, dict[str, Any]]]
"""Returns (ready, details shown in the /readyz body)."""


HEALTHY = {"status": "alive"}


def metrics_payload(registry: CollectorRegistry) -> tuple[bytes, str]:
    """The /metrics body and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def readiness_payload(readiness: Readiness) -> tuple[int, dict[str, Any]]:
    """The /readyz status code and body."""
    ready, details = readiness()
    return (200 if ready else 503), {"status": "ready" if ready else "not ready", **details}


def probe_app(registry: CollectorRegistry, readiness: Readiness) -> web.Application:
    """The probes on aiohttp, for the workers (the web apps take ``probe_routes``)."""

    async def metrics(_: web.Request) -> web.Response:
        body, content_type = metrics_payload(registry)
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response(HEALTHY)

    async def readyz(_: web.Request) -> web.Response:
        status, body = readiness_payload(readiness)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def probe_routes(registry: CollectorRegistry, readiness: Readiness) -> list[Route]:
    """The probes as Starlette routes, for the desktop gateway and ingest."""

    async def metrics(_: Request) -> Response:
        body, content_type = metrics_payload(registry)
        return Response(body, headers={"Content-Type": content_type})

    async def healthz(_: Request) -> Response:
        return JSONResponse(HEALTHY)

    async def readyz(_: Request) -> Response:
        status, body = readiness_payload(readiness)
        return JSONResponse(body, status_code=status)

    return [Route("/metrics", metrics), Route("/healthz", healthz), Route("/readyz", readyz)]


async def start_probes(
    registry: CollectorRegistry, readiness: Readiness, host: str, port: int
) -> web.AppRunner:
    """Serve the probes on host:port; ``await runner.cleanup()`` stops them."""
    runner = web.AppRunner(probe_app(registry, readiness), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
