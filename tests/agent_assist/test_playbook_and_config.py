import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from agent_assist.config import load_config
from agent_assist.engine import Engine
from agent_assist.playbook import PlaybookError, load_playbook
from agent_assist.replay import replay
from agent_assist.testing import CallScript
from tests.conftest import T0

BUNDLED = Path(__file__).parents[2] / "agent_assist" / "playbook.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "playbook.toml"
    path.write_text(text)
    return path


def test_bundled_playbook_loads_and_every_message_says_what_to_do() -> None:
    playbook = load_playbook()
    assert playbook.escalation_risk.supervisor_request.severity == "critical"
    data = tomllib.loads(BUNDLED.read_text())
    assert set(data) == set(type(playbook).model_fields)


def test_edited_playbook_changes_the_wording(tmp_path: Path) -> None:
    text = BUNDLED.read_text().replace("First-time caller", "New here: be kind")
    engine = Engine(load_config(playbook=write(tmp_path, text)))
    (prompt,) = replay(engine, CallScript("c1", T0, customer_id="n").events)
    assert prompt.title == "New here: be kind"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('severity = "info"', 'severity = "loud"'), "first_time_caller.severity: Input should be"),
        (("{overlap_s}", "{overlap}"), "[interruption]: unknown placeholder {overlap}"),
        (("[advocate]", "[advocat]"), "advocat: Extra inputs are not permitted"),
        (('title = "Hold', 'title = "Hold {'), "[long_hold]: bad placeholder"),
        (("[advocate]", "[advocate"), "not valid TOML"),
    ],
)
def test_invalid_playbook_names_file_and_field(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, BUNDLED.read_text().replace(*edit, 1))
    with pytest.raises(PlaybookError) as err:
        load_playbook(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_config_from_toml_with_environment_winning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "agent-assist.toml"
    path.write_text("hold_threshold_s = 45\nrepeat_contact_days = 3\n")
    assert load_config(path).hold_threshold_s == 45
    monkeypatch.setenv("AGENT_ASSIST_HOLD_THRESHOLD_S", "30")
    config = load_config(path)
    assert (config.hold_threshold_s, config.repeat_contact_days) == (30, 3)


def test_bad_config_value_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "agent-assist.toml"
    path.write_text("hold_threshold_s = -1\n")
    with pytest.raises(ValidationError, match="hold_threshold_s"):
        load_config(path)
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "missing.toml")
