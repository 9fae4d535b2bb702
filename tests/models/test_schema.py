import json
from pathlib import Path

from typer.testing import CliRunner

from agent_assist.cli import app
from models.schema import contract_schema

DOCS_SCHEMA = Path(__file__).parents[2] / "docs" / "schema.json"


def test_schema_command_prints_every_event_type() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    inputs = set(schema["inputs"]["discriminator"]["mapping"])
    assert inputs == {"call_started", "transcript", "hold_started", "hold_ended", "call_ended"}
    assert set(schema["outputs"]["discriminator"]["mapping"]) == {"guidance", "guidance_cleared"}
    assert "contacts" in schema["caller_history"]["properties"]
    assert set(schema["feedback"]["properties"]["action"]["enum"]) == {
        "helpful",
        "not_helpful",
        "dismissed",
    }


def test_published_schema_matches_the_models() -> None:
    """docs/schema.json is the published contract; regenerate it with `agent-assist schema`."""
    assert json.loads(DOCS_SCHEMA.read_text()) == contract_schema()
