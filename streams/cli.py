"""Commands added to the ``agent-assist`` CLI: workers, produce, tail, profiles, transcribe."""

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agent_assist.cli import ConfigOption, app, build_engine, fail, read_reporting
from agent_assist.sources import read_events, read_history
from streams.settings import Settings

profiles_app = typer.Typer(help="Caller history on the customer-profiles topic.")
app.add_typer(profiles_app, name="profiles")


@app.command()
def worker(config: ConfigOption = None) -> None:
    """Run a stream worker; start several to share the partitions."""
    import gc

    import uvloop

    from streams.app import Worker, create_app
    from streams.topics import create_topics

    settings = Settings()
    engine = build_engine(config)
    loop = uvloop.new_event_loop()  # less per-event overhead under faust than asyncio's loop
    asyncio.set_event_loop(loop)
    loop.run_until_complete(create_topics(settings))
    faust_app = create_app(settings, engine)
    # The engine's model and rules live as long as the process: a full collection scanning
    # them stopped the worker for up to 160 ms. Frozen, they are never scanned; the higher
    # thresholds make the collections left (of live calls' state, 50-100 ms with 3,000 calls)
    # rare: at (10,000, 20, 100) six pauses over 5 ms in a benchmark run, at these two.
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)
    Worker(
        faust_app, settings.shutdown_timeout_s, loop=loop, loglevel=settings.log_level
    ).execute_from_commandline()


@app.command()
def topics() -> None:
    """Create the topics the workers use (idempotent); refuse on a partition mismatch."""
    from streams.topics import create_topics, topic_specs

    settings = Settings()
    created = asyncio.run(create_topics(settings))
    for spec in topic_specs(settings):
        state = "created" if spec.name in created else "exists"
        config = ", ".join(f"{k}={v}" for k, v in (spec.topic_configs or {}).items())
        print(f"{state:8} {spec.name} partitions={spec.num_partitions} {config}".rstrip())


@app.command()
def acls(
    apply: Annotated[
        bool, typer.Option("--apply", help="Create them; connect as a Kafka administrator.")
    ] = False,
    detection: Annotated[str, typer.Option(help="Detection workers' principal.")] = (
        "User:detection"
    ),
    speech: Annotated[str, typer.Option(help="Speech workers' principal.")] = "User:speech",
    desktop: Annotated[str, typer.Option(help="Desktop gateway's principal.")] = "User:desktop",
    producer: Annotated[str, typer.Option(help="Integrations' principal.")] = "User:producer",
) -> None:
    """Print the Kafka ACLs each kind of process needs (least privilege); --apply creates them."""
    from streams.acls import Principals
    from streams.acls import acls as needed
    from streams.acls import apply as create

    settings = Settings()
    rules = needed(settings, Principals(detection, speech, desktop, producer))
    for rule in rules:
        print(rule)
    if apply:
        asyncio.run(create(settings, rules))
        print(f"applied {len(rules)} ACLs")


@app.command()
def produce(
    file: Annotated[str, typer.Argument(help="JSON Lines event file; - for stdin.")],
    speed: Annotated[float, typer.Option(help="Times real time; 0 sends at once.", min=0)] = 0,
) -> None:
    """Send events to the call-events topic (key call_id), keeping their timing."""
    from streams.kafka_io import produce_events

    settings = Settings()
    events, invalid = read_reporting(read_events(file))
    sent = asyncio.run(produce_events(settings, [e.value for e in events], speed))
    Console(stderr=True).print(f"sent {sent} events to {settings.call_events_topic}")
    raise typer.Exit(1 if invalid else 0)


@app.command()
def tail(
    as_json: Annotated[bool, typer.Option("--json", help="Print raw JSON Lines.")] = False,
    from_beginning: Annotated[bool, typer.Option(help="Start at the oldest prompt.")] = False,
    agent: Annotated[str | None, typer.Option(help="Only this agent's prompts.")] = None,
) -> None:
    """Follow the guidance topic and show prompts as an agent would read them."""
    from streams.kafka_io import follow_guidance

    asyncio.run(follow_guidance(Settings(), as_json, from_beginning, agent))


@app.command()
def desktop(
    demo: Annotated[
        bool, typer.Option("--demo", help="Play the embedded demo calls; no broker.")
    ] = False,
    speed: Annotated[float, typer.Option(help="Demo speed, times real time.", min=0)] = 8.0,
    port: Annotated[int, typer.Option(help="Demo port (the gateway uses its settings).")] = 8000,
    config: ConfigOption = None,
) -> None:
    """Serve each agent's live prompts in the browser: from Kafka, or the embedded demo."""
    import logging

    from streams.desktop_run import run_demo_desktop, run_kafka_desktop

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="[%(asctime)s] %(message)s")
    if demo:
        engine = build_engine(config)
        main = run_demo_desktop(engine, speed, "127.0.0.1", port, settings.shutdown_timeout_s)
    else:
        main = run_kafka_desktop(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main)


@app.command()
def ingest() -> None:
    """Take live calls from telephony (Twilio Media Streams, Genesys AudioHook) and posted call
    events over HTTP."""
    import logging

    import uvloop

    from streams.ingest_run import run_ingest

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="[%(asctime)s] %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(run_ingest(settings))  # less per-frame overhead than asyncio's loop


@app.command("desktop-link")
def desktop_link(
    agent: Annotated[str, typer.Argument(help="The agent id, as in call_started.")],
    base_url: Annotated[str, typer.Option(help="Where the gateway is reached.")] = (
        "http://localhost:8000"
    ),
    hours: Annotated[
        float | None,
        typer.Option(
            min=0.01, help="How long it opens the desk [AGENT_ASSIST_DESKTOP_LINK_TTL_S]."
        ),
    ] = None,
) -> None:
    """Print the link that opens this agent's desk for a shift (AGENT_ASSIST_DESKTOP_SECRET)."""
    from datetime import UTC, datetime, timedelta
    from urllib.parse import quote

    from streams.desk_links import DeskKeys

    settings = Settings()
    if settings.desktop_secret is None:
        raise typer.BadParameter("set AGENT_ASSIST_DESKTOP_SECRET")
    keys = DeskKeys.from_setting(settings.desktop_secret.get_secret_value())
    ttl = timedelta(hours=hours) if hours else timedelta(seconds=settings.desktop_link_ttl_s)
    token = keys.token(agent, datetime.now(UTC) + ttl)
    print(f"{base_url.rstrip('/')}/agents/{quote(agent, safe='')}?token={token}")


@app.command("asr-worker")
def asr_worker() -> None:
    """Run a speech worker: call-audio in, transcript events out to call-events."""
    import logging

    from streams.stt_worker import run_asr_worker

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="[%(asctime)s] %(message)s")
    try:
        asyncio.run(run_asr_worker(settings))
    except FileNotFoundError as err:
        fail(str(err))


@app.command()
def transcribe(
    file: Annotated[Path, typer.Argument(help="WAV: stereo (agent left, customer right) or mono.")],
    call_id: Annotated[str | None, typer.Option(help="Default: the file name.")] = None,
    call_start: Annotated[
        datetime | None, typer.Option(help="When the call started (UTC); default now.")
    ] = None,
    speaker: Annotated[str, typer.Option(help="Who speaks on a mono file.")] = "customer",
    model: Annotated[Path | None, typer.Option(help="Vosk model folder.")] = None,
) -> None:
    """Transcribe a recording offline to transcript events (JSON Lines), no Kafka needed."""
    from streams.asr import load_model, transcribe_wav

    if speaker not in ("agent", "customer"):
        raise typer.BadParameter("speaker must be agent or customer")
    try:
        vosk_model = load_model(model or Settings().vosk_model)
        start = (call_start or datetime.now(UTC)).replace(tzinfo=UTC)
        events = transcribe_wav(file, vosk_model, call_id or file.stem, start, speaker)  # type: ignore[arg-type]
    except (FileNotFoundError, ValueError, EOFError) as err:
        fail(str(err))
    for event in events:
        print(event.model_dump_json())


@profiles_app.command("load")
def load_profiles(
    file: Annotated[str, typer.Argument(help="JSON Lines caller history records.")],
) -> None:
    """Publish caller history records to the compacted customer-profiles topic."""
    from streams.kafka_io import publish_profiles

    records, invalid = read_reporting(read_history(file))
    asyncio.run(publish_profiles(Settings(), [r.value for r in records]))
    Console(stderr=True).print(f"published {len(records)} profiles")
    raise typer.Exit(1 if invalid else 0)
