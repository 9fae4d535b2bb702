"""The desktop gateway's web app in-process (no broker, no browser): links, feedback, resume."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client import CollectorRegistry

from agent_assist.clock import FakeClock
from agent_assist.desk import DeskFeed
from models import Guidance, GuidanceFeedback
from streams.desk_links import LINK_TTL, DeskKeys, LinkProblem
from streams.desktop import DeskHub, create_desktop_app
from streams.metrics import DesktopMetrics

KEYS = DeskKeys.from_setting("unit")
T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)


def desk_token(agent: str, expires: datetime = T0 + LINK_TTL, keys: DeskKeys = KEYS) -> str:
    return keys.token(agent, expires)


def gateway(
    index_agents: list[str] | None = None, keys: DeskKeys = KEYS, clock: FakeClock | None = None
) -> tuple[httpx.AsyncClient, DeskHub, list]:
    registry = CollectorRegistry()
    hub = DeskHub(DeskFeed(), DesktopMetrics(registry))
    recorded: list[GuidanceFeedback] = []

    async def sink(feedback: GuidanceFeedback) -> None:
        recorded.append(feedback)

    clock = clock or FakeClock(T0)
    app = create_desktop_app(hub, sink, keys, registry, lambda: (True, {}), index_agents, clock)
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

    assert await status("/agents/ann", desk_token("ann")) == 200
    assert await status("/agents/ann", desk_token("bob")) == 403
    assert await status("/agents/ann", "é") == 403  # not a server error
    assert await status("/agents/ann", "9" * 40 + ".x") == 403
    assert await status("/agents/ann/events", "") == 403


async def test_a_link_expires_after_its_shift_and_says_so() -> None:
    clock = FakeClock(T0)
    client, _, _ = gateway(clock=clock)
    token = {"token": desk_token("ann", T0 + timedelta(hours=12))}
    assert (await client.get("/agents/ann", params=token)).status_code == 200
    clock.advance(timedelta(hours=12))
    page = await client.get("/agents/ann", params=token)
    assert page.status_code == 403 and LinkProblem.EXPIRED.value in page.text
    events = await client.get("/agents/ann/events", params=token)
    assert events.status_code == 403 and events.json()["error"] == LinkProblem.EXPIRED.value
    feedback = await client.post(
        "/agents/ann/feedback", params=token, json={"prompt_id": "p-1", "action": "helpful"}
    )
    assert feedback.status_code == 403


async def test_a_tampered_expiry_or_agent_is_not_valid() -> None:
    client, _, _ = gateway()
    token = desk_token("ann")
    expiry, _, signature = token.partition(".")
    later = f"{int(expiry) + 3600}.{signature}"
    for agent, forged in [("ann", later), ("bob", token)]:
        page = await client.get(f"/agents/{agent}", params={"token": forged})
        assert page.status_code == 403 and LinkProblem.INVALID.value in page.text


async def test_links_signed_with_any_listed_secret_open_new_ones_use_the_first() -> None:
    old, new = DeskKeys.from_setting("old"), DeskKeys.from_setting(" new , old ")
    client, _, _ = gateway(keys=new)
    for signed_by in (old, new):
        page = await client.get("/agents/ann", params={"token": desk_token("ann", keys=signed_by)})
        assert page.status_code == 200
    assert desk_token("ann", keys=new) != desk_token("ann", keys=old)
    retired, _, _ = gateway(keys=DeskKeys.from_setting("new"))
    page = await retired.get("/agents/ann", params={"token": desk_token("ann", keys=old)})
    assert page.status_code == 403


async def test_an_open_stream_ends_when_its_link_expires() -> None:
    clock = FakeClock(T0 + timedelta(seconds=1.7))
    client, hub, _ = gateway(clock=clock)
    hub.publish(guidance())
    token = {"token": desk_token("ann", T0 + timedelta(seconds=2))}
    # the stream waits out the 0.3 s its link had left, then ends; without an end this times out
    events = await asyncio.wait_for(client.get("/agents/ann/events", params=token), timeout=5)
    assert events.status_code == 200 and "event: prompt" in events.text


async def test_feedback_is_recorded_once_per_prompt_and_action() -> None:
    client, hub, recorded = gateway()
    hub.publish(guidance())
    url, token = "/agents/ann/feedback", {"token": desk_token("ann")}
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
