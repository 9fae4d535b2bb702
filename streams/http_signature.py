"""HTTP message signatures as Genesys AudioHook signs its WebSocket handshake.

The client signs the request target, the authority, its ``Audiohook-*`` headers and
``X-API-Key`` with HMAC-SHA256 keyed by the integration's client secret (the IETF
"HTTP Message Signatures" draft that became RFC 9421, with its ``@request-target``
component). ``Signature-Input`` lists the covered components with ``keyid`` (the API key),
``nonce``, ``alg``, ``created`` and ``expires``; ``Signature`` carries the MAC. Structured
fields are parsed with ``http_sfv``. Pure: the caller passes the time.
"""

import hashlib
import hmac
from collections.abc import Mapping, Sequence

from http_sfv.dictionary import Dictionary
from http_sfv.item import InnerList, Item

REQUIRED = (
    "@request-target",
    "@authority",
    "audiohook-organization-id",
    "audiohook-session-id",
    "audiohook-correlation-id",
    "x-api-key",
)
MAX_CLOCK_SKEW_S = 3
MAX_AGE_S = 10
MIN_NONCE_LENGTH = 22


def signature_problem(
    headers: Mapping[str, str],
    request_target: str,
    secrets: Sequence[bytes],
    now: float,
) -> str | None:
    """Why the handshake's signature does not hold, or None when one of ``secrets`` signed it.
    ``headers``: lower-case names; ``request_target``: path and query as the client sent them."""
    if "signature-input" not in headers and "signature" not in headers:
        return "unsigned"
    try:
        inputs, signatures = Dictionary(), Dictionary()
        inputs.parse(headers.get("signature-input", "").encode())
        signatures.parse(headers.get("signature", "").encode())
    except ValueError:
        return "malformed Signature or Signature-Input"
    if not inputs or not signatures:
        return "unsigned"
    label, covered = next(iter(inputs.items()))
    signature = signatures.get(label)
    if not isinstance(covered, InnerList) or not isinstance(signature, Item):
        return f"signature {label!r} missing or malformed"
    if not isinstance(signature.value, bytes):
        return "Signature is not a byte sequence"
    params = dict(covered.params)
    if params.get("alg", "hmac-sha256") != "hmac-sha256":
        return f"algorithm {params['alg']!r} not supported"
    if params.get("keyid") != headers.get("x-api-key"):
        return "keyid differs from X-API-Key"
    if len(str(params.get("nonce", ""))) < MIN_NONCE_LENGTH:
        return "nonce missing or too short"
    created, expires = params.get("created"), params.get("expires")
    if not isinstance(created, int) or created > now + MAX_CLOCK_SKEW_S:
        return "created missing or in the future"
    if created + MAX_AGE_S < now - MAX_CLOCK_SKEW_S or (
        isinstance(expires, int) and expires < now - MAX_CLOCK_SKEW_S
    ):
        return "expired"
    names = [item.value for item in covered]
    if missing := [name for name in REQUIRED if name not in names]:
        return f"does not cover {', '.join(missing)}"
    lines = []
    for name in names:
        if not isinstance(name, str) or (name.startswith("@") and name not in REQUIRED):
            return f"component {name!r} not supported"
        value = {"@request-target": request_target, "@authority": headers.get("host")}.get(
            name, headers.get(name)
        )
        if value is None:
            return f"covers {name!r}, which the request does not carry"
        lines.append(f'"{name}": {value.strip()}')
    lines.append(f'"@signature-params": {covered}')
    base = "\n".join(lines).encode()
    for secret in secrets:
        if hmac.compare_digest(hmac.new(secret, base, hashlib.sha256).digest(), signature.value):
            return None
    return "signature does not match"
