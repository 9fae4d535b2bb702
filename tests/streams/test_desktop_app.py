"""The desktop gateway's web app in-process (no broker, no browser): links, feedback, resume."""

from datetime import UTC, datetime

import httpx
from prometheus_client import CollectorRegistry

from agent_assist.desk import DeskFeed
from models import Guidance, GuidanceFeedback
from streams.desktop import DeskHub, create_desktop_app, desk_token
from streams.metrics import DesktopMetrics

SECRET = "unit"
T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)


def gateway(index_agents: list[str] | None = None) -> tuple[httpx.AsyncClient, DeskHub, list]:
    registry = CollectorRegistry()
    hub = DeskHub(DeskFeed(), DesktopMetrics(registry))
    recorded: list[GuidanceFeedback] = []

    async def sink(feedback: GuidanceFeedback) -> None:
        recorded.append(feedback)

    app = create_desktop_app(hub, sink, SECRET, registry, lambda: (True, {}), index_agents)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk")
    return client, hub, recorded


def guidance(agent: str = "ann", prompt_id: str = "p-1") -> Guidance:
    return Guidance.model_validate(
        {
            "prompt_id": prompt_id,
            "call_id": "c-1",
            "agent_id": agent,
            "ts": T0,
            "kind": "long_hold",
            "severity": "warning",
            "title": "Hold over 90s",
            "message": "Go back to the customer now.",
        }
    )


async def test_a_page_opens_only_with_its_agents_token() -> None:
    client, _, _ = gateway()

    async def status(path: str, token: str) -> int:
        return (await client.get(path, params={"token": token})).status_code

    assert await status("/agents/ann", desk_token(SECRET, "ann")) == 200
    assert await status("/agents/ann", desk_token(SECRET, "bob")) == 403
    assert await status("/agents/ann", "é") == 403  # not a server error
    assert await status("/agents/ann/events", "") == 403


async def test_feedback_is_recorded_once_per_prompt_and_action() -> None:
    client, hub, recorded = gateway()
    hub.publish(guidance())
    url, token = "/agents/ann/feedback", {"token": desk_token(SECRET, "ann")}
    first = await client.post(url, params=token, json={"prompt_id": "p-1", "action": "helpful"})
    again = await client.post(url, params=token, json={"prompt_id": "p-1", "action": "helpful"})
    dismissed = await client.post(
        url, params=token, json={"prompt_id": "p-1", "action": "dismissed"}
    )
    assert (first.status_code, again.status_code, dismissed.status_code) == (201, 200, 201)
    assert [(f.agent_id, f.kind, f.action) for f in recorded] == [
        ("ann", "long_hold", "helpful"),
        ("ann", "long_hold", "dismissed"),
    ]
    wrong = await client.post(url, params=token, json={"prompt_id": "p-1", "action": "great"})
    assert wrong.status_code == 422 and wrong.json()["error"].startswith("action:")


def test_resume_ids_from_another_gateway_or_garbage_start_from_the_beginning() -> None:
    _, hub, _ = gateway()
    assert hub.resume_after(f"{hub.epoch}:42") == 42
    assert hub.resume_after("another:42") == 0
    assert hub.resume_after(f"{hub.epoch}:²") == 0
    assert hub.resume_after(None) == 0


async def test_demo_index_escapes_agent_ids() -> None:
    client, _, _ = gateway(index_agents=["<b>eve</b>"])
    page = (await client.get("/")).text
    assert "&lt;b&gt;eve&lt;/b&gt;" in page and "<b>eve" not in page
    assert "/agents/%3Cb%3Eeve%3C%2Fb%3E?token=" in page
