"""Agents' desk links: a token that opens one agent's desk for one shift, across a secret change.

A token is ``<expiry, Unix seconds>.<HMAC-SHA256 of the agent id and the expiry, 32 hex>``: it
names no one, but only opens the desk of the agent it was signed for, and only until it expires.
The secret setting may list several secrets, comma-separated, newest first: links are signed with
the first and accepted with any, so a rotation puts the new secret in front, waits out the
longest link (a shift), then drops the old one.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from streams.settings import secret_list

LINK_TTL = timedelta(hours=12)
"""How long a link opens a desk by default: one shift."""


class LinkProblem(StrEnum):
    """Why a link is refused, as the agent reads it."""

    EXPIRED = "This link has expired: open your desk again from your desktop."
    INVALID = "This link is not valid for this desk."


@dataclass(frozen=True, slots=True)
class DeskKeys:
    """The gateway's secrets: the first signs new links, any of them opens one."""

    secrets: tuple[str, ...]

    @classmethod
    def from_setting(cls, value: str) -> "DeskKeys":
        secrets = secret_list(value)
        if not secrets:
            raise ValueError("the desktop secret setting holds no secret")
        return cls(secrets)

    def token(self, agent_id: str, expires: datetime) -> str:
        at = int(expires.timestamp())
        return f"{at}.{_signature(self.secrets[0], agent_id, at)}"

    def problem(self, token: str, agent_id: str, now: datetime) -> LinkProblem | None:
        """None when ``token`` opens ``agent_id``'s desk at ``now``."""
        expiry = expires_at(token)
        signature = token.partition(".")[2].encode()
        if expiry is None or not any(
            hmac.compare_digest(signature, _signature(s, agent_id, expiry).encode())
            for s in self.secrets
        ):
            return LinkProblem.INVALID
        return LinkProblem.EXPIRED if now.timestamp() >= expiry else None


def expires_at(token: str) -> int | None:
    """The expiry a token states (Unix seconds), None if it states none; not a check."""
    at = token.partition(".")[0]
    return int(at) if at.isascii() and at.isdecimal() and len(at) <= 12 else None


def _signature(secret: str, agent_id: str, expiry: int) -> str:
    message = f"{agent_id}\n{expiry}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]
