"""One connection to Kafka before a process starts, so a refusal exits with its reason.

Left to themselves, faust and aiokafka log a refused login or an untrusted certificate and then
retry, or fail with "Unable to bootstrap": a worker started with a wrong password would look
like one waiting for a broker.
"""

import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed

from streams.settings import Settings

TIMEOUT_MS = 10_000


async def check_broker(settings: Settings) -> None:
    """Connect to the first bootstrap server that answers; exit with why if none will have us."""
    options = settings.aiokafka_options()
    servers = str(options.pop("bootstrap_servers")).split(",")
    protocol = settings.security_protocol
    unreachable: list[str] = []
    for server in servers:
        host, _, port = server.strip().rpartition(":")
        try:
            conn = await create_conn(host, int(port), request_timeout_ms=TIMEOUT_MS, **options)
        except SaslAuthenticationFailed as err:
            raise SystemExit(
                f"Kafka at {server} refused user {settings.sasl_username!r} "
                f"({settings.sasl_mechanism}): {err}; check AGENT_ASSIST_SASL_USERNAME and "
                "AGENT_ASSIST_SASL_PASSWORD"
            ) from None
        except ssl.SSLCertVerificationError as err:
            raise SystemExit(
                f"Kafka at {server}: its TLS certificate is not trusted ({err.verify_message}); "
                "set AGENT_ASSIST_SSL_CAFILE to the CA that signed it"
            ) from None
        except (OSError, KafkaConnectionError) as err:
            unreachable.append(f"{server}: {err}")
        else:
            conn.close()
            return
    raise SystemExit(f"cannot connect to Kafka over {protocol}: " + "; ".join(unreachable))
