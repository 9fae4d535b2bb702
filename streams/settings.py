"""Worker settings, read once at the edge from AGENT_ASSIST_* environment variables."""

import ssl
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def secret_list(value: SecretStr | str | None) -> tuple[str, ...]:
    """The secrets of a comma-separated setting (several during a rotation), newest first."""
    text = value.get_secret_value() if isinstance(value, SecretStr) else value or ""
    return tuple(s.strip() for s in text.split(",") if s.strip())


class Settings(BaseSettings):
    """Broker, topics and worker tuning. Detection thresholds are in ``EngineConfig``."""

    model_config = SettingsConfigDict(env_prefix="AGENT_ASSIST_", frozen=True, extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    app_id: str = Field(default="agent-assist", description="Consumer group and table prefix.")
    partitions: int = Field(default=6, ge=1, description="Partitions of every topic we create.")
    replication_factor: int = Field(default=1, ge=1)
    call_events_topic: str = "call-events"
    guidance_topic: str = "guidance"
    dlq_topic: str = "call-events-dlq"
    profiles_topic: str = "customer-profiles"
    audio_topic: str = "call-audio"
    audio_dlq_topic: str = "call-audio-dlq"
    feedback_topic: str = "guidance-feedback"
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    store: str = Field(
        default="memory://", description="faust table store: memory:// or rocksdb://"
    )
    data_dir: Path = Path(".cache/worker-data")
    tick_interval_s: float = Field(default=0.25, gt=0, description="How often timers are checked.")
    session_timeout_s: float = Field(default=10, gt=0)
    heartbeat_interval_s: float = Field(default=1, gt=0)
    table_standby_replicas: int = Field(
        default=1,
        ge=0,
        description="Workers that keep a standby copy of each partition's call state "
        "(the trade-off: docs/operations.md, Scaling).",
    )
    log_level: str = "info"
    http_host: str = Field(default="0.0.0.0", description="Where /metrics and probes listen.")
    http_port: int = Field(default=8080, ge=0, le=65535, description="0: any free port.")
    queues: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Queues that get their own metric label (comma-separated); others: other.",
    )
    shutdown_timeout_s: float = Field(
        default=20, gt=0, description="Longest a clean stop may take after SIGTERM."
    )
    lag_interval_s: float = Field(default=5, gt=0, description="How often lag is measured.")
    checkpoint_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="How often call state is written and input offsets committed: what a "
        "crashed worker's successor processes again (at-least-once).",
    )
    vosk_model: Path | None = Field(default=None, description="Unpacked Vosk model folder.")
    asr_threads: int = Field(default=2, ge=1, description="Threads that run Vosk decoding.")
    asr_partial_interval_s: float = Field(default=1.0, gt=0)
    asr_idle_timeout_s: float = Field(default=10, gt=0, description="Flush a silent stream.")
    asr_max_bridge_s: float = Field(
        default=5.0,
        ge=0,
        description="Missing audio up to this long inside a stream is decoded as silence; "
        "after a longer gap the recognizer restarts at the next chunk.",
    )
    desktop_secret: SecretStr | None = Field(
        default=None,
        description="Signs agents' desktop links; required by the gateway. Comma-separated "
        "secrets, newest first, during a rotation: links are signed with the first and "
        "accepted with any.",
    )
    desktop_link_ttl_s: float = Field(
        default=12 * 3600, gt=0, description="How long a desktop link opens a desk (a shift)."
    )
    ingest_api_keys: SecretStr | None = Field(
        default=None,
        description="Keys that open a telephony stream (its token parameter) or post a call "
        "event (X-API-Key); comma-separated, so a new key can be added before the old goes.",
    )
    ingest_chunk_ms: int = Field(
        default=200, ge=20, le=2000, description="Audio per call-audio chunk from telephony."
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None,
        description="Set it, and a Twilio stream must carry a valid X-Twilio-Signature.",
    )
    audiohook_client_secrets: SecretStr | None = Field(
        default=None,
        description="Genesys AudioHook client secrets (base64, comma-separated during a "
        "rotation). Set them, and an AudioHook handshake must carry a valid signature.",
    )
    audiohook_ping_timeout_s: float = Field(
        default=30.0,
        gt=0,
        description="An AudioHook session that sends no ping for this long is disconnected "
        "(Genesys pings every 5 s).",
    )
    ingest_public_url: str | None = Field(
        default=None,
        description="ingest's address as Twilio calls it (wss://host), if a proxy in between "
        "changes scheme or host; the Twilio signature covers it.",
    )
    ingest_end_grace_s: float = Field(
        default=3.0,
        ge=0,
        description="A stream's call_ended waits this long after its last audio, so that the "
        "call's last transcripts reach the detection workers before it.",
    )
    desktop_lookback_s: float = Field(
        default=3600, ge=0, description="On start, the gateway re-reads this much history."
    )

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = Field(
        default=None,
        description="Read the SASL password from this file (a mounted secret) instead.",
    )
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _password_from_file(cls, values: object) -> object:
        if not isinstance(values, dict):
            return values
        path = values.get("sasl_password_file")
        if path and not values.get("sasl_password"):
            try:
                values = values | {"sasl_password": Path(path).read_text().strip()}
            except OSError as err:
                raise ValueError(f"sasl_password_file: {err}") from None
        return values

    @field_validator("queues", mode="before")
    @classmethod
    def _split_queues(cls, value: object) -> object:
        if isinstance(value, str):
            return [q.strip() for q in value.split(",") if q.strip()]
        return value

    @property
    def control_topic(self) -> str:
        """Internal, keyed by call_id: caller history replies and timer ticks."""
        return f"{self.app_id}-call-control"

    @property
    def caller_topic(self) -> str:
        """Internal, keyed by caller: history lookups and completed contacts."""
        return f"{self.app_id}-caller-requests"

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.security_protocol not in ("SSL", "SASL_SSL"):
            return None
        context = ssl.create_default_context(cafile=self.ssl_cafile)
        if self.ssl_certfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context

    def aiokafka_options(self) -> dict[str, object]:
        """Connection options for plain aiokafka clients (produce, tail, admin)."""
        options: dict[str, object] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "security_protocol": self.security_protocol,
            "ssl_context": self.ssl_context(),
        }
        if self.security_protocol.startswith("SASL"):
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": self.sasl_password and self.sasl_password.get_secret_value(),
            }
        return options
