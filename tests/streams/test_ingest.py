"""Telephony ingest end to end on the real broker: Twilio Media Streams from the streamdouble
simulator and Genesys AudioHook from its reference client, through ingest, the speech worker and
the detection worker; the call-event endpoint; refused and broken streams."""

import asyncio
import base64
import json
import subprocess
import sys
import time
import uuid
import wave
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime
from difflib import SequenceMatcher
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from streams.asr import to_pcm16
from streams.audiohook import PROBE_CONVERSATION
from streams.settings import Settings
from streams.topics import create_topics
from tests.streams.kafka_harness import (
    WorkerProcess,
    collect,
    delete_topics,
    engine_env,
    unique_settings,
)
from tests.streams.test_asr_worker import DATA
from tests.streams.test_audiohook import ORG, STEREO, handshake

KEY = "ingest-test-key"
HOLD_S = 3.0
STREAMDOUBLE = Path(sys.executable).with_name("streamdouble")
AUDIOHOOK_CLIENT = Path(__file__).parents[2] / ".cache" / "audiohook-client"
SECRET = b"audiohook-test-client-secret-32b"
PING_TIMEOUT_S = 8.0  # the reference client pings every 5 s


@pytest.fixture(scope="module")
def wavs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The test recording's two channels as the mono files a Twilio fork carries."""
    tmp = tmp_path_factory.mktemp("wavs")
    with wave.open(str(DATA / "two-speakers-8k.wav"), "rb") as stereo:
        samples = array("h", stereo.readframes(stereo.getnframes()))
    paths = (tmp / "agent.wav", tmp / "customer.wav")
    for path, channel in zip(paths, (samples[0::2], samples[1::2]), strict=True):
        write_wav(path, channel, channels=1)
    return paths


def write_wav(path: Path, samples: "array[int]", channels: int) -> Path:
    """16-bit 8 kHz PCM, channels interleaved."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture(scope="module")
def floor(
    tmp_path_factory: pytest.TempPathFactory, model_path: Path
) -> Iterator[tuple[Settings, WorkerProcess]]:
    """Ingest, a speech worker and a detection worker (holds flagged after 3 s)."""
    tmp = tmp_path_factory.mktemp("ingest")
    settings = unique_settings("ingest", tmp, partitions=2)
    asyncio.run(create_topics(settings))
    ingest = WorkerProcess(
        settings,
        tmp / "ingest.log",
        command="ingest",
        ready=b"ingest on",
        AGENT_ASSIST_INGEST_API_KEYS=f"old-key,{KEY}",
        AGENT_ASSIST_INGEST_CHUNK_MS="250",  # as `agent-assist transcribe` reads: same words
        AGENT_ASSIST_AUDIOHOOK_CLIENT_SECRETS=base64.b64encode(SECRET).decode(),
        AGENT_ASSIST_AUDIOHOOK_PING_TIMEOUT_S=str(PING_TIMEOUT_S),
    )
    others = [
        WorkerProcess.speech(settings, tmp / "speech.log", AGENT_ASSIST_VOSK_MODEL=str(model_path)),
        WorkerProcess(
            settings,
            tmp / "detection.log",
            **engine_env(hold_threshold_s=HOLD_S, first_time_hold_threshold_s=HOLD_S),
        ),
    ]
    try:
        for process in [ingest, *others]:
            process.wait_ready()
        yield settings, ingest
    finally:
        for process in [ingest, *others]:
            assert process.stop() == 0, process.log_path.read_text()[-3000:]
        asyncio.run(delete_topics(settings))


def streamdouble(port: int, wavs: tuple[Path, Path], *args: str) -> subprocess.Popen[str]:
    agent, customer = wavs
    return subprocess.Popen(
        [
            str(STREAMDOUBLE),
            "call",
            f"ws://127.0.0.1:{port}/twilio",
            "--fork",
            "--track",
            "both",
            "--audio",
            str(customer),
            "--agent-audio",
            str(agent),
            "--quiet",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def missing_metrics(ingest: WorkerProcess, lines: list[str]) -> list[str]:
    """Which of ``lines`` ingest's /metrics does not show (a session is counted as its handler
    ends, just after the close, so this waits a little for them)."""
    for _ in range(50):
        metrics = ingest.get("/metrics")[1]
        if all(line in metrics for line in lines):
            break
        await asyncio.sleep(0.1)
    return [line for line in lines if line not in metrics]


def received_audio(messages: list[Any], call_id: str, path: Path) -> Path:
    """The call's two channels as they reached ``call-audio``, as a stereo WAV at ``path``."""
    channels: dict[str, array[int]] = {"agent": array("h"), "customer": array("h")}
    for m in messages:
        headers = {k: v.decode() for k, v in m.headers}
        if m.key != call_id.encode():
            continue
        track, at = channels[headers["speaker"]], int(headers["offset_ms"]) * 8
        track.extend([0] * (at - len(track)))
        track[at:] = array("h", to_pcm16(m.value, "mulaw"))
    length = max(map(len, channels.values()))
    stereo = array("h", [0] * (2 * length))
    for side, track in enumerate((channels["agent"], channels["customer"])):
        stereo[side : 2 * len(track) : 2] = track
    return write_wav(path, stereo, channels=2)


def transcribe_offline(recording: Path, model_path: Path) -> dict[str, str]:
    """What ``agent-assist transcribe`` hears in a recording, per speaker."""
    cli = Path(sys.executable).with_name("agent-assist")
    out = subprocess.run(
        [str(cli), "transcribe", str(recording), "--model", str(model_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return said([json.loads(line) for line in out.splitlines()])


def similar(live: dict[str, str], offline: dict[str, str]) -> bool:
    """The same speakers, and most words the same in order: Vosk (this model) does not give
    the same words twice on the agent's side of this recording, offline either, by a word or
    two from run to run."""
    return live.keys() == offline.keys() and all(
        SequenceMatcher(None, live[s].split(), offline[s].split()).ratio() >= 0.75 for s in live
    )


def said(events: list[dict[str, Any]]) -> dict[str, str]:
    texts: dict[str, list[str]] = {}
    for e in events:
        if e.get("type") == "transcript" and e.get("final"):
            texts.setdefault(e["speaker"], []).append(e["text"])
    return {speaker: " ".join(parts) for speaker, parts in texts.items()}


async def test_a_twilio_call_is_transcribed_guided_and_its_posted_hold_flagged_on_time(
    floor: tuple[Settings, WorkerProcess], wavs: tuple[Path, Path], model_path: Path, tmp_path: Path
) -> None:
    """Transcripts as ``agent-assist transcribe`` gives them on the audio ingest wrote."""
    settings, ingest = floor
    call = streamdouble(
        ingest.port,
        wavs,
        *("--param", f"token={KEY}", "--param", "agent_id=ann", "--param", "queue=billing"),
        *("--param", "customer_id=ingest-new-customer"),
    )

    def started(items: list[dict[str, Any]]) -> bool:
        return any(i.get("type") == "call_started" and i.get("agent_id") == "ann" for i in items)

    events = await collect(settings.call_events_topic, started, timeout=30)
    [begin] = [e for e in events if e.get("type") == "call_started"]
    call_id = begin["call_id"]
    assert begin["queue"] == "billing" and call_id.startswith("CA")

    # The platform's webhook reports a hold while the stream goes on.
    url = f"http://127.0.0.1:{ingest.port}/calls/{call_id}/events"
    held_at = datetime.now(UTC)
    hold = {"call_id": call_id, "ts": held_at.isoformat(), "type": "hold_started"}
    async with httpx.AsyncClient() as client:
        posted = await client.post(url, json=hold, headers={"X-API-Key": KEY})
    assert posted.status_code == 202, posted.text

    def flagged(items: list[dict[str, Any]]) -> bool:
        return any(i.get("kind") == "long_hold" for i in items)

    guidance = await collect(settings.guidance_topic, flagged, timeout=30)
    arrived = time.time()
    kinds = {g.get("kind") for g in guidance if g.get("call_id") == call_id}
    assert {"long_hold", "first_time_caller"} <= kinds, kinds
    assert arrived - held_at.timestamp() < HOLD_S + 2.0

    output, _ = await asyncio.to_thread(call.communicate, timeout=60)
    assert call.returncode == 0, output

    def both_ended(items: list[Any]) -> bool:
        ends = [
            m for m in items if m.key == call_id.encode() and ("end_of_stream", b"1") in m.headers
        ]
        return len(ends) == 2

    audio = await collect(settings.audio_topic, both_ended, decode=lambda m: m)
    recording = received_audio(audio, call_id, tmp_path / "received.wav")
    offline = await asyncio.to_thread(transcribe_offline, recording, model_path)

    def heard_all(items: list[dict[str, Any]]) -> bool:
        return similar(said([i for i in items if i["call_id"] == call_id]), offline)

    events = await collect(settings.call_events_topic, heard_all, timeout=30)
    mine = [e for e in events if e["call_id"] == call_id]
    live = said(mine)
    assert similar(live, offline), (live, offline)
    # The end comes after the last words, so the detection worker weighs them too.
    assert mine[-1]["type"] == "call_ended", [e["type"] for e in mine[-3:]]
    assert not similar({"agent": live["customer"]}, {"agent": offline["agent"]})


async def test_lost_frames_keep_call_time_true(
    floor: tuple[Settings, WorkerProcess], wavs: tuple[Path, Path]
) -> None:
    settings, ingest = floor
    call = streamdouble(
        ingest.port,
        wavs,
        *("--param", f"token={KEY}", "--param", "agent_id=lossy"),
        "--packet-loss",
        "0.1",
        "--chaos-seed",
        "7",
    )
    output, _ = await asyncio.to_thread(call.communicate, timeout=60)
    assert call.returncode == 0, output
    events = await collect(
        settings.call_events_topic,
        lambda items: any(
            i.get("type") == "call_started" and i.get("agent_id") == "lossy" for i in items
        ),
    )
    [call_id] = [e["call_id"] for e in events if e.get("agent_id") == "lossy"]

    def last(message: Any) -> bool:
        return message.key == call_id.encode() and ("end_of_stream", b"1") in message.headers

    def chunks(items: list[Any]) -> bool:
        return sum(map(last, items)) == 2

    messages = await collect(settings.audio_topic, chunks, decode=lambda m: m)
    placed: dict[str, list[tuple[int, int]]] = {}
    for m in messages:
        if m.key == call_id.encode():
            h = {k: v.decode() for k, v in m.headers}
            placed.setdefault(h["speaker"], []).append((int(h["offset_ms"]), len(m.value) // 8))
    # The caller's track lost frames, filled with silence: its chunks still cover the call
    # from the start without overlap, ending where the recording does (the agent's lost none).
    for speaker, track in placed.items():
        track.sort()
        assert track[0][0] == 0 and all(a + n <= b for (a, n), (b, _) in pairwise(track))
        assert track[-1][0] + track[-1][1] <= 7500, speaker
    assert sum(n for _, n in placed["agent"]) == 7500
    filled = ingest.get("/metrics")[1]
    assert 'agent_assist_ingest_filled_seconds_total{platform="twilio"} 0.0' not in filled


async def test_refused_and_broken_streams_get_their_close_code_and_others_go_on(
    floor: tuple[Settings, WorkerProcess], wavs: tuple[Path, Path]
) -> None:
    settings, ingest = floor
    good = streamdouble(ingest.port, wavs, "--param", f"token={KEY}", "--param", "agent_id=bea")
    url = f"ws://127.0.0.1:{ingest.port}/twilio"
    start = {"event": "start", "start": {"callSid": "CAbad", "customParameters": {"token": "no"}}}

    async def closed_with(*frames: str) -> int | None:
        async with connect(url) as ws:
            for frame in frames:
                await ws.send(frame)
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), timeout=10)
            return ws.close_code

    assert await closed_with(json.dumps(start)) == 1008
    assert await closed_with("{not json") == 1002
    assert await closed_with(json.dumps({"event": "media", "media": {}})) == 1002

    base = f"http://127.0.0.1:{ingest.port}"
    hold = {"call_id": "CAx", "ts": datetime.now(UTC).isoformat(), "type": "hold_started"}
    async with httpx.AsyncClient(base_url=base) as client:
        wrong_key = await client.post("/calls/CAx/events", json=hold, headers={"X-API-Key": "no"})
        other_call = await client.post("/calls/CAy/events", json=hold, headers={"X-API-Key": KEY})
        speech = hold | {
            "type": "transcript",
            "speaker": "agent",
            "text": "hi",
            "start": 0,
            "end": 1,
        }
        not_here = await client.post("/calls/CAx/events", json=speech, headers={"X-API-Key": KEY})
        bad = await client.post("/calls/CAx/events", content=b"{", headers={"X-API-Key": KEY})
    assert wrong_key.status_code == 403
    assert [r.status_code for r in (other_call, not_here, bad)] == [422, 422, 422]
    counted = [
        'agent_assist_ingest_sessions_total{outcome="refused",platform="twilio"} 1.0',
        'agent_assist_ingest_sessions_total{outcome="protocol_error",platform="twilio"} 2.0',
        'agent_assist_ingest_call_events_total{outcome="invalid"} 3.0',
        'agent_assist_ingest_call_events_total{outcome="refused"} 1.0',
    ]
    assert await missing_metrics(ingest, counted) == []

    output, _ = await asyncio.to_thread(good.communicate, timeout=60)
    assert good.returncode == 0, output

    def bea_ended(items: list[dict[str, Any]]) -> bool:
        calls = {i["call_id"] for i in items if i.get("agent_id") == "bea"}
        return any(i.get("type") == "call_ended" and i["call_id"] in calls for i in items)

    events = await collect(settings.call_events_topic, bea_ended)
    assert bea_ended(events)
    assert not any(e["call_id"] == "CAbad" for e in events)


# --- Genesys AudioHook -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stereo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test recording as Genesys sends a call: the customer (external) first."""
    with wave.open(str(DATA / "two-speakers-8k.wav"), "rb") as recording:
        samples = array("h", recording.readframes(recording.getnframes()))
    swapped = array("h", samples)
    swapped[0::2], swapped[1::2] = samples[1::2], samples[0::2]
    return write_wav(tmp_path_factory.mktemp("audiohook") / "call.wav", swapped, channels=2)


def audiohook_client(port: int, *args: str) -> subprocess.Popen[str]:
    """The reference client (``make test`` builds it), one session to ingest."""
    return subprocess.Popen(
        [
            *("node", "-r", "./no-tty.js", "dist/client/src/index.js"),
            *(f"ws://127.0.0.1:{port}/audiohook", "--api-key", KEY, *args),
        ],
        cwd=AUDIOHOOK_CLIENT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def correlation(a: "array[int]", b: "array[int]") -> float:
    """How alike two signals are, from -1 to 1, over their common length."""
    n = min(len(a), len(b))
    dot = sum(x * y for x, y in zip(a[:n], b[:n], strict=True))
    norm = (sum(x * x for x in a[:n]) * sum(y * y for y in b[:n])) ** 0.5
    return dot / norm if norm else 0.0


async def test_an_audiohook_call_is_transcribed_and_guided(
    floor: tuple[Settings, WorkerProcess], stereo: Path, model_path: Path, tmp_path: Path
) -> None:
    settings, ingest = floor
    config = json.dumps({"agent_id": "gina", "queue": "claims"})
    secret = base64.b64encode(SECRET).decode()
    call = audiohook_client(
        ingest.port, "--wavfile", str(stereo), "--client-secret", secret, "--custom-config", config
    )
    output, _ = await asyncio.to_thread(call.communicate, timeout=60)
    assert call.returncode == 0 and "Session open!" in output, output

    def started(items: list[dict[str, Any]]) -> bool:
        return any(i.get("type") == "call_started" and i.get("agent_id") == "gina" for i in items)

    events = await collect(settings.call_events_topic, started, timeout=30)
    [begin] = [e for e in events if e.get("type") == "call_started" and e["agent_id"] == "gina"]
    call_id = begin["call_id"]
    assert begin["queue"] == "claims" and begin["caller_number"] == "+15555551234"

    def both_ended(items: list[Any]) -> bool:
        ends = [
            m for m in items if m.key == call_id.encode() and ("end_of_stream", b"1") in m.headers
        ]
        return len(ends) == 2

    audio = await collect(settings.audio_topic, both_ended, decode=lambda m: m)
    recording = received_audio(audio, call_id, tmp_path / "received.wav")
    offline = await asyncio.to_thread(transcribe_offline, recording, model_path)
    # Each side arrived whole and on its own channel: the audio on call-audio is the recording's
    # channel, but for mu-law's rounding (and the client's last part-frame).
    with (
        wave.open(str(DATA / "two-speakers-8k.wav"), "rb") as sent,
        wave.open(str(recording), "rb") as got,
    ):
        original = array("h", sent.readframes(sent.getnframes()))
        received = array("h", got.readframes(got.getnframes()))
    for side in (0, 1):
        for other in (0, 1):
            match = correlation(original[side::2], received[other::2])
            assert match > 0.99 if side == other else match < 0.5, (side, other, match)

    def heard_all(items: list[dict[str, Any]]) -> bool:
        mine = [i for i in items if i["call_id"] == call_id]
        return similar(said(mine), offline) and mine[-1]["type"] == "call_ended"

    events = await collect(settings.call_events_topic, heard_all, timeout=30)
    live = said([e for e in events if e["call_id"] == call_id])
    assert similar(live, offline), (live, offline)

    def guided(items: list[dict[str, Any]]) -> bool:
        return any(i.get("call_id") == call_id for i in items)

    guidance = await collect(settings.guidance_topic, guided, timeout=30)
    assert "first_time_caller" in {g["kind"] for g in guidance if g["call_id"] == call_id}


async def test_refused_and_broken_audiohook_sessions_are_disconnected_and_others_go_on(
    floor: tuple[Settings, WorkerProcess], stereo: Path
) -> None:
    settings, ingest = floor
    good = audiohook_client(
        ingest.port,
        *("--wavfile", str(stereo), "--client-secret", base64.b64encode(SECRET).decode()),
        *("--custom-config", json.dumps({"agent_id": "hal"})),
    )
    wrong_secret = audiohook_client(
        ingest.port, "--max-stream-duration", "1", "--client-secret", "AAAA"
    )
    probe = audiohook_client(
        ingest.port, "--connection-probe", "--client-secret", base64.b64encode(SECRET).decode()
    )
    url, host = f"ws://127.0.0.1:{ingest.port}/audiohook", f"127.0.0.1:{ingest.port}"

    async def first_reply(
        headers: dict[str, str], *messages: str, media: Any = STEREO
    ) -> dict[str, Any]:
        """How the server disconnects a session that sends ``messages`` after its open."""
        session = headers["audiohook-session-id"]
        opening = {
            "version": "2",
            "type": "open",
            "id": session,
            "seq": 1,
            "serverseq": 0,
            "position": "PT0S",
            "parameters": {
                "organizationId": ORG,
                "conversationId": str(uuid.uuid4()),
                "participant": {"id": "p", "ani": "", "aniName": "", "dnis": ""},
                "media": [media],
            },
        }
        async with connect(url, additional_headers=headers) as ws:
            replies = []
            for message in (json.dumps(opening), *messages):
                await ws.send(message.replace("SESSION", session))
            while not replies or replies[-1]["type"] != "disconnect":
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))
            close = opening | {"type": "close", "seq": 99, "parameters": {"reason": "disconnect"}}
            await ws.send(json.dumps(close))
            closed = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
            assert closed["type"] == "closed", closed
            return replies[-1]["parameters"]

    def signed_now(**change: Any) -> dict[str, str]:
        created = int(time.time()) - change.pop("age", 0)
        secret = change.pop("secret", SECRET)
        return handshake(secret, created, key=KEY, session=str(uuid.uuid4()), host=host) | change

    ping = {"version": "2", "type": "ping", "id": "SESSION", "serverseq": 1, "position": "PT0S"}
    refusals = [
        await first_reply(signed_now(age=120)),
        await first_reply(signed_now(secret=b"not-the-secret")),
        await first_reply(signed_now(**{"x-api-key": "not-a-key"})),
    ]
    errors = [
        await first_reply(signed_now(), json.dumps(ping | {"seq": 5, "parameters": {}})),
        await first_reply(signed_now(), "{not json"),
        await first_reply(signed_now(), media=STEREO | {"format": "opus"}),
    ]
    silent = await first_reply(signed_now())  # opens, then never pings
    assert [r["reason"] for r in refusals] == ["unauthorized"] * 3
    assert [r["info"] for r in refusals] == [
        "expired",
        "signature does not match",
        "missing or unknown X-API-Key",
    ]
    assert [r["reason"] for r in errors] == ["error", "error", "error"]
    assert "seq 5 after 1" in errors[0]["info"] and "not valid JSON" in errors[1]["info"]
    assert "no offered media is PCMU or L16" in errors[2]["info"]
    assert silent == {"reason": "error", "info": f"no ping for {PING_TIMEOUT_S:g} s"}

    output, _ = await asyncio.to_thread(wrong_secret.communicate, timeout=30)
    assert "reason: unauthorized" in output, output
    output, _ = await asyncio.to_thread(probe.communicate, timeout=30)
    assert probe.returncode == 0 and "Session open!" in output, output
    output, _ = await asyncio.to_thread(good.communicate, timeout=60)
    assert good.returncode == 0 and "Disconnect" not in output, output

    def hal_ended(items: list[dict[str, Any]]) -> bool:
        calls = {i["call_id"] for i in items if i.get("agent_id") == "hal"}
        return any(i.get("type") == "call_ended" and i["call_id"] in calls for i in items)

    events = await collect(settings.call_events_topic, hal_ended)
    assert hal_ended(events)
    assert not any(e["call_id"] == PROBE_CONVERSATION for e in events)  # a probe writes nothing
    counted = [
        'agent_assist_ingest_sessions_total{outcome="refused",platform="audiohook"} 4.0',
        'agent_assist_ingest_sessions_total{outcome="probe",platform="audiohook"} 1.0',
        'agent_assist_ingest_sessions_total{outcome="protocol_error",platform="audiohook"} 3.0',
        'agent_assist_ingest_sessions_total{outcome="timeout",platform="audiohook"} 1.0',
    ]
    assert await missing_metrics(ingest, counted) == []


def test_the_audiohook_reference_conformance_suite_passes(
    floor: tuple[Settings, WorkerProcess],
) -> None:
    """Genesys's jest suite checks each reply message by message: open with each media offer,
    ping and pong, update, discarded, error, pause and resume, close. Its transcript-connector
    tests are for servers that send transcripts back to Genesys, which we do not."""
    _, ingest = floor
    (AUDIOHOOK_CLIENT / "testconfig.cfg").write_text(
        f"[EndPoint]\nurl=ws://127.0.0.1:{ingest.port}/audiohook\n"
        f"[Authentication]\napiKey={KEY}\nclientSecret={base64.b64encode(SECRET).decode()}\n"
        "[OpenParameters]\ncustomConfig={}\nlanguage=en-US\n"
        "[Features]\nsingleChannel=true\ndoubleChannel=true\ntranscriptionConnector=false\n"
    )
    suite = subprocess.run(
        [str(AUDIOHOOK_CLIENT / "node_modules" / ".bin" / "jest"), "--ci"],
        cwd=AUDIOHOOK_CLIENT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = suite.stdout + suite.stderr
    assert suite.returncode == 0, report
    assert "Tests:       8 skipped, 12 passed, 20 total" in report, report
