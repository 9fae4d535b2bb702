#!/usr/bin/env bash
# Tools the test suite runs for real, installed when missing (make test calls this):
# - Prometheus and promtool (Debian package), for the alert-rule and dashboard tests;
# - Chromium (Debian package), which the desktop tests drive headless through Playwright;
# - the `docker compose` CLI plugin, built from its Go module into .cache/docker, so that
#   `DOCKER_CONFIG=.cache/docker docker compose config` validates deploy/compose.yaml
#   (this machine has a Docker client and no engine; Debian's compose plugin is not packaged).
set -euo pipefail
cd "$(dirname "$0")/../.."
COMPOSE_VERSION=v2.40.3
PLUGIN=.cache/docker/cli-plugins/docker-compose

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v prometheus >/dev/null && command -v promtool >/dev/null || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x "$PLUGIN" ]; then
  echo "building the docker compose plugin $COMPOSE_VERSION (a few minutes, once)"
  work=.cache/compose-src
  rm -rf "$work" && mkdir -p "$work" "$(dirname "$PLUGIN")"
  # The module's go.mod has exclude directives, so `go install pkg@version` refuses it:
  # download the module and build inside it.
  src=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
  cp -r "$src/." "$work" && chmod -R u+w "$work"
  (cd "$work" && go build -trimpath \
    -ldflags "-X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
    -o "$OLDPWD/$PLUGIN" ./cmd)
  rm -rf "$work"
fi

# The Genesys AudioHook reference client and its conformance tests (MIT; kept in
# tests/streams/audiohook_client), built with their npm dependencies into .cache for the ingest
# tests; rebuilt when that folder changes.
CLIENT=.cache/audiohook-client
stamp=$(cd tests/streams/audiohook_client && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
if [ "$(cat "$CLIENT/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "building the AudioHook reference client (npm)"
  rm -rf "$CLIENT" && mkdir -p "$CLIENT"
  cp -r tests/streams/audiohook_client/. "$CLIENT"
  (cd "$CLIENT" && npm ci --no-audit --no-fund --loglevel=error && npx tsc -p tsconfig.json)
  echo "$stamp" > "$CLIENT/.stamp"
fi
