import json
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from agent_assist.cli import app
from agent_assist.testing import CallScript
from tests.conftest import T0

GOOD = CallScript("c1", T0, customer_id="cust-1")
GOOD.say("customer", "I want to speak to a supervisor.", 1, 3)
GOOD.hold(5)
GOOD_LINES = [e.model_dump_json() for e in GOOD.events]


def invoke(*args: str, stdin: str | None = None) -> tuple[int, list[str], list[str]]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout.splitlines(), result.stderr.splitlines()


def test_prints_prompts_as_json_lines_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(reversed(GOOD_LINES)) + "\n")
    code, out, err = invoke("replay", str(path))
    assert (code, err) == (0, [])
    kinds = [json.loads(line).get("kind") for line in out]
    assert kinds == ["first_time_caller", "escalation_risk", "long_hold"]


def test_invalid_lines_are_reported_skipped_and_fail_the_run(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    bad_speaker = GOOD_LINES[1].replace('"customer"', '"caller"')
    path.write_text("\n".join([GOOD_LINES[0], "{not json", bad_speaker, "", GOOD_LINES[2]]))
    code, out, err = invoke("replay", str(path))
    assert code == 1
    assert err == [
        f"{path}:2: (json): not valid JSON: key must be a string at line 1 column 2",
        f"{path}:3: speaker: Input should be 'agent' or 'customer'",
    ]
    assert [json.loads(line)["kind"] for line in out] == ["first_time_caller", "long_hold"]


def test_a_line_that_is_not_utf8_is_that_lines_error_only(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    broken = GOOD_LINES[1].replace("supervisor", "sup\xe9rvisor").encode("latin-1")
    lines = [GOOD_LINES[0].encode(), broken, GOOD_LINES[2].encode()]
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = invoke("replay", str(path))
    assert code == 1
    at = broken.index(b"\xe9") + 1
    assert err == [f"{path}:2: (encoding): not valid UTF-8 at byte {at} of the line"]
    assert [json.loads(line)["kind"] for line in out] == ["first_time_caller", "long_hold"]


def test_bad_bytes_on_stdin_and_in_history_are_line_errors_too(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.write_bytes(b'{"customer_id": "cust-\xff"}\n{"customer_id": "cust-1", "contacts": 4}\n')
    stdin = b"\n".join([GOOD_LINES[0].encode(), b"\xfe\xfe", *(x.encode() for x in GOOD_LINES[1:])])
    result = CliRunner().invoke(app, ["replay", "-", "--history", str(history)], input=stdin)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "-:2: (encoding): not valid UTF-8 at byte 1 of the line",
        f"{history}:1: (encoding): not valid UTF-8 at byte 23 of the line",
    ]
    assert json.loads(result.stdout.splitlines()[0])["kind"] == "regular_caller"


def test_stdin_and_history(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.write_text('{"customer_id": "cust-1", "contacts": 4}\n{"customer_id": ""}\n')
    code, out, err = invoke("replay", "-", "--history", str(history), stdin="\n".join(GOOD_LINES))
    assert code == 1
    assert err == [f"{history}:2: customer_id: String should have at least 1 character"]
    assert json.loads(out[0])["kind"] == "regular_caller"


def test_events_for_calls_that_never_started_are_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(GOOD_LINES[2] + "\n")
    code, out, err = invoke("replay", str(path))
    assert (code, out) == (0, [])
    assert err == [f"{path}:1: warning: no call_started seen for this call"]


def test_missing_file_and_bad_config_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("replay", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "nope.jsonl" in err[0]
    config = tmp_path / "c.toml"
    config.write_text("interruption_min_overlap_s = 'soon'\n")
    code, _, err = invoke("replay", "--config", str(config), str(tmp_path / "x"))
    assert code == 2 and "interruption_min_overlap_s" in " ".join(err)


TEXTS = [
    "I want a supervisor", "uh-huh", "This is ridiculous", "cancel my order", "ok thanks",
    "I'm cancelling my account", "third time I'm calling about this", "let me check",
]  # fmt: skip


@st.composite
def call_files(draw: st.DrawFn) -> list[str]:
    """A few calls with speech, holds and ends, often at the same instant."""
    lines = []
    for n in range(draw(st.integers(1, 3))):
        call = CallScript(f"c{n}", T0 + timedelta(seconds=draw(st.integers(0, 5))),
                          customer_id=draw(st.sampled_from(["a", "b", None])))  # fmt: skip
        for _ in range(draw(st.integers(0, 8))):
            at = float(draw(st.integers(0, 200)))
            action = draw(st.sampled_from(["say", "say", "hold", "unhold", "end"]))
            if action == "say":
                speaker = draw(st.sampled_from(["agent", "customer"]))
                length = draw(st.sampled_from([0.4, 1.0, 4.0]))
                call.say(speaker, draw(st.sampled_from(TEXTS)), at, at + length)
            else:
                getattr(call, action)(at)
        lines += [e.model_dump_json() for e in call.events]
    return lines


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=call_files(), data=st.data())
def test_output_does_not_depend_on_line_order(
    tmp_path: Path, lines: list[str], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(lines))
    outputs = []
    for name, content in (("a.jsonl", lines), ("b.jsonl", shuffled)):
        path = tmp_path / name
        path.write_text("\n".join(content) + "\n")
        code, out, _ = invoke("replay", str(path))
        assert code == 0
        outputs.append(out)
    assert outputs[0] == outputs[1]
