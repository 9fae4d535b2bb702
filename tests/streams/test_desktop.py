"""The agent desktop in a real headless Chromium, fed through the real broker and gateway."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from agent_assist.testing import CallScript
from models import Guidance, GuidanceCleared
from streams.desk_links import LINK_TTL, DeskKeys, LinkProblem
from streams.settings import Settings
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    WorkerProcess,
    collect,
    delete_topics,
    send_events,
    send_raw,
    unique_settings,
)

SECRET = "desk-test-secret"
KEYS = DeskKeys.from_setting(SECRET)
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / ".cache" / "artifacts"
T0 = datetime.now(UTC)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield browser
        finally:
            await browser.close()


class Gateway:
    """``agent-assist desktop`` as a real process, with the settings it runs on."""

    def __init__(self, settings: Settings, log: Path):
        self.settings = settings
        self.process = WorkerProcess(
            settings,
            log,
            command="desktop",
            ready=b"desktop gateway on",
            AGENT_ASSIST_DESKTOP_SECRET=SECRET,
        )
        self.process.wait_ready()
        deadline = time.monotonic() + 30
        while self.process.get("/readyz")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)

    def url(self, agent: str, expires: datetime | None = None) -> str:
        port = self.process.port
        return f"http://127.0.0.1:{port}/agents/{agent}?token={desk_token(agent, expires)}"


def desk_token(agent: str, expires: datetime | None = None) -> str:
    return KEYS.token(agent, expires or datetime.now(UTC) + LINK_TTL)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    settings = unique_settings("desktop", tmp_path, partitions=2)
    asyncio.run(create_topics(settings))
    gateway = Gateway(settings, tmp_path / "gateway.log")
    try:
        yield gateway
    finally:
        assert gateway.process.stop() == 0, gateway.process.log_path.read_text()[-2000:]
        asyncio.run(delete_topics(settings))


def prompt(call_id: str, agent: str, prompt_id: str, severity: str = "critical") -> Guidance:
    return Guidance.model_validate(
        {
            "prompt_id": prompt_id,
            "call_id": call_id,
            "agent_id": agent,
            "ts": T0,
            "kind": "escalation_risk",
            "severity": severity,
            "title": "Supervisor requested",
            "message": "Acknowledge it, own the problem and say what you will do now.",
        }
    )


async def send_outputs(settings: Settings, *outputs: Guidance | GuidanceCleared) -> None:
    await send_raw(
        settings.guidance_topic,
        [(o.call_id.encode(), o.model_dump_json().encode()) for o in outputs],
    )


async def call_with_prompt(settings: Settings, call_id: str, agent: str, prompt_id: str) -> None:
    """A call starts for ``agent`` and gets one prompt."""
    await send_events(settings, CallScript(call_id, T0, agent_id=agent).events)
    await send_outputs(settings, prompt(call_id, agent, prompt_id))


async def open_desk(browser: Browser, url: str) -> Page:
    page = await browser.new_page(viewport={"width": 900, "height": 640})
    await page.goto(url)
    await expect(page.locator("#connection.online")).to_be_visible(timeout=10_000)
    return page


async def test_prompts_reach_only_their_agent_within_a_second_clear_and_take_feedback(
    gateway: Gateway,
) -> None:
    settings = gateway.settings
    ann_call = CallScript("desk-ann", T0, agent_id="ann", queue="billing")
    bob_call = CallScript("desk-bob", T0, agent_id="bob", queue="sales")
    async with chromium() as browser:
        ann = await open_desk(browser, gateway.url("ann"))
        bob = await open_desk(browser, gateway.url("bob"))
        await send_events(settings, ann_call.events + bob_call.events)
        await expect(ann.locator("#call-details")).to_contain_text("desk-ann · billing")
        await expect(bob.locator("#call-details")).to_contain_text("desk-bob · sales")

        sent = time.monotonic()
        await send_outputs(settings, prompt("desk-ann", "ann", "p-ann-1"))
        card = ann.locator('.prompt[data-prompt-id="p-ann-1"]')
        await expect(card).to_be_visible(timeout=1000)
        assert time.monotonic() - sent < 1.0
        await expect(card).to_have_class("prompt critical")
        await expect(card.locator(".title")).to_have_text("Supervisor requested")

        # The same prompt again (at-least-once delivery) and one for Bob.
        await send_outputs(
            settings,
            prompt("desk-ann", "ann", "p-ann-1"),
            prompt("desk-bob", "bob", "p-bob-1", "info"),
        )
        await expect(bob.locator('.prompt[data-prompt-id="p-bob-1"]')).to_be_visible()
        await expect(ann.locator(".prompt:visible")).to_have_count(1)
        await expect(bob.locator(".prompt:visible")).to_have_count(1)  # never Ann's

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await ann.screenshot(path=str(ARTIFACTS / "desktop-agent.png"))

        await card.locator("button.helpful").click()
        await expect(card.locator(".thanks")).to_have_text("Thanks, recorded.")
        feedback = await collect(settings.feedback_topic, lambda items: len(items) >= 1)
        assert [(f["prompt_id"], f["agent_id"], f["kind"], f["action"]) for f in feedback] == [
            ("p-ann-1", "ann", "escalation_risk", "helpful")
        ]

        await send_outputs(
            settings, GuidanceCleared(prompt_id="p-ann-1", call_id="desk-ann", ts=T0)
        )
        await expect(card).to_have_count(0, timeout=5000)
        await expect(bob.locator(".prompt:visible")).to_have_count(1)


async def test_feedback_needs_the_agents_own_link_and_prompt(gateway: Gateway) -> None:
    settings = gateway.settings
    await call_with_prompt(settings, "desk-own", "ann", "p-own-1")
    base = f"http://127.0.0.1:{gateway.process.port}"
    body = {"prompt_id": "p-own-1", "action": "helpful"}
    async with httpx.AsyncClient(base_url=base) as client:
        ann_token, bob_token = desk_token("ann"), desk_token("bob")
        stolen = await client.post(f"/agents/ann/feedback?token={bob_token}", json=body)
        assert stolen.status_code == 403
        assert (await client.get(f"/agents/ann/events?token={bob_token}")).status_code == 403
        not_bobs = await client.post(f"/agents/bob/feedback?token={bob_token}", json=body)
        assert not_bobs.status_code == 404
        bad = await client.post(f"/agents/ann/feedback?token={ann_token}", json={"prompt_id": 1})
        assert bad.status_code == 422 and "prompt_id" in bad.json()["error"]


async def read_sse(response: httpx.Response, count: int) -> list[tuple[str, str, dict]]:
    """(id, event, data) of the next ``count`` events of an open SSE response."""
    events, fields = [], {}
    async for line in response.aiter_lines():
        if line.startswith(":"):
            continue
        if not line:
            if "data" in fields:
                events.append((fields["id"], fields["event"], json.loads(fields["data"])))
                if len(events) == count:
                    return events
            fields = {}
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    return events


async def test_a_dropped_stream_resumes_after_the_last_event_it_saw(gateway: Gateway) -> None:
    settings = gateway.settings
    await call_with_prompt(settings, "desk-resume", "cat", "p-cat-1")
    url = f"http://127.0.0.1:{gateway.process.port}/agents/cat/events"
    params = {"token": desk_token("cat")}
    async with httpx.AsyncClient(timeout=10) as client:
        async with client.stream("GET", url, params=params) as first:
            seen = await read_sse(first, 2)
        assert [kind for _, kind, _ in seen] == ["call_started", "prompt"]
        # Dropped. Meanwhile two more prompts come, one of them a repeat.
        await send_outputs(
            settings,
            prompt("desk-resume", "cat", "p-cat-2"),
            prompt("desk-resume", "cat", "p-cat-1"),
        )
        await asyncio.sleep(1)
        headers = {"Last-Event-ID": seen[-1][0]}
        async with client.stream("GET", url, params=params, headers=headers) as again:
            [(event_id, kind, data)] = await read_sse(again, 1)
        assert (kind, data["prompt_id"]) == ("prompt", "p-cat-2")
        assert int(event_id.split(":")[1]) > int(seen[-1][0].split(":")[1])


async def test_a_restarted_gateway_shows_the_live_call_again(
    gateway: Gateway, tmp_path: Path
) -> None:
    settings = gateway.settings
    earlier = CallScript("desk-earlier", T0, agent_id="dee")
    earlier.end(30)
    await send_events(settings, earlier.events[:1])
    await send_outputs(settings, prompt("desk-earlier", "dee", "p-earlier"))
    await send_events(settings, earlier.events[1:])
    await call_with_prompt(settings, "desk-restart", "dee", "p-dee-1")
    async with chromium() as browser:
        page = await open_desk(browser, gateway.url("dee"))
        await expect(page.locator('.prompt[data-prompt-id="p-dee-1"]')).to_be_visible()
        await expect(page.locator(".prompt:visible")).to_have_count(1)  # the earlier call's went
        assert gateway.process.stop() == 0
        await expect(page.locator("#connection.offline")).to_be_visible()
        await send_outputs(settings, prompt("desk-restart", "dee", "p-dee-2", "warning"))
        port = gateway.process.port
        gateway.process = WorkerProcess(
            settings,
            tmp_path / "gateway-2.log",
            command="desktop",
            ready=b"desktop gateway on",
            port=port,
            AGENT_ASSIST_DESKTOP_SECRET=SECRET,
        )
        # The page reconnects by itself; the new gateway re-reads the last hour.
        await expect(page.locator('.prompt[data-prompt-id="p-dee-2"]')).to_be_visible(
            timeout=30_000
        )
        # The new gateway replays the earlier call too; the page still shows the live one only.
        cards = page.locator(".prompt:visible")
        await expect(cards).to_have_count(2)
        assert {await c.get_attribute("data-call-id") for c in await cards.all()} == {
            "desk-restart"
        }
        await expect(page.locator("#call-details")).to_contain_text("desk-restart")


async def test_an_expired_or_forged_link_is_refused_and_the_page_says_so(
    gateway: Gateway,
) -> None:
    await call_with_prompt(gateway.settings, "desk-expiry", "eve", "p-eve-1")
    async with chromium() as browser:
        # Open with a link that lapses in a few seconds: the stream ends at its expiry, the
        # page reconnects, is refused, and tells the agent why.
        page = await open_desk(
            browser, gateway.url("eve", datetime.now(UTC) + timedelta(seconds=4))
        )
        await expect(page.locator('.prompt[data-prompt-id="p-eve-1"]')).to_be_visible()
        await expect(page.locator("#connection")).to_have_text(
            LinkProblem.EXPIRED.value, timeout=15_000
        )
        expiry, _, signature = desk_token("eve").partition(".")
        later = f"{int(expiry) + 3600}.{signature}"  # a link stretched by an hour
        forged = await browser.new_page()
        refused = await forged.goto(
            f"http://127.0.0.1:{gateway.process.port}/agents/eve?token={later}"
        )
        assert refused is not None and refused.status == 403
        await expect(forged.locator("#link-problem")).to_have_text(LinkProblem.INVALID.value)
