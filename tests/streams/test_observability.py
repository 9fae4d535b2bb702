"""Metrics end to end: workers fed with the demo calls, scraped by a real Prometheus.

Every PromQL expression of the Grafana dashboards runs against that Prometheus and must return
data, and every alert rule must evaluate without error: dashboards, alerts and code cannot drift
apart silently.
"""

import asyncio
import base64
import contextlib
import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from agent_assist.config import EngineConfig
from agent_assist.demo import load_demo
from agent_assist.engine import Engine
from agent_assist.replay import replay
from streams.desk_links import LINK_TTL, DeskKeys
from streams.settings import Settings
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    WorkerProcess,
    collect,
    delete_topics,
    free_port,
    publish_demo,
    send_raw,
    unique_settings,
)
from tests.streams.test_asr_worker import DATA, channels, chunks, interleave, send_with_headers

INGEST_KEY = "obs-ingest-key"
DEPLOY = Path(__file__).parents[2] / "deploy"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
DESKTOP_SECRET = "observability"
QUEUES = "billing,moves,sales"  # the demo's tech_support calls are counted as "other"
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$queue": ".*"}


def dashboard_expressions() -> list[tuple[str, str]]:
    """(where, expr) for every query target of every dashboard panel."""
    found = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                found.append((f"{path.name}: {panel['title']}", target["expr"]))
    return found


def grafana_to_promql(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"unknown Grafana variable in {expr}"
    return expr


class Prometheus:
    """A real Prometheus server on loopback, scraping the given targets every second."""

    def __init__(self, tmp: Path, jobs: dict[str, list[int]]):
        self.port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(DEPLOY / "prometheus" / "alerts.yml")],
            "scrape_configs": [
                {
                    "job_name": job,
                    "static_configs": [{"targets": [f"127.0.0.1:{p}" for p in ports]}],
                }
                for job, ports in jobs.items()
            ],
        }
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.log = (tmp / "prometheus.log").open("wb")
        self.proc = subprocess.Popen(
            [
                shutil.which("prometheus") or "prometheus",
                f"--config.file={tmp / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def api(self, path: str, **params: str) -> Any:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.load(response)
        except urllib.error.HTTPError as err:
            return json.load(err)

    def query(self, expr: str) -> Any:
        return self.api("query", query=expr)

    def value(self, expr: str) -> float:
        result = self.query(expr)["data"]["result"]
        return float(result[0]["value"][1]) if result else float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def wait_for(check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Iterator[dict[str, Any]]:
    """Two detection workers, a speech worker, a desktop gateway, telephony ingest and
    Prometheus, fed with the demo calls (and one feedback click, one Twilio stream, a refused
    one and a posted hold; ingest writes to topics of its own, so the counts stay the demo's)."""
    tmp = tmp_path_factory.mktemp("observability")
    settings = unique_settings("obs", tmp, partitions=2, queues=QUEUES.split(","))
    asyncio.run(create_topics(settings))
    workers = [WorkerProcess(settings, tmp / f"worker-{n}.log") for n in range(2)]
    speech = WorkerProcess.speech(
        settings,
        tmp / "speech.log",
        AGENT_ASSIST_VOSK_MODEL=str(model_path),
        AGENT_ASSIST_CALL_EVENTS_TOPIC=f"{settings.app_id}-transcripts",
    )
    desktop = WorkerProcess(
        settings,
        tmp / "desktop.log",
        command="desktop",
        ready=b"desktop gateway on",
        AGENT_ASSIST_DESKTOP_SECRET=DESKTOP_SECRET,
    )
    ingest = WorkerProcess(
        settings,
        tmp / "ingest.log",
        command="ingest",
        ready=b"ingest on",
        AGENT_ASSIST_INGEST_API_KEYS=INGEST_KEY,
        AGENT_ASSIST_INGEST_END_GRACE_S="0",
        AGENT_ASSIST_CALL_EVENTS_TOPIC=f"{settings.app_id}-ingest-events",
        AGENT_ASSIST_AUDIO_TOPIC=f"{settings.app_id}-ingest-audio",
    )
    prometheus = Prometheus(
        tmp,
        {
            "agent-assist-detection": [w.port for w in workers],
            "agent-assist-speech": [speech.port],
            "agent-assist-desktop": [desktop.port],
            "agent-assist-ingest": [ingest.port],
        },
    )
    try:
        for worker in [*workers, speech, desktop, ingest]:
            worker.wait_ready()
        asyncio.run(feed(settings))
        click_helpful(desktop)
        asyncio.run(telephony(ingest.port))
        yield {
            "settings": settings,
            "workers": workers,
            "speech": speech,
            "desktop": desktop,
            "ingest": ingest,
            "prom": prometheus,
        }
    finally:
        prometheus.stop()
        for worker in [*workers, speech, desktop, ingest]:
            assert worker.stop() == 0, worker.log_path.read_text()[-2000:]
        asyncio.run(delete_topics(settings))


async def feed(settings: Settings) -> None:
    await publish_demo(settings)
    await send_raw(settings.call_events_topic, [(b"broken", b'{"type": "transcript"}')])
    left, right = channels(DATA / "two-speakers-8k.wav")
    audio = interleave(
        chunks("audio-call", "agent", left, 8000, "pcm_s16le", 4000),
        chunks("audio-call", "customer", right, 8000, "pcm_s16le", 4000),
    )
    await send_with_headers(settings.audio_topic, audio)


async def telephony(port: int) -> None:
    """A short Twilio stream (one frame lost) that gives the demo's caller number, a stream
    with a wrong key, and a hold posted for the first."""
    url = f"ws://127.0.0.1:{port}/twilio"
    number = next(e.caller_number for e in load_demo()[0] if getattr(e, "caller_number", None))
    frame = base64.b64encode(b"\xff" * 160).decode()
    for token in (INGEST_KEY, "wrong"):
        parameters = {"token": token, "agent_id": "agent-obs", "caller_number": number}
        async with connect(url) as ws:
            await ws.send(
                json.dumps(
                    {
                        "event": "start",
                        "start": {"callSid": "CAobs", "customParameters": parameters},
                    }
                )
            )
            for at in (0, 20, 60, 80):
                media = {"track": "inbound", "timestamp": str(at), "payload": frame}
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(json.dumps({"event": "media", "media": media}))
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"event": "stop"}))
                await ws.wait_closed()
    hold = {"call_id": "CAobs", "ts": datetime.now(UTC).isoformat(), "type": "hold_started"}
    posted = httpx.post(
        f"http://127.0.0.1:{port}/calls/CAobs/events", json=hold, headers={"X-API-Key": INGEST_KEY}
    )
    assert posted.status_code == 202, posted.text


def click_helpful(desktop: WorkerProcess) -> None:
    """An agent marks their first prompt helpful (once the gateway has seen it)."""
    first = next(o for o in expected_outputs() if o["type"] == "guidance")
    agent = first["agent_id"]
    url = f"http://127.0.0.1:{desktop.port}/agents/{agent}/feedback"
    body = {"prompt_id": first["prompt_id"], "action": "helpful"}
    expires = datetime.now(UTC) + LINK_TTL
    token = {"token": DeskKeys.from_setting(DESKTOP_SECRET).token(agent, expires)}
    assert wait_for(lambda: httpx.post(url, params=token, json=body).status_code == 201)


def expected_outputs() -> list[dict[str, Any]]:
    events, history = load_demo()
    outputs = replay(Engine(EngineConfig()), events, history)
    return [json.loads(o.model_dump_json()) for o in outputs]


def test_probes_answer_on_every_worker(floor: dict[str, Any]) -> None:
    for worker in [*floor["workers"], floor["speech"]]:
        assert worker.get("/healthz") == (200, '{"status": "alive"}')
        status, body = wait_for(lambda w=worker: w.get("/readyz")[0] == 200 and w.get("/readyz"))
        assert status == 200 and json.loads(body)["status"] == "ready"
    owned = [json.loads(w.get("/readyz")[1])["partitions"] for w in floor["workers"]]
    assert sorted(owned[0] + owned[1]) == [0, 1]  # each partition on exactly one worker
    status, text = floor["workers"][0].get("/metrics")
    assert status == 200 and "# TYPE agent_assist_prompts_total counter" in text


def test_counts_match_what_the_workers_did(floor: dict[str, Any]) -> None:
    prom: Prometheus = floor["prom"]
    events, _ = load_demo()
    guidance = [o for o in expected_outputs() if o["type"] == "guidance"]
    checks = {
        "sum(agent_assist_events_consumed_total)": len(events),
        'sum(agent_assist_invalid_events_total{input="events"})': 1,
        "sum(agent_assist_prompts_total)": len(guidance),
        'sum(agent_assist_prompts_total{kind="long_hold"})': sum(
            o["kind"] == "long_hold" for o in guidance
        ),
        # demo-002 and demo-005 are in the tech_support queue, not in QUEUES
        'sum(agent_assist_prompts_total{queue="other"})': sum(
            o["call_id"] in ("demo-002", "demo-005") for o in guidance
        ),
        "sum(agent_assist_calls_started_total)": len({e.call_id for e in events}),
        "sum(agent_assist_hold_duration_seconds_count)": sum(
            e.type == "hold_started" for e in events
        ),
        "sum(agent_assist_active_calls)": 0,  # every demo call has ended
        'sum(agent_assist_desktop_feedback_total{action="helpful"})': 1,
    }

    def found() -> dict[str, float]:
        return {query: prom.value(query) for query in checks}

    wait_for(lambda: found() == checks)
    assert found() == checks


def test_every_dashboard_query_returns_data(floor: dict[str, Any]) -> None:
    prom: Prometheus = floor["prom"]
    expressions = dashboard_expressions()
    assert len(expressions) >= 20

    def empty() -> list[str]:
        missing = []
        for where, expr in expressions:
            answer = prom.query(grafana_to_promql(expr))
            assert answer["status"] == "success", f"{where}: {expr}: {answer.get('error')}"
            if not answer["data"]["result"]:
                missing.append(f"{where}: {expr}")
        return missing

    wait_for(lambda: not empty(), timeout=90)
    assert empty() == []


def test_queue_variable_lists_the_configured_queues(floor: dict[str, Any]) -> None:
    values = floor["prom"].api("label/queue/values")["data"]
    assert set(values) == {"billing", "moves", "sales", "other", "none"}


def test_labels_never_carry_calls_agents_or_callers(floor: dict[str, Any]) -> None:
    events, history = load_demo()
    private = {e.call_id for e in events} | {getattr(e, "agent_id", "") for e in events}
    private |= {h.customer_id for h in history} | {"audio-call", "broken"}
    series = floor["prom"].api("series", **{"match[]": '{__name__=~"agent_assist_.*"}'})["data"]
    assert series, "no agent_assist series scraped"
    for labels in series:
        assert not private & set(labels.values()), labels


def test_every_alert_rule_evaluates(floor: dict[str, Any]) -> None:
    prom: Prometheus = floor["prom"]

    def rules() -> list[dict[str, Any]]:
        groups = prom.api("rules")["data"]["groups"]
        return [rule for group in groups for rule in group["rules"]]

    wait_for(
        lambda: rules() and all(r.get("lastEvaluation", "0001").startswith("20") for r in rules())
    )
    defined = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    names = {rule["alert"] for group in defined["groups"] for rule in group["rules"]}
    assert {r["name"] for r in rules()} == names
    unhealthy = [(r["name"], r.get("lastError")) for r in rules() if r["health"] != "ok"]
    assert unhealthy == []
    active = {a["labels"]["alertname"] for a in prom.api("alerts")["data"]["alerts"]}
    assert "AgentAssistWorkerDown" not in active  # every worker is up


def test_logs_carry_no_caller_number_and_nothing_a_caller_said(floor: dict[str, Any]) -> None:
    """Every process of the run logs at INFO; none of it may hold a caller number or speech."""
    settings = floor["settings"]

    def both_channels(items: list[dict[str, Any]]) -> bool:
        return {i.get("speaker") for i in items if i.get("final")} >= {"agent", "customer"}

    recognised = asyncio.run(collect(f"{settings.app_id}-transcripts", both_channels, timeout=30))
    events, _ = load_demo()
    numbers = [e.caller_number for e in events if e.type == "call_started" and e.caller_number]
    texts = [e.text for e in events if e.type == "transcript"]
    texts += [i["text"] for i in recognised if i.get("type") == "transcript" and len(i["text"]) > 4]
    assert numbers and len(texts) > len(events) // 2 and any(i["text"] for i in recognised)
    processes = [*floor["workers"], floor["speech"], floor["desktop"], floor["ingest"]]
    for process in processes:
        log = process.log_path.read_text(errors="replace")
        assert process.ready.decode() in log, process.log_path  # an INFO line: logged at INFO
        for number in numbers:
            assert number.lstrip("+") not in log, f"caller number in {process.log_path}"
        leaked = [text for text in texts if text in log]
        assert not leaked, f"{process.log_path} holds what was said: {leaked[:3]}"
