"""Detection thresholds: defaults, overridden by a TOML file, overridden by the environment."""

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent_assist.cues.classes import CueClass

DEFAULT_BACKCHANNELS = (
    "uh-huh", "uh huh", "mm-hmm", "mm hmm", "mhm", "mm", "hmm", "yeah", "yes", "yep", "yup",
    "right", "okay", "ok", "sure", "i see", "got it", "oh", "ah", "alright", "all right",
    "of course", "exactly", "true", "sure thing", "go on", "i understand",
)  # fmt: skip


class EngineConfig(BaseSettings):
    """Everything a supervisor may tune. Env vars are ``AGENT_ASSIST_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="AGENT_ASSIST_", frozen=True, extra="ignore")

    repeat_contact_days: float = Field(default=7, gt=0)
    hold_threshold_s: float = Field(default=90, gt=0)
    first_time_hold_threshold_s: float = Field(default=60, gt=0)
    interruption_min_overlap_s: float = Field(default=0.5, gt=0)
    interruption_cooldown_s: float = Field(default=30, ge=0)
    backchannels: tuple[str, ...] = DEFAULT_BACKCHANNELS
    empathy_window_s: float = Field(
        default=20, gt=0, description="Call time the agent has to acknowledge distress."
    )
    first_time_empathy_window_s: float = Field(default=12, gt=0)
    empathy_turns: int = Field(
        default=2, ge=1, description="Agent turns without acknowledgement that end the window."
    )
    empathy_cooldown_s: float = Field(default=60, ge=0)
    monologue_s: float = Field(
        default=45, gt=0, description="Agent talk time with no customer speech in between."
    )
    monologue_share: float = Field(
        default=0.8, gt=0, le=1, description="Agent share of the talk in the window that prompts."
    )
    monologue_window_s: float = Field(default=120, gt=0)
    monologue_cooldown_s: float = Field(default=120, ge=0)
    dead_air_s: float = Field(
        default=12, gt=0, description="Silence, off hold, before a prompt (calls with partials)."
    )
    escalation_thresholds: dict[CueClass, float] = Field(
        default_factory=dict,
        description="Classifier probability at which a cue class prompts, per class; unset "
        "classes use the model's own (chosen in training). Above 1 turns the classifier off.",
    )
    max_clock_skew_s: float = Field(
        default=5,
        ge=0,
        description="Live workers take an event stamped further ahead of their clock than this "
        "at its arrival time, so a producer's wrong clock cannot fire a hold early or late.",
    )
    call_idle_timeout_s: float = Field(
        default=4 * 3600, gt=0, description="A call with no event for this long is forgotten."
    )
    caller_salt: SecretStr = Field(
        default=SecretStr("agent-assist-development-salt"),
        description="Salt for hashing caller numbers; set your own in production.",
    )
    playbook: Path | None = Field(default=None, description="Playbook TOML; None = bundled one.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = init_settings.init_kwargs.pop("_toml_file", None)  # type: ignore[attr-defined]
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def load_config(toml_file: Path | None = None, **overrides: Any) -> EngineConfig:
    """Read the config; a bad value raises ``pydantic.ValidationError`` naming the field."""
    if toml_file is not None and not toml_file.is_file():
        raise FileNotFoundError(f"config file not found: {toml_file}")
    return EngineConfig(_toml_file=toml_file, **overrides)
