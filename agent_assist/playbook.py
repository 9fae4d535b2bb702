"""The playbook: prompt wording per kind, in a TOML file a supervisor can edit without code."""

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent_assist.detectors.base import Cue
from models import Severity

EVIDENCE_EXAMPLES: dict[str, dict[str, Any]] = {
    "first_time_caller": {"earlier_contacts": 0, "contact_number": 1, "advocate": False},
    "returning_caller": {"earlier_contacts": 1, "contact_number": 2, "advocate": False},
    "regular_caller": {"earlier_contacts": 5, "contact_number": 6, "advocate": False},
    "advocate": {"earlier_contacts": 9, "contact_number": 10, "advocate": True},
    "repeat_contact": {"last_contact_ts": "2026-11-20T10:00:00.000Z", "days_ago": 3.0,
                       "window_days": 7.0},
    "escalation_risk": {"cues": ["anger"], "phrases": ["ridiculous"], "excerpt": "...",
                        "at_s": 12.5},
    "interruption": {"agent_start_s": 10.2, "customer_start_s": 8.0, "customer_end_s": 12.1,
                     "overlap_s": 1.9},
    "long_hold": {"hold_started": "2026-11-23T10:00:00.000Z", "threshold_s": 90.0,
                  "stage": "regular_caller"},
    "empathy_gap": {"customer": "...", "words": "i'm really worried", "agent_turns": ["..."],
                    "window_s": 20.0},
    "agent_monologue": {"reason": "run", "talk_s": 46.0, "share_pct": 85, "window_s": 120.0,
                        "limit_s": 45.0},
    "dead_air": {"silent_since": "2026-11-23T10:00:00.000Z", "threshold_s": 12.0},
}  # fmt: skip
"""The evidence each kind carries: the names a message may use in {braces}."""


class PlaybookError(ValueError):
    """The playbook file is unreadable or invalid; the message names the file and field."""


class Entry(BaseModel):
    """How one kind of prompt reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    title: str = Field(min_length=1, max_length=80)
    message: str = Field(min_length=1, max_length=400)

    def check_placeholders(self, evidence: dict[str, Any]) -> None:
        try:
            self.title.format_map(evidence)
            self.message.format_map(evidence)
        except KeyError as err:
            names = ", ".join(sorted(evidence))
            raise ValueError(f"unknown placeholder {{{err.args[0]}}}; known: {names}") from None
        except (ValueError, IndexError) as err:
            raise ValueError(f"bad placeholder: {err}") from None


class EscalationEntries(BaseModel):
    """One entry per escalation cue class."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    legal_public_threat: Entry
    supervisor_request: Entry
    churn_threat: Entry
    repeat_contact: Entry
    anger: Entry


class MonologueEntries(BaseModel):
    """One entry per way a monologue shows: one long run, or most of the recent talk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run: Entry
    share: Entry


class Playbook(BaseModel):
    """All prompt wording. Every kind must be present; placeholders are checked at load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_time_caller: Entry
    returning_caller: Entry
    regular_caller: Entry
    advocate: Entry
    repeat_contact: Entry
    escalation_risk: EscalationEntries
    interruption: Entry
    long_hold: Entry
    empathy_gap: Entry
    agent_monologue: MonologueEntries
    dead_air: Entry

    @model_validator(mode="after")
    def _placeholders_exist(self) -> Self:
        for kind, example in EVIDENCE_EXAMPLES.items():
            for entry in self._entries(kind):
                try:
                    entry.check_placeholders(example)
                except ValueError as err:
                    raise ValueError(f"[{kind}]: {err}") from None
        return self

    def _entries(self, kind: str) -> list[Entry]:
        value = getattr(self, kind)
        if isinstance(value, Entry):
            return [value]
        return [getattr(value, name) for name in type(value).model_fields]

    def entry_for(self, cue: Cue) -> Entry:
        """The kind's entry, or for a kind with variants (escalation cue classes, monologue
        reasons) the variant's."""
        entry = getattr(self, cue.kind)
        if cue.variant is not None:
            entry = getattr(entry, cue.variant)
        return entry  # type: ignore[no-any-return]


def load_playbook(path: Path | None = None) -> Playbook:
    """Load and check a playbook; None loads the bundled one."""
    name = str(path) if path else "playbook.toml (bundled)"
    try:
        if path is None:
            text = resources.files("agent_assist").joinpath("playbook.toml").read_text()
        else:
            text = path.read_text(encoding="utf-8")
        return Playbook.model_validate(tomllib.loads(text))
    except OSError as err:
        raise PlaybookError(f"{name}: cannot read: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise PlaybookError(f"{name}: not valid TOML: {err}") from err
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()
        )
        raise PlaybookError(f"{name}: {problems}") from err
