"""Speech to text with a real Vosk model (the Korean one from PyPI: English cannot be fetched)."""

import json
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streams.asr import SpeechStream, load_model, to_pcm16, transcribe_wav
from streams.cli import app

DATA = Path(__file__).parent / "data"
START = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture(scope="session")
def model(model_path: Path) -> object:
    return load_model(model_path)


def test_mulaw_decodes_to_g711_values() -> None:
    pcm = to_pcm16(bytes([0xFF, 0x7F, 0x00, 0x80, 0xEF]), "mulaw")
    samples = [int.from_bytes(pcm[i : i + 2], "little", signed=True) for i in range(0, 10, 2)]
    assert samples == [0, 0, -32124, 32124, 132]
    with pytest.raises(ValueError, match="odd number"):
        to_pcm16(b"\x00\x01\x02", "pcm_s16le")


def test_stereo_call_gives_each_speaker_their_words_with_call_times(model: object) -> None:
    events = transcribe_wav(DATA / "two-speakers-8k.wav", model, "call-1", START)
    assert [e.speaker for e in events] == ["agent", "customer"]
    agent, customer = events
    assert 0 <= agent.start < agent.end < customer.start < customer.end <= 7.5
    assert all(e.final and e.text for e in events) and agent.text != customer.text
    again = transcribe_wav(DATA / "two-speakers-8k.wav", model, "call-1", START)
    assert again == events  # with dither off, decoding is repeatable
    assert abs((customer.ts - START).total_seconds() - customer.end) < 0.001


def test_silence_gives_no_text(model: object, tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\x00\x00" * 16000 * 2)
    assert transcribe_wav(path, model, "quiet", START) == []


def test_transcribe_command_prints_json_lines(model_path: Path) -> None:
    args = [
        "transcribe",
        str(DATA / "two-speakers-8k.wav"),
        "--model",
        str(model_path),
        "--call-id",
        "rec-7",
        "--call-start",
        "2026-11-23T10:00:00",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["type"], x["call_id"], x["speaker"]) for x in lines] == [
        ("transcript", "rec-7", "agent"),
        ("transcript", "rec-7", "customer"),
    ]


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["transcribe", str(DATA / "two-speakers-8k.wav"), "--model", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "no Vosk model at" in result.stderr and "AGENT_ASSIST_VOSK_MODEL" in result.stderr


class FakeRecognizer:
    """Stands in for KaldiRecognizer to pin down SpeechStream's own bookkeeping."""

    def __init__(self, model: object, rate: int) -> None:
        self.finals = {6: '{"text": "hello there", "result": [{"start": 0.5, "end": 1.4}]}'}
        self.calls = 0

    def SetWords(self, on: bool) -> None:
        assert on

    def AcceptWaveform(self, pcm: bytes) -> bool:
        self.calls += 1
        return self.calls in self.finals

    def Result(self) -> str:
        return self.finals[self.calls]

    def PartialResult(self) -> str:
        return '{"partial": "hel"}'

    def FinalResult(self) -> str:
        return '{"text": ""}'


def test_partials_are_throttled_and_finals_carry_word_times() -> None:
    stream = SpeechStream(
        None, "c1", "agent", 8000, START, partial_every_s=1.0, recognizer=FakeRecognizer
    )
    quarter = b"\x00\x00" * 2000
    events = [e for _ in range(8) for e in stream.accept(quarter)]
    assert [(e.final, e.text, e.start, e.end) for e in events] == [
        (False, "hel", 0.0, 1.0),
        (True, "hello there", 0.5, 1.4),
        (False, "hel", 1.4, 2.0),
    ]
    assert stream.position_s == 2.0 and stream.finish() == []
