"""The HTTP side of every worker: ``/metrics``, ``/healthz`` and ``/readyz``.

``/healthz`` answers while the process's event loop runs (a liveness probe: restart me if not).
``/readyz`` answers 200 only once the worker holds its partitions and has recovered its tables
(a readiness probe, and what a rolling upgrade waits for before stopping the next worker).
"""

from collections.abc import Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

Readiness = Callable[[], tuple[bool, dict[str, Any]]]
"""Returns (ready, details shown in the /readyz body)."""


def probe_app(registry: CollectorRegistry, readiness: Readiness) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(_: web.Request) -> web.Response:
        ready, details = readiness()
        body = {"status": "ready" if ready else "not ready", **details}
        return web.json_response(body, status=200 if ready else 503)

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def start_probes(
    registry: CollectorRegistry, readiness: Readiness, host: str, port: int
) -> web.AppRunner:
    """Serve the probes on host:port; ``await runner.cleanup()`` stops them."""
    runner = web.AppRunner(probe_app(registry, readiness), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
