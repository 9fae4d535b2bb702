"""The Kafka commands of the CLI against the real broker (no worker needed)."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent_assist.testing import CallScript
from streams.cli import app
from streams.desk_links import DeskKeys
from tests.conftest import T0
from tests.streams.kafka_harness import collect, delete_topics, env_for, unique_settings


@pytest.fixture
def kafka_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    settings = unique_settings("cli", tmp_path, partitions=2)
    for name, value in env_for(settings).items():
        if name.startswith("AGENT_ASSIST_"):
            monkeypatch.setenv(name, value)
    yield settings
    asyncio.run(delete_topics(settings))


def test_produce_sends_valid_events_keyed_by_call_and_reports_bad_lines(
    kafka_env, tmp_path: Path
) -> None:
    call = CallScript("cli-1", T0, customer_id="c")
    call.say("customer", "hello", 1, 2)
    path = tmp_path / "events.jsonl"
    lines = [b"\xff{}", *(e.model_dump_json().encode() for e in call.events), b"{oops"]
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(app, ["produce", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: (encoding): not valid UTF-8 at byte 1 of the line" in result.stderr
    assert f"{path}:4: (json): not valid JSON" in result.stderr
    sent = asyncio.run(
        collect(
            kafka_env.call_events_topic,
            lambda items: len(items) >= 2,
            decode=lambda m: (m.key, json.loads(m.value)["type"]),
        )
    )
    assert sent == [(b"cli-1", "call_started"), (b"cli-1", "transcript")]


def test_profiles_load_publishes_to_the_compacted_topic(kafka_env, tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text('{"customer_id": "p-1", "contacts": 3}\n')
    result = CliRunner().invoke(app, ["profiles", "load", str(path)])
    assert result.exit_code == 0, result.output
    records = asyncio.run(
        collect(
            kafka_env.profiles_topic,
            lambda items: len(items) >= 1,
            decode=lambda m: (m.key, json.loads(m.value)["contacts"]),
        )
    )
    assert records == [(b"p-1", 3)]


def test_topics_creates_once_and_names_what_the_broker_refused(
    kafka_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = CliRunner().invoke(app, ["topics"])
    assert first.exit_code == 0, first.output
    assert f"created  {kafka_env.call_events_topic} partitions=2" in first.stdout
    assert f"{kafka_env.profiles_topic} partitions=2 cleanup.policy=compact" in first.stdout
    again = CliRunner().invoke(app, ["topics"])
    assert again.exit_code == 0 and "created" not in again.stdout
    assert f"exists   {kafka_env.guidance_topic} partitions=2" in again.stdout
    monkeypatch.setenv("AGENT_ASSIST_GUIDANCE_TOPIC", f"{kafka_env.app_id}-guidance-rf3")
    monkeypatch.setenv("AGENT_ASSIST_REPLICATION_FACTOR", "3")
    refused = CliRunner().invoke(app, ["topics"])
    assert refused.exit_code == 1
    assert "could not create topics" in refused.output
    assert "replication factor of 3 cannot be reached" in refused.output


def test_desktop_link_is_signed_with_the_first_secret_for_the_hours_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AGENT_ASSIST_DESKTOP_SECRET", "new,old")
    before = datetime.now(UTC)
    result = CliRunner().invoke(app, ["desktop-link", "ann b", "--hours", "2"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("http://localhost:8000/agents/ann%20b?token=")
    token = url.partition("?token=")[2]
    expiry = datetime.fromtimestamp(int(token.partition(".")[0]), UTC)
    assert timedelta(hours=2) - timedelta(seconds=2) < expiry - before <= timedelta(hours=2)
    assert DeskKeys.from_setting("new").problem(token, "ann b", before) is None
    assert DeskKeys.from_setting("old").problem(token, "ann b", before) is not None


def test_acls_prints_what_each_principal_may_do(kafka_env) -> None:
    result = CliRunner().invoke(app, ["acls", "--desktop", "User:gateway"])
    assert result.exit_code == 0, result.output
    lines = set(result.output.splitlines())
    assert f"User:gateway: WRITE TOPIC {kafka_env.feedback_topic}" in lines
    assert f"User:gateway: READ TOPIC {kafka_env.guidance_topic}" in lines
    assert f"User:gateway: WRITE TOPIC {kafka_env.guidance_topic}" not in lines
    assert not any(line.startswith("User:desktop") for line in lines)
