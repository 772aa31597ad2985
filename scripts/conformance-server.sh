#!/usr/bin/env bash
# Starts the fixture server for an official conformance suite, in the foreground, on $PORT (3000).
#   scripts/conformance-server.sh engine.io
# PARLEY_WEBSOCKET_PATH=public|fast|auto (default auto) chooses the WebSocket path: Jetty's WebSocket
# API, or Parley's own frame layer (fast fails at start when its check does not pass), e.g.
#   PARLEY_WEBSOCKET_PATH=public scripts/conformance-server.sh socket.io
# JAVA_OPTS is passed to the JVM, after -XX:+ExitOnOutOfMemoryError (out of memory: exit, not linger).
set -euo pipefail
SUITE=${1:-engine.io}
. "$(dirname "$0")/build-if-needed.sh"
exec java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -Dparley.websocket.path="${PARLEY_WEBSOCKET_PATH:-auto}" \
  -cp "$PARLEY_CP" dev.parley.examples.conformance.ConformanceServer "$SUITE"
