# syntax=docker/dockerfile:1
# One image for every process: `agent-assist worker` (detection, the default),
# `agent-assist asr-worker` (speech to text), `agent-assist desktop` (the agents' pages) and
# `agent-assist topics`. Vosk models are not baked in: mount one at /models/vosk.
# Build: docker build -t agent-assist .

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/agent-assist
WORKDIR /src
# Dependencies first, pinned by the lock file, so code changes reuse this layer.
COPY deploy/requirements.lock ./
RUN /opt/agent-assist/bin/pip install --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY models ./models
COPY agent_assist ./agent_assist
COPY streams ./streams
RUN /opt/agent-assist/bin/pip install --no-deps .

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 agent-assist \
    && useradd --system --uid 10001 --gid agent-assist --home-dir /var/lib/agent-assist \
       --shell /usr/sbin/nologin agent-assist \
    && mkdir -p /var/lib/agent-assist /models/vosk \
    && chown agent-assist:agent-assist /var/lib/agent-assist
COPY --from=build /opt/agent-assist /opt/agent-assist
ENV PATH=/opt/agent-assist/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    AGENT_ASSIST_DATA_DIR=/var/lib/agent-assist \
    AGENT_ASSIST_VOSK_MODEL=/models/vosk \
    AGENT_ASSIST_HTTP_HOST=0.0.0.0 \
    AGENT_ASSIST_HTTP_PORT=8080
USER 10001:10001
WORKDIR /var/lib/agent-assist
VOLUME ["/var/lib/agent-assist"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
ENTRYPOINT ["agent-assist"]
CMD ["worker"]
