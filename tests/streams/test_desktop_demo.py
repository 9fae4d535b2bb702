"""`make demo DESKTOP=1`: the embedded demo with the agents' pages, in headless Chromium."""

from pathlib import Path

from playwright.async_api import expect

from tests.streams.kafka_harness import WorkerProcess, free_port, unique_settings
from tests.streams.test_desktop import ARTIFACTS, chromium


async def test_demo_pages_show_each_agent_their_calls_prompts(tmp_path: Path) -> None:
    port = free_port()
    demo = WorkerProcess(
        unique_settings("desk-demo", tmp_path),
        tmp_path / "demo.log",
        command=f"desktop --demo --speed 8 --port {port}",
        ready=b"Agent pages:",
    )
    try:
        demo.wait_ready()
        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 900, "height": 560})
            await page.goto(f"http://127.0.0.1:{port}/")
            await page.get_by_role("link", name="agent-sam").click()
            await expect(page.locator("#connection.online")).to_be_visible()
            hold = page.locator('.prompt[data-kind="long_hold"]')
            await expect(hold).to_be_visible(timeout=30_000)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(ARTIFACTS / "desktop-demo.png"))
            await expect(hold).to_have_count(0, timeout=15_000)  # cleared when the hold ended
            await expect(page.locator("#call-state")).to_have_text("Call ended", timeout=15_000)
            cards = page.locator(".prompt:visible")
            await expect(cards).to_have_count(3)
            kinds = [await c.get_attribute("data-kind") for c in await cards.all()]
            assert kinds == ["empathy_gap", "escalation_risk", "first_time_caller"]  # newest first
            upset = page.locator('.prompt[data-kind="escalation_risk"]')
            await upset.locator("button.not-helpful").click()
            await expect(upset.locator(".thanks")).to_have_text("Thanks, recorded.")

            maria = await browser.new_page()
            await maria.goto(f"http://127.0.0.1:{port}/")
            await maria.get_by_role("link", name="agent-maria").click()
            await expect(maria.locator(".prompt:visible").first).to_be_visible(timeout=30_000)
            calls = {
                await c.get_attribute("data-call-id")
                for c in await maria.locator(".prompt:visible").all()
            }
            assert calls == {"demo-004"}
    finally:
        demo.stop()
    log = demo.log_path.read_text()
    assert "feedback agent-sam marked escalation_risk (demo-001) as not_helpful" in log
