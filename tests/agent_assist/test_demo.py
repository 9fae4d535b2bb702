import json
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from agent_assist.cli import app
from agent_assist.demo import MAX_PAUSE_S, TerminalView, load_demo, paced, run_demo
from agent_assist.engine import Engine
from agent_assist.replay import Simulator, play

GOLDEN = Path(__file__).parent / "golden" / "demo_calls.jsonl"


def test_demo_json_matches_replay_golden() -> None:
    result = CliRunner().invoke(app, ["demo", "--json", "--speed", "0"])
    assert result.exit_code == 0
    assert [json.loads(x) for x in result.stdout.splitlines()] == [
        json.loads(x) for x in GOLDEN.read_text().splitlines()
    ]


def test_terminal_shows_transcript_prompts_in_place_and_a_summary() -> None:
    console = Console(record=True, width=100, color_system="truecolor")
    view = TerminalView(console)
    run_demo(Engine(), 0, view.show)
    view.summary()
    text = console.export_text(clear=False)
    ridiculous = text.index("This is ridiculous")
    assert ridiculous < text.index("Customer upset") < text.index("Let me put you on a short hold")
    assert "CRITICAL" not in text and "WARNING · Hold over 60s" in text
    assert "demo-003" in text and "interruption" in text
    assert "13 prompts (7 info, 6 warning)" in text
    html = console.export_html()
    assert "#808000" in html or "yellow" in html  # warnings are coloured


def test_pacing_follows_event_time_at_the_given_speed() -> None:
    events, history = load_demo()
    pauses: list[float] = []
    items = list(paced(play(Simulator(Engine(), history), events), 10, pauses.append))
    assert len(items) > len(events)
    assert max(pauses) == MAX_PAUSE_S
    assert 10 < sum(pauses) < 60  # the whole demo stays under a minute at the default speed
