#!/usr/bin/env bash
# Runs the example chat in the foreground: http://localhost:${PORT:-3000}
# Builds Parley first if nothing is built and installs the page's browser client from npm.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$ROOT/examples/chat-web/node_modules/socket.io-client/dist/socket.io.min.js" ]; then
  (cd "$ROOT/examples/chat-web" && npm ci --silent --no-audit --no-fund) >&2
fi
. "$ROOT/scripts/build-if-needed.sh"
exec java ${JAVA_OPTS:-} -Dchat.web="$ROOT/examples/chat-web" -cp "$PARLEY_CP" dev.parley.examples.chat.ChatServer
